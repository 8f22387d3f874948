import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import {
  admitSession,
  entrySessionId,
  recordSessionStarted,
  recordSessionStopped,
  recordStreamUnwatched,
} from '../../src/workflows/playback-sessions.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

t.test('a session is started once and stopped once under the decision that admitted it', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { context } = service.service;
  const decisionId = '0b7c2f6e-7d1a-4c51-9d43-1c1f0f0f0f01';
  const session = {
    gateway: 'zlmediakit' as const,
    sessionId: 'zlm-1:42',
    decisionId,
    cameraId: 'cam-square-north',
    subject: 'op-wang',
    unitId: 'riverside-psb',
    stream: 'zlm-1|__defaultVhost__/live/cam-square-north',
  };
  await admitSession(context, session);
  const reporter = { subject: 'zlmediakit:zlm-1', unit: 'riverside-psb' };
  const count = await service.entryCount();
  t.ok(await recordSessionStarted(context, { gateway: 'zlmediakit', sessionId: 'zlm-1:42', reporter }));
  t.equal(await recordSessionStarted(context, { gateway: 'zlmediakit', sessionId: 'zlm-1:42', reporter }), undefined, 'once');
  await admitSession(context, { ...session, decisionId: '0b7c2f6e-7d1a-4c51-9d43-1c1f0f0f0f02' }, { ifUnknown: true });
  t.ok(await recordSessionStopped(context, { gateway: 'zlmediakit', sessionId: 'zlm-1:42', reporter, bytesServed: 10 }));
  t.equal(await service.entryCount(), count + 2);
  t.equal(
    await recordSessionStopped(context, { gateway: 'zlmediakit', sessionId: 'zlm-1:42', reporter }),
    undefined,
    'a stop naming no camera, for a session already closed, records nothing',
  );

  await admitSession(context, { ...session, sessionId: 'zlm-1:43' });
  await admitSession(context, { ...session, sessionId: 'zlm-1:44' });
  t.equal(await recordStreamUnwatched(context, 'zlmediakit', session.stream), 2, 'an unwatched stream stops its open sessions');
  t.equal(await recordStreamUnwatched(context, 'zlmediakit', session.stream), 0);
  t.match(entrySessionId('mediamtx', 'a b'), /^mediamtx:sha256:[0-9a-f]{64}$/, 'an id that cannot be an entry id is hashed');
  t.equal(entrySessionId('mediamtx', 'ok-1'), 'mediamtx:ok-1');
});
