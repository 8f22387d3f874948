/** A ledger entry as the API shows it, with its personal values opened for callers permitted to read them. */
import type { FastifyRequest } from 'fastify';
import { decodeEntry } from '../../ledger/entry.js';
import { checkOpening } from '../../ledger/sealing.js';
import type { TreeHash } from '../../ledger/tree-hash.js';
import type { EntryRow, SubjectOpening } from '../../queries/ledger.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';

export function presentEntry(
  row: Pick<EntryRow, 'seq' | 'canonical' | 'leafHash'>,
  opened?: readonly SubjectOpening[],
  hasher?: TreeHash,
) {
  const entry = decodeEntry(row.canonical);
  return {
    seq: row.seq,
    entry,
    canonical: row.canonical.toString('base64'),
    leaf_hash: row.leafHash.toString('hex'),
    ...(opened === undefined
      ? {}
      : {
          // Only values that open their commitment are shown; an erased subject's values are gone.
          opened: opened
            .filter((value) => checkOpening(entry, value, hasher))
            .map((value) => ({ pointer: value.pointer, value: value.value, subject_id: value.subjectId })),
        }),
  };
}

/** Opened personal values of the entries, when asked for (`open`) and permitted (personal_data:read). */
export async function openingsFor(
  request: FastifyRequest,
  source: Pick<ServiceContext, 'db' | 'vault'>,
  open: boolean,
  rows: readonly Pick<EntryRow, 'seq'>[],
): Promise<Map<number, SubjectOpening[]> | undefined> {
  if (!open) return undefined;
  const { subject, unit } = request.caller;
  if (!(await request.server.policy.isAllowed(subject, unit, 'personal_data', 'read'))) {
    throw new ProblemError('forbidden', 'open: reading personal data needs personal_data:read');
  }
  return source.vault.read(
    source.db,
    rows.map((row) => row.seq),
  );
}
