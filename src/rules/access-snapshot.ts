/**
 * What every access check reads: the permission index (policy lines, role assignments, camera
 * groups) and the registry (cameras with their system and unit, personnel, units). The workflows
 * load and replace it (workflows/access-state.ts); the rules only read it.
 */
import type { PermissionIndex } from '../policy/permission-index.js';
import type { CameraRecord, PersonRecord, SystemRecord, UnitRecord } from './registry.js';

export interface CameraFacts {
  readonly camera: CameraRecord;
  readonly system: SystemRecord;
  readonly unit: UnitRecord;
}

export interface AccessSnapshot {
  readonly index: PermissionIndex;
  readonly cameras: ReadonlyMap<string, CameraFacts>;
  readonly personnel: ReadonlyMap<string, PersonRecord>;
  readonly units: ReadonlyMap<string, UnitRecord>;
  readonly systems: ReadonlyMap<string, SystemRecord>;
}
