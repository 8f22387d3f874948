/**
 * ledger_append_batch: a batch encoded in advance against a predicted head, written in one
 * statement (one round trip, its own transaction). Under the ledger's advisory lock it compares the
 * stored head — size, last leaf hash, signing key of the latest checkpoint — with the prediction and
 * writes nothing and returns false on any difference; otherwise it inserts the entries, the sealed
 * values of subjects not erased, the tree nodes and the checkpoint, and returns true. A VOLATILE
 * plpgsql function takes a new snapshot for each statement, so the head is read after the lock is
 * held. Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION ledger_append_batch(
      lock_key bigint, expected_size bigint, expected_leaf bytea, expected_key text,
      e_seq bigint[], e_time timestamptz[], e_kind text[], e_unit text[], e_subject text[], e_camera text[],
      e_ref text[], e_canonical bytea[], e_leaf bytea[],
      s_seq bigint[], s_pointer text[], s_subject text[], s_nonce bytea[], s_ciphertext bytea[],
      n_level smallint[], n_idx bigint[], n_hash bytea[],
      c_tree_size bigint, c_root bytea, c_key_id text, c_note text
    ) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      head_seq bigint;
      head_leaf bytea;
      head_key text;
    BEGIN
      PERFORM pg_advisory_xact_lock(lock_key);
      SELECT seq, leaf_hash INTO head_seq, head_leaf FROM ledger_entries ORDER BY seq DESC LIMIT 1;
      SELECT key_id INTO head_key FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1;
      IF coalesce(head_seq + 1, 0) <> expected_size
         OR head_leaf IS DISTINCT FROM expected_leaf
         OR head_key IS DISTINCT FROM expected_key THEN
        RETURN false;
      END IF;
      INSERT INTO ledger_entries (seq, time, kind, unit, subject, camera, ref, canonical, leaf_hash)
        SELECT * FROM unnest(e_seq, e_time, e_kind, e_unit, e_subject, e_camera, e_ref, e_canonical, e_leaf);
      INSERT INTO sealed_values (seq, pointer, subject_id, nonce, ciphertext)
        SELECT v.seq, v.pointer, v.subject_id, v.nonce, v.ciphertext
        FROM unnest(s_seq, s_pointer, s_subject, s_nonce, s_ciphertext) AS v (seq, pointer, subject_id, nonce, ciphertext)
        JOIN data_subjects d ON d.id = v.subject_id AND d.wrapped_key IS NOT NULL;
      INSERT INTO ledger_nodes (level, idx, hash) SELECT * FROM unnest(n_level, n_idx, n_hash);
      INSERT INTO ledger_checkpoints (tree_size, root, key_id, note) VALUES (c_tree_size, c_root, c_key_id, c_note);
      RETURN true;
    END
    $$`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT EXECUTE ON FUNCTION ledger_append_batch TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION ledger_append_batch`.execute(db);
}
