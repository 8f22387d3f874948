/**
 * The personal-data vault: a 32-byte data key per data subject, wrapped by the master key, and each
 * sealed value's opening ({salt, value}) encrypted under its subject's key, bound by associated
 * data to its entry, field and subject. The `c2sp` suite encrypts with AES-256-GCM, keys search
 * tokens with HKDF/HMAC-SHA-256; the `shangmi` suite with SM4-CTR and HMAC-SM3 (sm4-aead.ts) and
 * HKDF/HMAC-SM3. Both use 12-byte nonces. Destroying a subject's wrapped key (erasure) makes every
 * value of theirs unreadable; the ledger itself is untouched.
 */

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { pooledRandomBytes } from '../ledger/random.js';
import type { SubjectOpening } from '../ledger/sealing.js';
import { Sm4AeadError, sm4Open, sm4Seal } from '../ledger/sm4-aead.js';
import type { SuiteName } from '../ledger/tree-hash.js';
import { DomainError } from '../rules/domain-error.js';

export type { SubjectOpening } from '../ledger/sealing.js';

import type { Executor } from '../storage/transaction.js';

const NONCE = 12;
const TAG = 16;

export class VaultError extends DomainError<'personal-data-not-held' | 'sealed-value-unreadable'> {}

interface Aead {
  seal(key: Buffer, plaintext: Buffer, aad: string): { nonce: Buffer; ciphertext: Buffer };
  open(key: Buffer, nonce: Buffer, ciphertext: Buffer, aad: string): Buffer;
  /** The hash of search tokens' HKDF and HMAC. */
  readonly hash: 'sha256' | 'sm3';
}

const AES_256_GCM: Aead = { seal, open, hash: 'sha256' };

const SM4_CTR_HMAC_SM3: Aead = {
  seal(key, plaintext, aad) {
    const { nonce, sealed } = sm4Seal(key, plaintext, Buffer.from(aad, 'utf8'), pooledRandomBytes(NONCE));
    return { nonce, ciphertext: sealed };
  },
  open(key, nonce, ciphertext, aad) {
    try {
      return sm4Open(key, nonce, ciphertext, Buffer.from(aad, 'utf8'));
    } catch (error) {
      if (error instanceof Sm4AeadError) {
        throw new VaultError('sealed-value-unreadable', 'a sealed value does not decrypt: wrong key or altered');
      }
      throw error;
    }
  },
  hash: 'sm3',
};

function seal(key: Buffer, plaintext: Buffer, aad: string): { nonce: Buffer; ciphertext: Buffer } {
  const nonce = pooledRandomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { nonce, ciphertext };
}

function open(key: Buffer, nonce: Buffer, ciphertext: Buffer, aad: string): Buffer {
  if (ciphertext.length < TAG) throw new VaultError('sealed-value-unreadable', 'ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG));
  try {
    return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG)), decipher.final()]);
  } catch {
    throw new VaultError('sealed-value-unreadable', 'a sealed value does not decrypt: wrong key or altered');
  }
}

function secretAad(purpose: string, id: string): string {
  return `footage-warden/secret/v1\n${purpose}\n${id}`;
}

function wrapAad(subjectId: string): string {
  return `footage-warden/data-key/v1\n${subjectId}`;
}

function valueAad(seq: number, pointer: string, subjectId: string): string {
  return `footage-warden/sealed-value/v1\n${seq}\n${pointer}\n${subjectId}`;
}

/** The openings of one entry. */
export interface SealedItem {
  readonly seq: number;
  readonly openings: readonly SubjectOpening[];
}

/** A `sealed_values` row. */
export interface SealedRow {
  readonly seq: number;
  readonly pointer: string;
  readonly subject_id: string;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
}

export function subjectsOf(items: readonly SealedItem[]): string[] {
  return items.flatMap((item) => item.openings.map((opening) => opening.subjectId));
}

/** Unwrapped data keys kept in memory, at most this many. */
const KEY_CACHE_LIMIT = 10_000;

/**
 * Data keys are cached once unwrapped. A cached key outliving its subject's erasure can neither
 * open anything (erasure deletes the ciphertexts with the wrapped key) nor store anything (sealed
 * values are inserted only for subjects whose wrapped key still exists, checked in the inserting
 * statement); erasure in this process also drops it from the cache.
 */
