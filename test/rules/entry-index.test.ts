import t from 'tap';
import { indexedCamera } from '../../src/rules/entry-index.js';
import { entryKinds } from '../../src/rules/entry-kinds.js';

t.test('the camera column comes from the kinds that are about a camera, and from no other', async (t) => {
  const payload = { camera_id: 'cam-1' };
  const aboutCameras = entryKinds().filter((kind) => indexedCamera(kind, payload) === 'cam-1');
  t.same(aboutCameras.sort(), [
    'decision.made',
    'equipment.maintained',
    'footage.deleted',
    'playback.started',
    'playback.stopped',
    'registry.changed',
    'transfer.acknowledged',
    'transfer.registered',
  ]);
  t.equal(indexedCamera('access_request.submitted', payload), null, 'a request names cameras in its scope, not as its subject');
  t.equal(indexedCamera('decision.made', { camera_id: 7 }), null, 'only a text id is a camera');
  t.equal(indexedCamera('equipment.maintained', { system_id: 's' }), null, 'maintenance of a system names no camera');
  t.equal(indexedCamera('not.a.kind', payload), null, 'an unknown kind names none');
});
