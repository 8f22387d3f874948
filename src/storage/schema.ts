/**
 * Table types for Kysely. Ledger columns are typed `never` for update: no code path of the service
 * can express an UPDATE of the ledger (the database refuses one too).
 */
import type { ColumnType } from 'kysely';

/** Written once, read as T, never updated. int8 is read as a number (storage/database.ts). */
type Frozen<Select, Insert = Select> = ColumnType<Select, Insert, never>;

export interface LedgerEntriesTable {
  seq: Frozen<number>;
  time: Frozen<Date, Date | string>;
  kind: Frozen<string>;
  unit: Frozen<string | null, string | null>;
  subject: Frozen<string | null, string | null>;
  camera: Frozen<string | null, string | null>;
  /** The id of the object the entry records (a decision, a transfer), for lookup. */
  ref: Frozen<string | null, string | null | undefined>;
  canonical: Frozen<Buffer, Uint8Array>;
  leaf_hash: Frozen<Buffer, Uint8Array>;
}

export interface LedgerNodesTable {
  level: Frozen<number>;
  idx: Frozen<number>;
  hash: Frozen<Buffer, Uint8Array>;
}

export interface LedgerCheckpointsTable {
  tree_size: Frozen<number>;
  root: Frozen<Buffer, Uint8Array>;
  key_id: Frozen<string>;
  note: Frozen<string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface DataSubjectsTable {
  id: string;
  wrapped_key: Buffer | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  erased_seq: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SealedValuesTable {
  seq: number;
  pointer: string;
  subject_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** Mutable registry rows; dates (`date`) are read as YYYY-MM-DD text. */
type Touched = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UnitsTable {
  id: string;
  name: string;
  kind: string;
  entrusts: string[];
  active: boolean;
  updated_at: Touched;
}

export interface SystemsTable {
  id: string;
  unit_id: string;
  name: string;
  legal_basis: string;
  went_live_on: string;
  filing_organ: string | null;
  filing_number: string | null;
  filed_on: string | null;
  filed_cameras: number | null;
  filed_retention_days: number | null;
  signage: boolean;
  retention_days: number;
  active: boolean;
  updated_at: Touched;
}

export interface CamerasTable {
  id: string;
  system_id: string;
  name: string;
  location: string;
  location_class: string;
  near_military_area: boolean;
  site_consent_ref: string | null;
  groups: string[];
  active: boolean;
  updated_at: Touched;
}

export interface PersonnelTable {
  id: string;
  unit_id: string;
  name: string | null;
  position: string;
  training_valid_until: string | null;
  confidentiality_signed_on: string | null;
  active: boolean;
  updated_at: Touched;
}

export interface RoleAssignmentsTable {
  subject: string;
  role: string;
  unit_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface TransfersTable {
  id: string;
  decision_id: string;
  seq: number;
  unit_id: string;
  subject: string;
  camera_id: string;
  recipient_unit: string;
  person_subject: string | null;
  grant_id: string | null;
  window_from: ColumnType<Date | null, string | null, never>;
  window_to: ColumnType<Date | null, string | null, never>;
  valid_until: ColumnType<Date | null, string | null, never>;
  file_sha256: string | null;
  recipient_unit_id: string | null;
  recipient_subject: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface WebhookSubscriptionsTable {
  id: string;
  unit_id: string;
  url: string;
  secret: string;
  event_types: string[];
  created_by: string;
  after_seq: number;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface FeedPositionTable {
  id: number;
  seq: number;
}

export interface WebhookDeliveriesTable {
  subscription_id: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  delivered_at: ColumnType<Date | null, Date | string | undefined, Date | string | null>;
  failed_at: ColumnType<Date | null, Date | string | undefined, Date | string | null>;
  last_status: number | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface TransferAcknowledgementsTable {
  transfer_id: string;
  seq: number;
  unit_id: string;
  subject: string;
  file_sha256: string;
  matches: boolean;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface AccessRequestsTable {
  id: string;
  kind: string;
  requester: string;
  requester_unit: string;
  target_unit: string;
  status: string;
  approvals_needed: number;
  approvers: string[];
  camera_ids: string[];
  window_from: ColumnType<Date, Date | string, never>;
  window_to: ColumnType<Date, Date | string, never>;
  actions: string[];
  case_no: string | null;
  expiry_hours: number;
  legal_hold: ColumnType<boolean, boolean | undefined, never>;
  submitted_seq: number;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: Touched;
}

export interface GrantsTable {
  id: string;
  request_id: string;
  grantee: string;
  unit_id: string;
  camera_ids: string[];
  window_from: ColumnType<Date, Date | string, never>;
  window_to: ColumnType<Date, Date | string, never>;
  actions: string[];
  valid_until: ColumnType<Date, Date | string, never>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  uses: ColumnType<number, number | undefined, number>;
}

export interface LegalHoldsTable {
  id: string;
  request_id: string;
  unit_id: string;
  camera_ids: string[];
  window_from: ColumnType<Date, Date | string, never>;
  window_to: ColumnType<Date, Date | string, never>;
  placed_at: ColumnType<Date, Date | string | undefined, never>;
  released_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface LedgerCosignaturesTable {
  witness: string;
  tree_size: Frozen<number>;
  root: Frozen<Buffer, Uint8Array>;
  signature: Frozen<string>;
  cosigned_at: Frozen<Date, Date | string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A media server's session admitted by an allow, until the server reports it stopped. */
export interface GateSessionsTable {
  gateway: string;
  session_id: string;
  decision_id: string;
  camera_id: string;
  subject: string;
  unit_id: string;
  /** What the session reads: the stream's or file's path, as the server named it. */
  stream: string;
  started: ColumnType<boolean, boolean | undefined, boolean>;
  opened_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface Database {
  legal_holds: LegalHoldsTable;
  access_requests: AccessRequestsTable;
  grants: GrantsTable;
  units: UnitsTable;
  systems: SystemsTable;
  cameras: CamerasTable;
  personnel: PersonnelTable;
  role_assignments: RoleAssignmentsTable;
  transfers: TransfersTable;
  transfer_acknowledgements: TransferAcknowledgementsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  feed_position: FeedPositionTable;
  webhook_deliveries: WebhookDeliveriesTable;
  gate_sessions: GateSessionsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_cosignatures: LedgerCosignaturesTable;
  data_subjects: DataSubjectsTable;
  sealed_values: SealedValuesTable;
}