export class Vault {
  private readonly keyCache = new Map<string, Buffer>();
  private searchKey: Buffer | undefined;

  private readonly aead: Aead;

  constructor(
    private readonly masterKey: Buffer,
    suite: SuiteName = 'c2sp',
  ) {
    if (masterKey.length !== 32) throw new RangeError('the master key must be 32 bytes');
    this.aead = suite === 'shangmi' ? SM4_CTR_HMAC_SM3 : AES_256_GCM;
  }

  /**
   * A keyed hash of a personal value that must be searchable by exact match (a case number): equal
   * values give equal tokens, and without the master key a token reveals nothing of its value.
   */
  searchToken(purpose: string, value: string): string {
    const { hash } = this.aead;
    this.searchKey ??= Buffer.from(hkdfSync(hash, this.masterKey, Buffer.alloc(0), 'footage-warden/search-token/v1', 32));
    return createHmac(hash, this.searchKey).update(`${purpose}\n${value}`, 'utf8').digest('hex');
  }

  /**
   * Seals a secret the service keeps for itself (a webhook's signing key) under the master key,
   * bound to `purpose` and `id`: whoever reads the database cannot use it.
   */
  sealSecret(purpose: string, id: string, secret: string): string {
    const { nonce, ciphertext } = this.aead.seal(this.masterKey, Buffer.from(secret, 'utf8'), secretAad(purpose, id));
    return `v1:${Buffer.concat([nonce, ciphertext]).toString('base64')}`;
  }

  /** Opens what `sealSecret` sealed for the same `purpose` and `id`; throws VaultError otherwise. */
  openSecret(purpose: string, id: string, sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new VaultError('sealed-value-unreadable', 'not a sealed secret');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    return this.aead
      .open(this.masterKey, bytes.subarray(0, NONCE), bytes.subarray(NONCE), secretAad(purpose, id))
      .toString('utf8');
  }

  private unwrap(subjectId: string, wrapped: Buffer): Buffer {
    return this.aead.open(this.masterKey, wrapped.subarray(0, NONCE), wrapped.subarray(NONCE), wrapAad(subjectId));
  }

  /**
   * The data keys of the subjects, created for those who have none; null for an erased subject.
   * Creating a key outside the entry's transaction is harmless: a key that seals nothing opens nothing.
   */
  async dataKeys(db: Executor, subjectIds: readonly string[]): Promise<Map<string, Buffer | null>> {
    const keys = new Map<string, Buffer | null>();
    const wanted: string[] = [];
    for (const id of new Set(subjectIds)) {
      const cached = this.keyCache.get(id);
      if (cached === undefined) wanted.push(id);
      else keys.set(id, cached);
    }
    if (wanted.length === 0) return keys;
    const load = async () => {
      const rows = await db.selectFrom('data_subjects').select(['id', 'wrapped_key']).where('id', 'in', wanted).execute();
      for (const row of rows) {
        const key = row.wrapped_key === null ? null : this.unwrap(row.id, row.wrapped_key);
        keys.set(row.id, key);
        if (key !== null) this.remember(row.id, key);
      }
    };
    await load();
    const missing = wanted.filter((id) => !keys.has(id));
    if (missing.length > 0) {
      await db
        .insertInto('data_subjects')
        .values(
          missing.map((id) => {
            const wrapped = this.aead.seal(this.masterKey, randomBytes(32), wrapAad(id));
            return { id, wrapped_key: Buffer.concat([wrapped.nonce, wrapped.ciphertext]) };
          }),
        )
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      await load();
    }
    return keys;
  }

  /** Encrypts the openings of entries under their subjects' keys; an erased subject's are left out. */
  sealRows(keys: ReadonlyMap<string, Buffer | null>, items: readonly SealedItem[]): SealedRow[] {
    const rows: SealedRow[] = [];
    for (const { seq, openings } of items) {
      for (const opening of openings) {
        const key = keys.get(opening.subjectId);
        if (key === undefined || key === null) continue;
        const plaintext = Buffer.from(JSON.stringify({ salt: opening.salt.toString('hex'), value: opening.value }), 'utf8');
        const { nonce, ciphertext } = this.aead.seal(key, plaintext, valueAad(seq, opening.pointer, opening.subjectId));
        rows.push({ seq, pointer: opening.pointer, subject_id: opening.subjectId, nonce, ciphertext });
      }
    }
    return rows;
  }

