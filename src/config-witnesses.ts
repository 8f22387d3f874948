/**
 * LEDGER_WITNESSES: the witnesses the log submits its checkpoints to, comma-separated, each a
 * cosigner verifier key (name+hex8+base64 of type 0x04) and the witness's submission URL, separated
 * by a space. LEDGER_WITNESS_QUORUM: how many of them must cosign for a checkpoint to count as
 * witnessed (default: all).
 */
import { ConfigError, type Environment } from './config-error.js';

export interface WitnessSetting {
  readonly key: string;
  readonly url: string;
}

export function witnessSettings(env: Environment, production: boolean): WitnessSetting[] {
  const raw = env.LEDGER_WITNESSES?.trim();
  if (raw === undefined || raw === '') return [];
  const settings = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [key, url, extra] = entry.split(/\s+/);
      if (
        key === undefined ||
        url === undefined ||
        extra !== undefined ||
        !/^[\x21-\x7e]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/.test(key)
      ) {
        throw new ConfigError('LEDGER_WITNESSES', `expected "<witness verifier key> <URL>", got "${entry}"`);
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new ConfigError('LEDGER_WITNESSES', `not a URL: "${url}"`);
      }
      if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !production)) {
        throw new ConfigError('LEDGER_WITNESSES', `expected an https:// URL, got "${url}"`);
      }
      return { key, url: parsed.toString() };
    });
  const names = settings.map((setting) => setting.key.split('+')[0]);
  if (new Set(names).size !== names.length) throw new ConfigError('LEDGER_WITNESSES', 'a witness is named twice');
  return settings;
}

export function witnessQuorum(env: Environment, witnesses: number): number {
  const raw = env.LEDGER_WITNESS_QUORUM?.trim();
  if (raw === undefined || raw === '') return witnesses;
  if (witnesses === 0) throw new ConfigError('LEDGER_WITNESS_QUORUM', 'set without LEDGER_WITNESSES');
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > Math.max(witnesses, 1)) {
    throw new ConfigError('LEDGER_WITNESS_QUORUM', `expected 1 to ${witnesses} (the number of LEDGER_WITNESSES), got "${raw}"`);
  }
  return value;
}
