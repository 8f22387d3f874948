/** Read-only queries of the ledger, for routes that only read: entries, proofs, keys, exports, verification. */

export { type ExportDisclosure, exportLines, exportRange } from '../ledger-store/ledger-export.js';
export { keyHistory } from '../ledger-store/ledger-keys.js';
export { consistencyProof, inclusionProof } from '../ledger-store/ledger-proofs.js';
export {
  checkpointCovering,
  checkpointOfSize,
  type EntryRow,
  entryAt,
  latestCheckpoint,
  listEntries,
  treeSize,
} from '../ledger-store/ledger-repository.js';
export { verifyStoredLedger } from '../ledger-store/ledger-verification.js';
export type { SubjectOpening, Vault } from '../ledger-store/vault.js';
export type { Executor as LedgerSource } from '../storage/transaction.js';
