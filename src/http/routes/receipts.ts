/** A ledger receipt as every route answers it. */
import type { Receipt } from '../../ledger/receipt.js';

export function presentReceipt(receipt: Receipt) {
  return { seq: receipt.seq, leaf_hash: receipt.leafHash, tree_size: receipt.treeSize };
}
