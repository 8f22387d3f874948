/**
 * ledger_append_packed: the same write as ledger_append_batch (migrations/2026-11-29T1000) with the
 * batch's byte strings packed into one bytea per column, which a client can send as one binary
 * parameter instead of an array of escaped hex strings, and the other columns as one jsonb array of
 * rows each. Layout (src/storage/batch-packing.ts):
 *   e_rows    [[kind, unit, subject, camera, ref, canonical length], ...], seq = expected_size + i
 *   e_canonical the canonical bytes, concatenated;  e_leaves the 32-byte leaf hashes, concatenated
 *   s_rows    [[seq, pointer, subject id, ciphertext length], ...];  s_nonces 12 bytes each
 *   n_rows    [[level, idx], ...];  n_hashes 32 bytes each
 * Lengths that do not add up to the bytes refuse the call. ledger_append_batch stays for processes
 * of the previous version during a rolling upgrade. Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION ledger_append_packed(
      lock_key bigint, expected_size bigint, expected_leaf bytea, expected_key text, e_time timestamptz,
      e_rows jsonb, e_canonical bytea, e_leaves bytea,
      s_rows jsonb, s_nonces bytea, s_ciphertexts bytea,
      n_rows jsonb, n_hashes bytea,
      c_tree_size bigint, c_root bytea, c_key_id text, c_note text
    ) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      head_seq bigint;
      head_leaf bytea;
      head_key text;
    BEGIN
      IF octet_length(e_leaves) <> 32 * jsonb_array_length(e_rows)
         OR octet_length(e_canonical) <> (SELECT coalesce(sum((r->>5)::bigint), 0) FROM jsonb_array_elements(e_rows) r)
         OR octet_length(s_nonces) <> 12 * jsonb_array_length(s_rows)
         OR octet_length(s_ciphertexts) <> (SELECT coalesce(sum((r->>3)::bigint), 0) FROM jsonb_array_elements(s_rows) r)
         OR octet_length(n_hashes) <> 32 * jsonb_array_length(n_rows) THEN
        RAISE EXCEPTION 'ledger_append_packed: the rows do not match the packed bytes';
      END IF;
      PERFORM pg_advisory_xact_lock(lock_key);
      SELECT seq, leaf_hash INTO head_seq, head_leaf FROM ledger_entries ORDER BY seq DESC LIMIT 1;
      SELECT key_id INTO head_key FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1;
      IF coalesce(head_seq + 1, 0) <> expected_size
         OR head_leaf IS DISTINCT FROM expected_leaf
         OR head_key IS DISTINCT FROM expected_key THEN
        RETURN false;
      END IF;
      INSERT INTO ledger_entries (seq, time, kind, unit, subject, camera, ref, canonical, leaf_hash)
        SELECT expected_size + e.i - 1, e_time, e.r->>0, e.r->>1, e.r->>2, e.r->>3, e.r->>4,
               substring(e_canonical FROM (e.finish - (e.r->>5)::int + 1)::int FOR (e.r->>5)::int),
               substring(e_leaves FROM (32 * (e.i - 1) + 1)::int FOR 32)
        FROM (SELECT r, i, sum((r->>5)::int) OVER (ORDER BY i) AS finish
              FROM jsonb_array_elements(e_rows) WITH ORDINALITY AS a (r, i)) e
        ORDER BY e.i;
      INSERT INTO sealed_values (seq, pointer, subject_id, nonce, ciphertext)
        SELECT (v.r->>0)::bigint, v.r->>1, v.r->>2,
               substring(s_nonces FROM (12 * (v.i - 1) + 1)::int FOR 12),
               substring(s_ciphertexts FROM (v.finish - (v.r->>3)::int + 1)::int FOR (v.r->>3)::int)
        FROM (SELECT r, i, sum((r->>3)::int) OVER (ORDER BY i) AS finish
              FROM jsonb_array_elements(s_rows) WITH ORDINALITY AS a (r, i)) v
        JOIN data_subjects d ON d.id = v.r->>2 AND d.wrapped_key IS NOT NULL;
      INSERT INTO ledger_nodes (level, idx, hash)
        SELECT (n.r->>0)::smallint, (n.r->>1)::bigint, substring(n_hashes FROM (32 * (n.i - 1) + 1)::int FOR 32)
        FROM jsonb_array_elements(n_rows) WITH ORDINALITY AS n (r, i);
      INSERT INTO ledger_checkpoints (tree_size, root, key_id, note) VALUES (c_tree_size, c_root, c_key_id, c_note);
      RETURN true;
    END
    $$`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT EXECUTE ON FUNCTION ledger_append_packed TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION ledger_append_packed`.execute(db);
}
