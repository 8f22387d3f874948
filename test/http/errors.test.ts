import t from 'tap';
import { startTestService } from '../helpers/service.js';

t.test('errors are problem+json: unknown routes, bad bodies, oversized and non-JSON bodies', async (t) => {
  const service = await startTestService({ BODY_LIMIT_BYTES: '2048' });
  t.teardown(() => service.close());
  const { app } = service.service;
  // A route with a body schema, registered for this test only.
  app.post(
    '/v1/test-echo',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['camera_id', 'window'],
          properties: {
            camera_id: { type: 'string', minLength: 1 },
            window: {
              type: 'object',
              required: ['from'],
              properties: { from: { type: 'string', format: 'date-time' } },
            },
          },
        },
      },
    },
    async (request) => request.body,
  );
  app.get('/v1/test-crash', async () => {
    throw new Error('secret internals: password=hunter2');
  });
  const authorization = `Bearer ${await service.token('admin', 'dev')}`;
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/v1/test-echo', headers: { authorization, 'content-type': contentType }, payload });

  const notFound = await app.inject({ method: 'GET', url: '/v1/nowhere' });
  t.equal(notFound.statusCode, 404);
  t.match(notFound.headers['content-type'], /^application\/problem\+json/);
  t.match(notFound.json(), { type: 'urn:footage-warden:problem:not-found', status: 404, code: 'not-found', title: String });
  t.match(notFound.json().instance, /^urn:footage-warden:request:[0-9a-f-]{36}$/);
  t.equal(notFound.json().instance.split(':').pop(), notFound.headers['x-request-id'], 'instance names the request id');

  const missing = await post(JSON.stringify({ camera_id: 'c1', window: {} }));
  t.equal(missing.statusCode, 400);
  t.same(missing.json().errors, [{ location: 'body', path: '/window/from', message: "must have required property 'from'" }]);

  const wrongType = await post(JSON.stringify({ camera_id: 5, window: { from: '2026-01-01T00:00:00Z' } }));
  t.equal(wrongType.statusCode, 400);
  t.equal(wrongType.json().errors[0].path, '/camera_id');

  const unknownField = await post(JSON.stringify({ camera_id: 'c', window: { from: '2026-01-01T00:00:00Z' }, admin: true }));
  t.equal(unknownField.statusCode, 400);
  t.same(unknownField.json().errors[0], { location: 'body', path: '/admin', message: 'is not a known field' });

  const badDate = await post(JSON.stringify({ camera_id: 'c', window: { from: 'yesterday' } }));
  t.equal(badDate.statusCode, 400);
  t.equal(badDate.json().errors[0].path, '/window/from');

  const malformed = await post('{"camera_id": ');
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().code, 'invalid-request');

  const tooLarge = await post(JSON.stringify({ camera_id: 'x'.repeat(4096), window: { from: '2026-01-01T00:00:00Z' } }));
  t.equal(tooLarge.statusCode, 413);
  t.equal(tooLarge.json().code, 'payload-too-large');

  const notJson = await post('camera_id=c', 'text/plain');
  t.equal(notJson.statusCode, 415);
  t.equal(notJson.json().code, 'unsupported-media-type');

  const crash = await app.inject({ method: 'GET', url: '/v1/test-crash', headers: { authorization } });
  t.equal(crash.statusCode, 500);
  t.equal(crash.json().detail, 'an internal error occurred');
  t.notOk(crash.body.includes('hunter2'), 'a 5xx never carries internals');
});
