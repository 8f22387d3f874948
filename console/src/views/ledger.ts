/** The ledger's head: the signed checkpoint verified in the browser, the key, and full verification. */
import { call, ndjson } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { toHex } from '../ledger-proof.js';
import { type Continuity, savedWitnessKeys, serviceKey, type Trusted, trustLatest, witnessedBy } from '../trust.js';

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
    byId('witness-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.checkWitnesses();
    });
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
      showContinuity(this.trusted.continuity);
      const witnessKeys = byId<HTMLTextAreaElement>('witness-keys');
      if (witnessKeys.value.trim() === '') witnessKeys.value = savedWitnessKeys(checkpoint.origin);
      if (witnessKeys.value.trim() !== '') await this.checkWitnesses();
      return this.trusted;
    } catch (error) {
      this.trusted = undefined;
      verdict.className = 'verdict failed';
      verdict.textContent = `Checkpoint not verified: ${(error as Error).message}`;
      return undefined;
    }
  }

  /** Verifies, in this browser, which of the trusted witnesses cosigned the latest witnessed checkpoint. */
  private async checkWitnesses(): Promise<void> {
    const verdict = byId('witness-verdict');
    const trusted = this.trusted ?? (await this.check());
    if (trusted === undefined) return;
    try {
      const witnessed = await witnessedBy(trusted, byId<HTMLTextAreaElement>('witness-keys').value);
      if (witnessed === undefined) {
        verdict.className = 'verdict';
        verdict.textContent = '';
      } else if (witnessed.cosigners.length === 0) {
        verdict.className = 'verdict failed';
        verdict.textContent = `No checkpoint is cosigned by any of the ${witnessed.of} witness key(s) you trust.`;
      } else {
        verdict.className = witnessed.cosigners.length === witnessed.of ? 'verdict verified' : 'verdict';
        verdict.textContent = `Tree size ${witnessed.size} cosigned by ${witnessed.cosigners.length} of ${witnessed.of} witnesses you trust (${witnessed.cosigners.join(', ')}), verified in this browser.`;
      }
    } catch (error) {
      verdict.className = 'verdict failed';
      verdict.textContent = `Cosignatures not verified: ${(error as Error).message}`;
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

/** Says loudly when the log contradicts the checkpoint this browser verified before. */
function showContinuity(continuity: Continuity): void {
  const verdict = byId('continuity-verdict');
  const since = (from: { size: number; verifiedAt: string }) =>
    `the checkpoint of ${from.size} entries this browser verified on ${new Date(from.verifiedAt).toLocaleString()}`;
  switch (continuity.kind) {
    case 'first':
      verdict.className = 'verdict';
      verdict.textContent = 'First visit for this log: this checkpoint is remembered in this browser.';
      break;
    case 'same':
      verdict.className = 'verdict verified';
      verdict.textContent = 'The same checkpoint this browser verified before.';
      break;
    case 'extends':
      verdict.className = 'verdict verified';
      verdict.textContent = `Proven consistent with ${since(continuity.from)} (RFC 9162 consistency proof, verified in this browser).`;
      break;
    case 'unchecked':
      verdict.className = 'verdict failed';
      verdict.textContent = `Not yet checked against ${since(continuity.from)}: ${continuity.reason}`;
      break;
    case 'contradicts':
      verdict.className = 'verdict alarm';
      verdict.textContent = `WARNING: this log contradicts ${since(continuity.from)} (root ${continuity.from.root}): ${continuity.problem}. Its history may have been cut or rewritten. Keep this page and tell the oversight organ.`;
      break;
  }
}
