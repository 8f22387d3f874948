/** The ledger's head: the signed checkpoint verified in the browser, the key, and full verification. */
import { call, ndjson } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { toHex } from '../ledger-proof.js';
import { serviceKey, type Trusted, trustLatest } from '../trust.js';

interface VerificationLine {
  progress?: { entries_checked: number; tree_size: number };
  result?: { ok: boolean; tree_size: number; entries_checked: number; first_failure: { seq: number; check: string } | null };
  error?: { detail: string };
}

export class LedgerView {
  trusted: Trusted | undefined;

  constructor(private readonly announce: (message: string) => void) {
    byId('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.check();
    });
    byId('run-verification').addEventListener('click', () => void this.verify());
  }

  async show(): Promise<void> {
    const input = byId<HTMLInputElement>('verifier-key');
    if (input.value.trim() === '') input.value = await serviceKey();
    await this.check();
  }

  /** Verifies the latest checkpoint against the key in the input; every other view relies on it. */
  async check(): Promise<Trusted | undefined> {
    const verdict = byId('checkpoint-verdict');
    try {
      this.trusted = await trustLatest(byId<HTMLInputElement>('verifier-key').value);
      const { checkpoint, note } = this.trusted;
      byId('tree-size').textContent = String(checkpoint.size);
      byId('root-hash').textContent = toHex(checkpoint.root);
      byId('checkpoint-origin').textContent = checkpoint.origin;
      byId('checkpoint-text').textContent = note;
      verdict.className = 'verdict verified';
      verdict.textContent = `Signature verified in this browser (Ed25519, Web Crypto) for tree size ${checkpoint.size}`;
      return this.trusted;
    } catch (error) {
      this.trusted = undefined;
      verdict.className = 'verdict failed';
      verdict.textContent = `Checkpoint not verified: ${(error as Error).message}`;
      return undefined;
    }
  }

  private async verify(): Promise<void> {
    const button = byId<HTMLButtonElement>('run-verification');
    const progress = byId<HTMLProgressElement>('verification-progress');
    const result = byId('verification-result');
    button.disabled = true;
    progress.hidden = false;
    progress.removeAttribute('value');
    result.className = 'verdict';
    result.textContent = 'Verification running…';
    try {
      const response = await call('/v1/ledger/verifications', { method: 'POST', body: '{}' });
      for await (const line of ndjson<VerificationLine>(response)) {
        if (line.progress !== undefined) {
          progress.max = Math.max(1, line.progress.tree_size);
          progress.value = line.progress.entries_checked;
          result.textContent = `Checked ${line.progress.entries_checked} of ${line.progress.tree_size} entries…`;
        } else if (line.result !== undefined) {
          const { ok, entries_checked, tree_size, first_failure } = line.result;
          progress.max = Math.max(1, tree_size);
          progress.value = entries_checked;
          result.className = ok ? 'verdict verified' : 'verdict failed';
          result.textContent = ok
            ? `Verified: ${entries_checked} entries, tree size ${tree_size}`
            : `Verification failed at entry ${first_failure?.seq} (${first_failure?.check})`;
          this.announce(result.textContent);
        } else if (line.error !== undefined) {
          throw new Error(line.error.detail);
        }
      }
    } catch (error) {
      result.className = 'verdict failed';
      result.textContent = `Verification could not run: ${(error as Error).message}`;
    } finally {
      button.disabled = false;
    }
    replaceChildren(byId('verification-when'), h('time', { datetime: new Date().toISOString() }, new Date().toLocaleString()));
  }
}
