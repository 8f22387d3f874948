/**
 * What the HTTP layer is given: one typed context holding the service's state and collaborators.
 * Routes pass it (or its members) to workflows and read-only queries; they never reach storage.
 */
import type { Kysely } from 'kysely';
import type { GateProfile } from '../gate/gate-profile.js';
import type { PlaybackTokens } from '../gate/playback-tokens.js';
import type { VerifierKey } from '../ledger/note.js';
import type { TreeHash } from '../ledger/tree-hash.js';
import type { LedgerIntegrity } from '../ledger-store/ledger-integrity.js';
import type { Vault } from '../ledger-store/vault.js';
import type { Witnessing } from '../ledger-store/witnessing.js';
import type { LedgerMetrics } from '../observability/ledger-metrics.js';
import type { Metrics } from '../observability/metrics.js';
import type { RequestSettings } from '../rules/access-request-records.js';
import type { RegulationProfile } from '../rules/regulation-profile.js';
import type { Database } from '../storage/schema.js';
import type { StandbyReads } from '../storage/standby-reads.js';
import type { AccessState } from './access-state.js';
import type { ChangeFeed } from './change-feed.js';
import type { Gatekeeper } from './gatekeeper.js';
import type { LedgerWriter } from './ledger-writer.js';
import type { RoleContext } from './role-assignments.js';

export interface ServiceContext {
  /** The primary: every write, and every read that is not an audit read. */
  readonly db: Kysely<Database>;
  /** Audit reads (entries, proofs, receipts, export, verification, report): a caught-up standby or the primary. */
  readonly reads: StandbyReads;
  /** The access snapshot (permission index and registry) decisions read, and its reloading. */
  readonly access: AccessState;
  readonly profile: RegulationProfile;
  /** The version of the rules decisions are made under; recorded by `policy.loaded` at start. */
  readonly policyVersion: string;
  /** Role assignments: the roles the baseline defines and who may assign them (the grant table). */
  readonly roles: RoleContext;
  readonly requests: RequestSettings;
  readonly compliance: { readonly deletionGraceDays: number };
  readonly writer: LedgerWriter;
  readonly vault: Vault;
  readonly metrics: Metrics;
  readonly ledger: {
    readonly origin: string;
    /** The key signing checkpoints now. */
    readonly verifierKey: VerifierKey;
    /** Every key this log's checkpoints may be signed by: the current one and retired ones. */
    readonly trustedKeys: readonly VerifierKey[];
    readonly metrics: LedgerMetrics;
    /** The history guard: halted when the stored log contradicts a checkpoint it is bound to. */
    readonly integrity: LedgerIntegrity;
    /** The log's tree hash: SHA-256 (`c2sp`) or SM3 (`shangmi`), as its signing key's suite fixes it. */
    readonly hasher: TreeHash;
    readonly witnessing: Witnessing;
  };
  /** The change feed: webhook deliveries and this replica's event listeners. */
  readonly feed: { readonly changes: ChangeFeed; readonly allowPlainHttp: boolean };
  readonly gate: {
    readonly profile: GateProfile;
    readonly tokens: PlaybackTokens;
    /** The longest a playback token lives (PLAYBACK_TOKEN_TTL_SECONDS). */
    readonly tokenSeconds: number;
    readonly gatekeeper: Gatekeeper;
  };
}
