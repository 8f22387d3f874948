/**
 * The camera directory: what a state organ's officer or a person in an emergency may know of the
 * registry to say which cameras they ask for — each active camera's id, name, location text, unit
 * and system — and nothing else of it (no location class, groups, retention or personnel).
 */
import type { AccessSnapshot } from './access-snapshot.js';

export interface DirectoryEntry {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly unit_id: string;
  readonly unit_name: string;
  readonly system_id: string;
}

/** Active cameras in id order after `after`, of one unit when asked. */
export function cameraDirectory(
  snapshot: Pick<AccessSnapshot, 'cameras'>,
  page: { readonly after?: string; readonly unitId?: string; readonly limit: number },
): DirectoryEntry[] {
  return [...snapshot.cameras.values()]
    .filter((facts) => facts.camera.active && facts.system.active && facts.unit.active)
    .filter((facts) => page.unitId === undefined || facts.unit.id === page.unitId)
    .filter((facts) => page.after === undefined || facts.camera.id > page.after)
    .sort((a, b) => (a.camera.id < b.camera.id ? -1 : 1))
    .slice(0, page.limit)
    .map((facts) => ({
      id: facts.camera.id,
      name: facts.camera.name,
      location: facts.camera.location,
      unit_id: facts.unit.id,
      unit_name: facts.unit.name,
      system_id: facts.system.id,
    }));
}