  /**
   * Stores the openings of a batch of entries inside the batch's transaction. An erased subject gets
   * nothing stored: their value exists only as its commitment.
   */
  async storeBatch(trx: Executor, items: readonly SealedItem[]): Promise<void> {
    const rows = this.sealRows(await this.dataKeys(trx, subjectsOf(items)), items);
    if (rows.length === 0) return;
    await sql`
      INSERT INTO sealed_values (seq, pointer, subject_id, nonce, ciphertext)
      SELECT v.seq, v.pointer, v.subject_id, v.nonce, v.ciphertext
      FROM unnest(${rows.map((row) => row.seq)}::bigint[], ${rows.map((row) => row.pointer)}::text[],
        ${rows.map((row) => row.subject_id)}::text[], ${rows.map((row) => row.nonce)}::bytea[],
        ${rows.map((row) => row.ciphertext)}::bytea[]) AS v (seq, pointer, subject_id, nonce, ciphertext)
      JOIN data_subjects d ON d.id = v.subject_id AND d.wrapped_key IS NOT NULL`.execute(trx);
  }

  private remember(subjectId: string, key: Buffer): void {
    if (this.keyCache.size >= KEY_CACHE_LIMIT) this.keyCache.clear();
    this.keyCache.set(subjectId, key);
  }

  /** The opened values of the given entries; an erased subject's values are gone and not listed. */
  async read(db: Executor, seqs: readonly number[]): Promise<Map<number, SubjectOpening[]>> {
    const opened = new Map<number, SubjectOpening[]>();
    if (seqs.length === 0) return opened;
    const rows = await db
      .selectFrom('sealed_values as v')
      .innerJoin('data_subjects as s', 's.id', 'v.subject_id')
      .select(['v.seq', 'v.pointer', 'v.subject_id', 'v.nonce', 'v.ciphertext', 's.wrapped_key'])
      .where('v.seq', 'in', [...seqs])
      .orderBy('v.seq')
      .orderBy('v.pointer')
      .execute();
    const keys = new Map<string, Buffer>();
    for (const row of rows) {
      if (row.wrapped_key === null) continue;
      const list = opened.get(row.seq) ?? [];
      opened.set(row.seq, list);
      let key = keys.get(row.subject_id);
      if (key === undefined) {
        key = this.unwrap(row.subject_id, row.wrapped_key);
        keys.set(row.subject_id, key);
      }
      const plain = JSON.parse(
        this.aead.open(key, row.nonce, row.ciphertext, valueAad(row.seq, row.pointer, row.subject_id)).toString('utf8'),
      ) as {
        salt: string;
        value: unknown;
      };
      list.push({ pointer: row.pointer, value: plain.value, salt: Buffer.from(plain.salt, 'hex'), subjectId: row.subject_id });
    }
    return opened;
  }

  /** The units (entries' actor units; null for the service itself) that recorded a value of the subject. */
  async unitsRecording(db: Executor, subjectId: string): Promise<(string | null)[]> {
    const rows = await db
      .selectFrom('sealed_values as v')
      .innerJoin('ledger_entries as e', 'e.seq', 'v.seq')
      .select('e.unit')
      .distinct()
      .where('v.subject_id', '=', subjectId)
      .execute();
    return rows.map((row) => row.unit);
  }

  /**
   * Erases a subject inside the transaction that records the erasure: the wrapped key and every
   * ciphertext of theirs are destroyed. Returns how many sealed values became unreadable.
   */
  async erase(trx: Executor, subjectId: string, seq: number): Promise<number> {
    const updated = await trx
      .updateTable('data_subjects')
      .set({ wrapped_key: null, erased_at: new Date().toISOString(), erased_seq: seq })
      .where('id', '=', subjectId)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0)
      throw new VaultError('personal-data-not-held', `no personal data is held for ${subjectId}`);
    this.keyCache.delete(subjectId);
    const deleted = await trx.deleteFrom('sealed_values').where('subject_id', '=', subjectId).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }
}
