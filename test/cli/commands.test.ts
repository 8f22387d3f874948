import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { UsageError } from '../../src/cli/command.js';
import { keygenCommand } from '../../src/cli/keygen.js';
import { migrateCommand } from '../../src/cli/migrate.js';
import { tokenCommand } from '../../src/cli/token.js';
import { parseVerifierKey } from '../../src/ledger/note.js';
import { isSm2Key } from '../../src/ledger/sm2-signatures.js';
import { capturedIo } from '../helpers/cli-io.js';
import { openTestDatabase } from '../helpers/database.js';
import { startTestService } from '../helpers/service.js';

const io = capturedIo;

t.test('token mints a development token that an authenticated route accepts', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const cli = io({ NODE_ENV: 'test', DATA_DIR: service.dataDir });
  t.equal(await tokenCommand.run(['--sub', 'admin', '--unit', 'dev', '--ttl', '15m'], cli), 0);
  const response = await service.service.app.inject({
    method: 'GET',
    url: '/v1/me',
    headers: { authorization: `Bearer ${cli.out.trim()}` },
  });
  t.equal(response.statusCode, 200);
  t.equal(response.json().subject, 'admin');
});

t.test('token refuses bad arguments and production', async (t) => {
  const cli = io({ NODE_ENV: 'test', DATA_DIR: os.tmpdir() });
  await t.rejects(tokenCommand.run(['--unit', 'dev'], cli), UsageError);
  await t.rejects(tokenCommand.run(['--sub', 'a', '--unit', 'dev', '--ttl', 'forever'], cli), UsageError);
  await t.rejects(tokenCommand.run(['--sub', 'a', '--unit', 'dev', '--bogus'], cli));
  const production = io({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/x',
    LEDGER_SIGNING_KEY_FILE: 'k.pem',
    PERSONAL_DATA_KEY_FILE: 'm.key',
    PLAYBACK_TOKEN_KEY_FILE: 'p.key',
    JWT_PUBLIC_KEY_FILE: 'p.pem',
    JWT_ISSUER: 'i',
    JWT_AUDIENCE: 'a',
  });
  await t.rejects(tokenCommand.run(['--sub', 'a', '--unit', 'dev'], production), /only in development/);
});

t.test('keygen writes an Ed25519 key with mode 0600, prints its verifier key, and never overwrites', async (t) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-keygen-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'ledger.pem');
  const cli = io({});
  t.equal(await keygenCommand.run(['--origin', 'warden.example/ledger', '--out', file], cli), 0);
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.equal(createPrivateKey(await readFile(file, 'utf8')).asymmetricKeyType, 'ed25519');
  const verifier = parseVerifierKey(/verifier key: (\S+)/.exec(cli.err)?.[1] ?? '');
  t.equal(verifier.name, 'warden.example/ledger');
  await t.rejects(keygenCommand.run(['--origin', 'warden.example/ledger', '--out', file], io({})), /refusing to overwrite/);
  await t.rejects(keygenCommand.run(['--origin', 'bad+name'], io({})), UsageError);
  const masterFile = path.join(directory, 'personal-data-key');
  t.equal(await keygenCommand.run(['--personal-data', '--out', masterFile], io({})), 0);
  t.equal(Buffer.from((await readFile(masterFile, 'utf8')).trim(), 'base64').length, 32, 'a 32-byte personal-data key');
  t.equal((await stat(masterFile)).mode & 0o777, 0o600);
  const playbackFile = path.join(directory, 'playback-token.pem');
  t.equal(await keygenCommand.run(['--playback', '--out', playbackFile], io({})), 0);
  t.equal(createPrivateKey(await readFile(playbackFile, 'utf8')).asymmetricKeyType, 'ed25519', 'an Ed25519 playback key');
  await t.rejects(keygenCommand.run(['--playback', '--personal-data'], io({})), /name one/);
});

t.test(
  'keygen --suite shangmi (or CRYPTO_SUITE) writes an SM2 ledger key and prints its 0xff "sm2-sm3" verifier key',
  async (t) => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-keygen-sm2-'));
    t.teardown(() => rm(directory, { recursive: true, force: true }));
    const file = path.join(directory, 'ledger-sm2.pem');
    const cli = io({});
    t.equal(await keygenCommand.run(['--origin', 'warden.example/ledger', '--suite', 'shangmi', '--out', file], cli), 0);
    t.ok(isSm2Key(createPrivateKey(await readFile(file, 'utf8'))), 'an SM2 key');
    const verifier = parseVerifierKey(/verifier key: (\S+)/.exec(cli.err)?.[1] ?? '');
    t.equal(verifier.algorithm, 'sm2-sm3');
    const fromEnv = io({ CRYPTO_SUITE: 'shangmi' });
    t.equal(await keygenCommand.run(['--origin', 'warden.example/ledger'], fromEnv), 0);
    t.ok(isSm2Key(createPrivateKey(fromEnv.out)), 'the suite from CRYPTO_SUITE');
    const master = io({});
    t.equal(await keygenCommand.run(['--personal-data', '--suite', 'shangmi'], master), 0);
    t.equal(Buffer.from(master.out.trim(), 'base64').length, 32);
    t.match(master.err, /SM4-CTR with HMAC-SM3/);
    await t.rejects(keygenCommand.run(['--origin', 'w', '--suite', 'sm9'], io({})), /--suite is c2sp or shangmi/);
  },
);

t.test('migrate applies pending migrations once', async (t) => {
  const database = await openTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-migrate-'));
  t.teardown(async () => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir, ...(database.url === undefined ? {} : { DATABASE_URL: database.url }) };
  const first = io(env);
  t.equal(await migrateCommand.run([], first), 0);
  t.match(first.out, database.url === undefined ? /^applied: 2026-/ : /^no pending migrations/);
  const second = io(env);
  t.equal(await migrateCommand.run([], second), 0);
  t.equal(second.out, 'no pending migrations\n');
  await t.rejects(migrateCommand.run(['extra'], io(env)), UsageError);
});
