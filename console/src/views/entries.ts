/**
 * Browse and search the ledger by kind, camera, person or case; open an entry to see its exact
 * bytes and its inclusion proof checked here against the checkpoint verified in this browser.
 */
import { json } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { fromBase64, verifyInclusion } from '../ledger-proof.js';
import type { Trusted } from '../trust.js';

interface StoredEntry {
  seq: number;
  entry: { kind: string; time: string; actor: { unit: string | null; subject: string | null }; payload: Record<string, unknown> };
  canonical: string;
  leaf_hash: string;
}

const PAGE = 25;

export class EntriesView {
  private next: number | null = null;
  private query = new URLSearchParams();
  /** The latest search asked for: an earlier one answering after it is not shown. */
  private latest = 0;

  constructor(
    private readonly trust: () => Promise<Trusted | undefined>,
    private readonly announce: (message: string) => void,
  ) {
    byId('entry-search').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.search(0);
    });
    byId('entries-next').addEventListener('click', () => {
      if (this.next !== null) void this.search(this.next);
    });
  }

  async show(): Promise<void> {
    if (byId('entry-rows').childElementCount === 0) await this.search(0);
  }

  private async search(from: number): Promise<void> {
    if (from === 0) {
      this.query = new URLSearchParams();
      for (const name of ['kind', 'camera', 'subject', 'case']) {
        const value = byId<HTMLInputElement>(`search-${name}`).value.trim();
        if (value !== '') this.query.set(name, value);
      }
    }
    const query = new URLSearchParams(this.query);
    query.set('from', String(from));
    query.set('limit', String(PAGE));
    const asked = ++this.latest;
    const page = await json<{ items: StoredEntry[]; next: number | null }>(`/v1/ledger/entries?${query}`);
    if (asked !== this.latest) return;
    this.next = page.next;
    byId<HTMLButtonElement>('entries-next').hidden = page.next === null;
    replaceChildren(
      byId('entry-rows'),
      ...page.items.map((item) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', 'data-seq': String(item.seq), 'aria-label': `Open entry ${item.seq}` },
              String(item.seq),
            ),
          ),
          h('td', {}, h('time', { datetime: item.entry.time }, item.entry.time.replace('T', ' ').slice(0, 19))),
          h('td', {}, item.entry.kind),
          h('td', {}, item.entry.actor.unit ?? ''),
          h('td', {}, item.entry.actor.subject ?? ''),
          h('td', {}, String(item.entry.payload.camera_id ?? '')),
        ),
      ),
    );
    for (const button of byId('entry-rows').querySelectorAll<HTMLButtonElement>('button[data-seq]')) {
      button.addEventListener('click', () => void this.open(Number(button.dataset.seq)));
    }
    this.announce(page.items.length === 0 ? 'No entries match' : `${page.items.length} entries shown`);
  }

  async open(seq: number): Promise<void> {
    const detail = byId('entry-detail');
    const verdict = byId('entry-verdict');
    detail.hidden = false;
    byId('entry-seq').textContent = String(seq);
    verdict.className = 'verdict';
    verdict.textContent = 'Checking the inclusion proof…';
    const stored = await json<StoredEntry>(`/v1/ledger/entries/${seq}`);
    const bytes = fromBase64(stored.canonical);
    byId('entry-bytes').textContent = new TextDecoder().decode(bytes);
    byId('entry-leaf').textContent = stored.leaf_hash;
    const trusted = await this.trust();
    if (trusted === undefined) {
      verdict.className = 'verdict failed';
      verdict.textContent = 'Not verified: no checkpoint verified with the verifier key (see Ledger)';
      return;
    }
    const { checkpoint } = trusted;
    if (seq >= checkpoint.size) {
      verdict.className = 'verdict';
      verdict.textContent = `Not yet covered by a signed checkpoint (tree size ${checkpoint.size}); try again shortly`;
      return;
    }
    const proof = await json<{ hashes: string[] }>(`/v1/ledger/proofs/inclusion?seq=${seq}&tree_size=${checkpoint.size}`);
    const result = await verifyInclusion(bytes, seq, checkpoint, proof.hashes, trusted.key.suite);
    if (result.ok && result.leafHash === stored.leaf_hash) {
      verdict.className = 'verdict verified';
      verdict.textContent = `Verified: this entry's bytes are leaf ${seq} of the tree of size ${checkpoint.size} that the checkpoint signs`;
    } else {
      verdict.className = 'verdict failed';
      verdict.textContent = `Verification failed: ${result.ok ? 'the stored leaf hash differs from the hash of the bytes' : result.problem}`;
    }
    replaceChildren(byId('entry-computed'), result.leafHash);
    this.announce(verdict.textContent);
    detail.focus();
  }
}
