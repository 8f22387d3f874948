/**
 * Public keys from a JWKS URL, cached by `kid`. An unknown `kid` refetches the set, but at most once
 * per `minRefetchMs`, so a stream of forged kids cannot turn the service into a load generator
 * against the identity provider; concurrent misses share one fetch.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

export interface JwksOptions {
  readonly url: string;
  readonly fetch?: Fetch;
  readonly minRefetchMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

const MAX_JWKS_BYTES = 256 * 1024;

export class JwksKeySource {
  private keys = new Map<string, KeyObject>();
  private lastFetch = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly fetch: Fetch;
  private readonly minRefetchMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: JwksOptions) {
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.minRefetchMs = options.minRefetchMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** The key for `kid`, or undefined when the set does not hold it even after a permitted refetch. */
  async keyFor(kid: string): Promise<KeyObject | undefined> {
    const cached = this.keys.get(kid);
    if (cached !== undefined) return cached;
    if (this.inFlight === undefined && this.now() - this.lastFetch >= this.minRefetchMs) {
      this.lastFetch = this.now();
      this.inFlight = this.refresh().finally(() => {
        this.inFlight = undefined;
      });
    }
    if (this.inFlight !== undefined) await this.inFlight.catch(() => undefined);
    return this.keys.get(kid);
  }

  private async refresh(): Promise<void> {
    const response = await this.fetch(this.options.url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = await response.text();
    if (body.length > MAX_JWKS_BYTES) throw new Error('JWKS too large');
    const parsed = JSON.parse(body) as { keys?: unknown };
    if (!Array.isArray(parsed.keys)) throw new Error('JWKS without keys');
    const next = new Map<string, KeyObject>();
    for (const jwk of parsed.keys as Array<JsonWebKey & { kid?: unknown; use?: unknown }>) {
      if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      try {
        next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // A key we cannot read is a key no token can use.
      }
    }
    this.keys = next;
  }
}
