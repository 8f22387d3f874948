/**
 * Checkpoints as the log serves them: the signed note followed by the witnesses' `cosignature/v1`
 * lines stored for its size (C2SP tlog-cosignature), and whether they reach the quorum.
 */
import { cosignaturesOf, witnessedSize } from '../ledger-store/cosignature-repository.js';
import { type CheckpointRow, checkpointCovering, checkpointOfSize, latestCheckpoint } from '../ledger-store/ledger-repository.js';
import type { ServiceContext } from './service-context.js';

export interface CosignedCheckpoint {
  readonly treeSize: number;
  /** The log's note with the cosignature lines appended. */
  readonly note: string;
  readonly witnessed: boolean;
}

type Context = Pick<ServiceContext, 'db' | 'ledger'>;

async function cosigned(context: Context, row: CheckpointRow): Promise<CosignedCheckpoint> {
  const { witnessing } = context.ledger;
  const lines = await cosignaturesOf(context.db, row.treeSize, witnessing.names);
  return {
    treeSize: row.treeSize,
    note: row.note + lines.join(''),
    witnessed: witnessing.configured && lines.length >= witnessing.quorum,
  };
}

/** The checkpoint of `size`, the latest, or (`witnessedOnly`) the latest that reached the quorum. */
export async function checkpointFor(
  context: Context,
  size: number | undefined,
  witnessedOnly: boolean,
): Promise<CosignedCheckpoint | undefined> {
  const { witnessing } = context.ledger;
  let row: CheckpointRow | undefined;
  if (size !== undefined) row = await checkpointOfSize(context.db, size);
  else if (!witnessedOnly) row = await latestCheckpoint(context.db);
  else {
    const witnessed = await witnessedSize(context.db, witnessing.names, witnessing.quorum);
    row = witnessed === undefined ? undefined : await checkpointOfSize(context.db, witnessed);
  }
  return row === undefined ? undefined : cosigned(context, row);
}

/**
 * The checkpoint a receipt for entry `seq` is given against: the smallest witnessed one covering it,
 * else the smallest covering one, for which a witness round is asked.
 */
export async function receiptCheckpoint(context: Context, seq: number): Promise<CosignedCheckpoint | undefined> {
  const { witnessing } = context.ledger;
  const witnessed = await witnessedSize(context.db, witnessing.names, witnessing.quorum, seq + 1);
  const row =
    (witnessed === undefined ? undefined : await checkpointOfSize(context.db, witnessed)) ??
    (await checkpointCovering(context.db, seq + 1));
  if (row === undefined) return undefined;
  const checkpoint = await cosigned(context, row);
  if (!checkpoint.witnessed) witnessing.request();
  return checkpoint;
}
