/** A ledger appender on a test database, with the key it signs with. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type VerifierKey, verifierKeyFor } from '../../src/ledger/note.js';
import { LedgerAppender, type Receipt } from '../../src/ledger-store/ledger-appender.js';
import type { Database } from '../../src/storage/schema.js';

export const ORIGIN = 'test.footage-warden/ledger';

export interface TestLedger {
  readonly appender: LedgerAppender;
  readonly key: KeyObject;
  readonly verifierKey: VerifierKey;
}

export function testLedger(db: Kysely<Database>, key: KeyObject = generateKeyPairSync('ed25519').privateKey): TestLedger {
  return { appender: new LedgerAppender({ db, origin: ORIGIN, signingKey: key }), key, verifierKey: verifierKeyFor(ORIGIN, key) };
}

export function appendEvents(appender: LedgerAppender, count: number, prefix = 'cam'): Promise<Receipt[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      appender.append({
        draft: {
          kind: 'playback.started',
          actor: { unit: 'district-7', subject: `operator-${i % 5}` },
          payload: { camera_id: `${prefix}-${i % 7}`, session_id: `s-${i}` },
        },
      }),
    ),
  );
}
