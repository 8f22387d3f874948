/**
 * Allows the gate has already recorded, so that the segments of one playlist do not each write a
 * ledger entry. Bounded (least recently used goes first) and time-limited: an entry is served only
 * before its `expiresAt`. `clear()` is called whenever the access state changes (a role, a grant,
 * the registry), so a revocation is never answered from here.
 */
export interface CachedAllow {
  readonly decisionId: string;
  readonly obligations: readonly string[];
  /** Milliseconds since the epoch: the decision's valid_until, or the grant's end if sooner. */
  readonly expiresAt: number;
}

export class AllowCache {
  private readonly entries = new Map<string, CachedAllow>();

  constructor(
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('capacity must be a whole number');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedAllow | undefined {
    const found = this.entries.get(key);
    if (found === undefined) return undefined;
    this.entries.delete(key);
    if (found.expiresAt <= this.now()) return undefined;
    // Re-inserted last: Map order is the recency order.
    this.entries.set(key, found);
    return found;
  }

  set(key: string, allow: CachedAllow): void {
    if (this.capacity === 0 || allow.expiresAt <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, allow);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The cache key of one access: who, in which unit, what, when, for which purpose, with which stated
 * reason and under which grant. The reason is part of it: an allow decided for a request that
 * stated one never answers a request that states another, or none: each access's reason is registered.
 */
export function allowKey(parts: {
  readonly person: string;
  readonly unit: string;
  readonly camera: string;
  readonly action: string;
  readonly window?: { readonly from: string; readonly to: string } | undefined;
  readonly purpose: string;
  readonly reason: string;
  readonly grantId?: string | undefined;
}): string {
  return JSON.stringify([
    parts.person,
    parts.unit,
    parts.camera,
    parts.action,
    parts.window?.from ?? null,
    parts.window?.to ?? null,
    parts.purpose,
    parts.reason,
    parts.grantId ?? null,
  ]);
}
