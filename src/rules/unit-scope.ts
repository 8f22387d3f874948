/**
 * Which units a unit acts for: itself, and every unit that has entrusted it (the
 * registry's `units.entrusts`). A gateway's word, a person's registration and a contractor's report
 * count only inside that scope; nothing here widens what roles permit. Pure: reads the snapshot.
 */
import type { AccessSnapshot } from './access-snapshot.js';
import type { PersonRecord } from './registry.js';

/** Whether `actor` (a unit) acts for `target`: the same unit, or one that entrusted it. */
export function actsFor(snapshot: Pick<AccessSnapshot, 'units'>, actor: string, target: string): boolean {
  if (actor === target) return true;
  return snapshot.units.get(target)?.entrusts.includes(actor) === true;
}

/**
 * The person's registry record as it counts for `unit`: registered in that unit, or in an entrusted
 * operator the unit has entrusted. A record another unit created says nothing about this one.
 */
export function personnelFor(
  snapshot: Pick<AccessSnapshot, 'units' | 'personnel'>,
  person: string,
  unit: string,
): PersonRecord | undefined {
  const record = snapshot.personnel.get(person);
  return record !== undefined && actsFor(snapshot, record.unit_id, unit) ? record : undefined;
}

/** The units in which `subject` holds any role. */
export function unitsWithRolesOf(snapshot: Pick<AccessSnapshot, 'units' | 'index'>, subject: string): string[] {
  return [...snapshot.units.keys()].filter((unit) => snapshot.index.rolesOf(subject, unit).some((role) => role !== subject));
}

/**
 * Why `unit` may not erase `subject`, or undefined. A registered person belongs to the unit that
 * registers them; anyone else to the unit that recorded their values, if that is one unit alone.
 * `recordedBy` lists the actor units of the entries holding the subject's sealed values.
 */
export function erasureRefusal(
  snapshot: Pick<AccessSnapshot, 'personnel'>,
  unit: string,
  subject: string,
  recordedBy: readonly (string | null)[],
): string | undefined {
  const record = snapshot.personnel.get(subject);
  if (record !== undefined) {
    return record.unit_id === unit ? undefined : 'the subject is registered in another unit, which alone may erase them';
  }
  if (recordedBy.some((recorder) => recorder !== unit)) {
    return "the subject's personal data was recorded by another unit, which alone may erase it";
  }
  return undefined;
}

/**
 * Why `person` may not be registered in `unit`, or undefined: someone who holds roles in a unit is
 * registered by that unit (or by an entrusted operator of it), never re-homed by another.
 */
export function personnelHomeRefusal(
  snapshot: Pick<AccessSnapshot, 'units' | 'index'>,
  person: string,
  unit: string,
): string | undefined {
  const elsewhere = unitsWithRolesOf(snapshot, person).find((held) => !actsFor(snapshot, unit, held));
  return elsewhere === undefined ? undefined : `${person} holds roles in unit ${elsewhere}, which registers them`;
}
