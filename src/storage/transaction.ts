/** One database transaction, traced as one span. */
import type { Kysely, Transaction } from 'kysely';
import { withSpan } from '../observability/tracing.js';
import type { Database } from './schema.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export function transact<T>(db: Kysely<Database>, name: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return withSpan(`db.transaction ${name}`, { 'db.system': 'postgresql', 'db.operation': name }, () =>
    db.transaction().execute(work),
  );
}
