/**
 * The ledger's search columns that come from an entry's payload: which camera an entry is about,
 * per kind. The table covers every kind the service writes (the compiler checks it), so a new kind
 * says whether it names a camera instead of having a member name fished out of its payload.
 */
import type { EntryKind } from './entry-kinds.js';

type Payload = Readonly<Record<string, unknown>>;
type CameraOf = (payload: Payload) => string | null;

/** The payload's `camera_id`, which the kinds below carry as a camera id when they carry it. */
const cameraMember: CameraOf = (payload) => (typeof payload.camera_id === 'string' ? payload.camera_id : null);
const noCamera: CameraOf = () => null;

const CAMERA_OF: Readonly<Record<EntryKind, CameraOf>> = {
  'ledger.created': noCamera,
  'key.rotated': noCamera,
  'ledger.verified': noCamera,
  'subject.erased': noCamera,
  'personal_data.disclosed': noCamera,
  // Set for cameras' records only (workflows/registry-changes.ts).
  'registry.changed': cameraMember,
  'policy.changed': noCamera,
  'decision.made': cameraMember,
  'transfer.registered': cameraMember,
  'transfer.acknowledged': cameraMember,
  'access_request.submitted': noCamera,
  'access_request.approved': noCamera,
  'access_request.rejected': noCamera,
  'access_request.withdrawn': noCamera,
  'grant.revoked': noCamera,
  'legal_hold.released': noCamera,
  'gate.refused': noCamera,
  'policy.loaded': noCamera,
  'report.issued': noCamera,
  'reconciliation.completed': noCamera,
  'playback.started': cameraMember,
  'playback.stopped': cameraMember,
  'footage.deleted': cameraMember,
  'equipment.maintained': cameraMember,
};

/** The camera an entry of `kind` is about, for the ledger's camera column; null for other kinds. */
export function indexedCamera(kind: string, payload: Payload): string | null {
  const of = (CAMERA_OF as Readonly<Record<string, CameraOf | undefined>>)[kind];
  return of === undefined ? null : of(payload);
}
