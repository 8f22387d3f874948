import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import {
  cosign,
  cosignedMessage,
  cosignerKeyFor,
  parseCosignerKey,
  splitNote,
  verifyCosignatures,
} from '../../src/ledger/cosignature.js';
import { NoteError, parseVerifierKey } from '../../src/ledger/note.js';

// The checkpoint body of the examples in C2SP tlog-cosignature and tlog-witness.
const BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_TIME = 1679315147;
// An Ed25519 key whose seed is 32 bytes of 0x07, as PKCS#8 DER.
const SEED_KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 7)]),
  format: 'der',
  type: 'pkcs8',
});
// Derived by hand from the specification for that key, name "witness.example/w1" and the example
// time: key ID = SHA-256("witness.example/w1\n" || 0x04 || public key)[:4]; the blob is key ID ||
// big-endian u64 time || Ed25519 over "cosignature/v1\ntime 1679315147\n" || BODY.
const VECTOR_KEY = 'witness.example/w1+aa4a09d1+BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs';
const VECTOR_LINE =
  '\u2014 witness.example/w1 qkoJ0QAAAABkGFDLWr4Jea05CAgwNVtwky0Jgz6WfX0QJgM//FkB/W9BoT9TX0DkTxG+2cT4p/ViKNhUM/SnUwFcYQzugGFQ15LwDw==\n';

t.test('the cosigned message is the header line, the time line and the note body', async (t) => {
  t.equal(
    cosignedMessage(BODY, SPEC_TIME).toString('utf8'),
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  );
});

t.test('a cosignature is byte for byte the vector derived from the specification', async (t) => {
  t.equal(cosignerKeyFor('witness.example/w1', SEED_KEY).text, VECTOR_KEY);
  t.equal(cosign(BODY, 'witness.example/w1', SEED_KEY, SPEC_TIME), VECTOR_LINE);
  const [found] = verifyCosignatures(BODY, [VECTOR_LINE], [parseCosignerKey(VECTOR_KEY)]);
  t.equal(found?.timestamp, SPEC_TIME);
  t.equal(found?.line, VECTOR_LINE);
});

t.test("the specification's example cosignature has the layout key ID, u64 time, 64-byte signature", async (t) => {
  const line =
    '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
  const blob = Buffer.from(line.split(' ')[2] as string, 'base64');
  t.equal(blob.length, 76);
  t.equal(Number(blob.readBigUInt64BE(4)), SPEC_TIME, 'the example time line says 1679315147');
  t.same(verifyCosignatures(BODY, [line], [parseCosignerKey(VECTOR_KEY)]), [], 'a line by an unknown key is ignored');
});

t.test('a cosignature does not verify on another body, by another key, or tampered', async (t) => {
  const key = parseCosignerKey(VECTOR_KEY);
  t.throws(() => verifyCosignatures(BODY.replace('20852163', '20852164'), [VECTOR_LINE], [key]), NoteError);
  const tampered = VECTOR_LINE.replace('qkoJ0QAAAABkGFDL', 'qkoJ0QAAAABkGFDM');
  t.throws(() => verifyCosignatures(BODY, [tampered], [key]), NoteError, 'another time');
  const other = generateKeyPairSync('ed25519').privateKey;
  const forged = Buffer.from(cosign(BODY, 'witness.example/w1', other, SPEC_TIME).trim().split(' ')[2] as string, 'base64');
  key.keyId.copy(forged, 0);
  t.throws(
    () => verifyCosignatures(BODY, [`\u2014 witness.example/w1 ${forged.toString('base64')}`], [key]),
    NoteError,
    'another key',
  );
});

t.test('cosigner keys are type 0x04 and never a checkpoint signing key (type 0x01)', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const cosigner = cosignerKeyFor('w.example', privateKey);
  t.throws(() => parseVerifierKey(cosigner.text), NoteError, 'a cosigner key is not a log key');
  t.equal(parseCosignerKey(cosigner.text).text, cosigner.text);
  t.throws(() => parseCosignerKey(cosigner.text.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), NoteError);
});

t.test('a note splits into its body and its signature lines', async (t) => {
  const { body, lines } = splitNote(`${BODY}\n\u2014 a x\n\u2014 b y\n`);
  t.equal(body, BODY);
  t.same(lines, ['\u2014 a x', '\u2014 b y']);
  t.throws(() => splitNote(BODY), NoteError);
});
