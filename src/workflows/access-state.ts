/**
 * What every access check reads, held in memory and replaced whole: the permission index (policy
 * lines, role assignments, camera groups) and the registry (cameras with their system and unit,
 * personnel, units). A change made by any replica is announced with NOTIFY on ACCESS_CHANNEL in the
 * changing transaction; each replica re-reads on the notification and swaps the snapshot in one
 * assignment, so a check sees either the old state or the new one, never a half-loaded policy.
 */
import { createEnforcer, indexOf, indexPolicy, type Policy } from '../policy/enforcer.js';
import { KyselyAdapter } from '../policy/kysely-adapter.js';
import type { AccessSnapshot, CameraFacts } from '../rules/access-snapshot.js';
import type { DatabaseHandle, Unlisten } from '../storage/database.js';
import { readRegistry } from '../storage/registry-repository.js';
import type { Executor } from '../storage/transaction.js';

export type { AccessSnapshot, CameraFacts } from '../rules/access-snapshot.js';

import { ACCESS_CHANNEL } from '../storage/access-notifications.js';

export { ACCESS_CHANNEL } from '../storage/access-notifications.js';

export async function loadAccessSnapshot(db: Executor, baselinePolicy: string): Promise<AccessSnapshot> {
  const [index, registry] = await Promise.all([
    createEnforcer(new KyselyAdapter(db, baselinePolicy)).then(indexOf),
    readRegistry(db),
  ]);
  const units = new Map(registry.units.map((unit) => [unit.id, unit]));
  const systems = new Map(registry.systems.map((system) => [system.id, system]));
  const cameras = new Map<string, CameraFacts>();
  for (const camera of registry.cameras) {
    const system = systems.get(camera.system_id);
    const unit = system === undefined ? undefined : units.get(system.unit_id);
    if (system !== undefined && unit !== undefined) cameras.set(camera.id, { camera, system, unit });
  }
  return { index, cameras, personnel: new Map(registry.personnel.map((person) => [person.id, person])), units, systems };
}

export { announceAccessChange } from '../storage/access-notifications.js';

export class AccessState {
  private snapshot: AccessSnapshot;
  private reloading: Promise<void> | undefined;
  private again = false;
  private unlisten: Unlisten | undefined;
  private readonly changeListeners: Array<() => void> = [];
  private swaps = 0;
  readonly policy: Policy;

  private constructor(
    initial: AccessSnapshot,
    private readonly load: () => Promise<AccessSnapshot>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.snapshot = initial;
    this.policy = indexPolicy(() => this.snapshot.index);
  }

  static async open(database: DatabaseHandle, baselinePolicy: string, onError: (error: unknown) => void): Promise<AccessState> {
    const load = () => loadAccessSnapshot(database.db, baselinePolicy);
    const state = new AccessState(await load(), load, onError);
    state.unlisten = await database.listen(ACCESS_CHANNEL, () => {
      state.refresh().catch(onError);
    });
    return state;
  }

  get current(): AccessSnapshot {
    return this.snapshot;
  }

  /** Counts snapshot swaps: a result computed from one generation is stale once it has moved on. */
  get generation(): number {
    return this.swaps;
  }

  /** Calls `listener` after every swap of the snapshot (whatever changed: roles, grants, registry). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Re-reads the state; calls made while a reload runs are served by one more reload after it. */
  refresh(): Promise<void> {
    if (this.reloading !== undefined) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          this.snapshot = await this.load();
          this.swaps += 1;
          for (const listener of this.changeListeners) listener();
        } while (this.again);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /**
   * Applies a change this process just committed before its caller answers. A failed re-read is
   * reported to `onError` and not thrown: the change is committed, and the snapshot is re-read on
   * the change's own notification or the next one.
   */
  async applyCommitted(): Promise<void> {
    await this.refresh().catch(this.onError);
  }

  async close(): Promise<void> {
    await this.unlisten?.();
    await this.reloading?.catch(this.onError);
  }
}
