/**
 * GET /v1/gate, for nginx's auth_request: the original request's raw URI (X-Original-URI, nginx's
 * `$request_uri`) is read strictly and must decode to the path nginx serves (X-Served-URI, its
 * `$uri`); an ambiguous URI is refused and recorded (gate/request-uri.ts). The decoded path is
 * matched against the gate profile's path templates to find the camera, action and window; the
 * person is the bearer of the Authorization header, or of a playback token there or in the URI's
 * `token` query parameter (only playback tokens are taken from a URI: user tokens would end up in
 * access logs). Answers 204, 401 or 403 (gate-answers.ts) — the only statuses auth_request
 * understands.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { matchPath } from '../../gate/path-templates.js';
import { isPlaybackToken, type PlaybackGrant } from '../../gate/playback-tokens.js';
import { readRequestUri } from '../../gate/request-uri.js';
import type { Caller } from '../../rules/caller.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';
import { sendGateAnswer } from './gate-answers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD']);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

function unauthenticated(detail: string): ProblemError {
  return new ProblemError('unauthenticated', detail);
}

export async function gateRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.get(
    '/v1/gate',
    {
      config: { public: true },
      schema: {
        headers: {
          type: 'object',
          required: ['x-original-uri', 'x-served-uri'],
          properties: {
            'x-original-uri': { type: 'string', minLength: 1, maxLength: 4096, pattern: '^/' },
            'x-served-uri': { type: 'string', minLength: 1, maxLength: 4096 },
            'x-original-method': { type: 'string', maxLength: 16 },
            'x-access-purpose': { type: 'string', maxLength: 64 },
            'x-access-reason': { type: 'string', maxLength: 1000 },
            'x-access-grant': { type: 'string', maxLength: 64 },
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('www-authenticate', 'Bearer');
      const raw = request.headers['x-original-uri'] as string;
      const method = (header(request, 'x-original-method') ?? 'GET').toUpperCase();
      if (!SAFE_METHODS.has(method)) throw new ProblemError('forbidden', `footage is only served to GET and HEAD, not ${method}`);
      const read = readRequestUri(raw, request.headers['x-served-uri'] as string);
      // An ambiguous URI's query is not trusted for anything but finding a playback token to
      // name who is refused; the refusal itself does not depend on it.
      const query = read.ok ? read.query : new Map(new URLSearchParams(raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : ''));

      const presented = bearer(request);
      const queryToken = query.get('token');
      const playbackToken = presented !== undefined && isPlaybackToken(presented) ? presented : queryToken;
      let grant: PlaybackGrant | undefined;
      let caller: Caller;
      if (playbackToken !== undefined && (presented === undefined || playbackToken === presented)) {
        grant = context.gate.tokens.check(playbackToken);
        if (grant === undefined) throw unauthenticated('the playback token is not valid');
        caller = { subject: grant.person, unit: grant.unit };
      } else {
        if (presented === undefined) throw unauthenticated('a bearer token or a playback token is required');
        caller = await app.identify(request);
      }
      if (!read.ok) {
        return sendGateAnswer(
          reply,
          await context.gate.gatekeeper.refuse(caller, { gateway: 'nginx', raw, problem: read.problem }),
        );
      }
      const target = matchPath(context.gate.profile.paths, read.path);
      if (target === undefined) throw new ProblemError('forbidden', 'the URI matches no gate path');
      const { gatekeeper } = context.gate;
      if (grant !== undefined) {
        return sendGateAnswer(reply, await gatekeeper.requireTransfer(gatekeeper.admitToken(grant, target), caller, target, raw));
      }
      const grantId = header(request, 'x-access-grant') ?? query.get('grant');
      if (grantId !== undefined && !UUID.test(grantId)) throw new ProblemError('forbidden', 'the grant is not a grant id');
      const answer = await gatekeeper.ask({
        caller,
        camera: target.camera,
        action: target.action,
        ...(target.window === undefined ? {} : { window: target.window }),
        purpose: header(request, 'x-access-purpose') ?? query.get('purpose') ?? target.template.purpose,
        reason: header(request, 'x-access-reason') ?? query.get('reason') ?? target.template.reason ?? '',
        ...(grantId === undefined ? {} : { grantId }),
        uri: raw,
      });
      return sendGateAnswer(reply, answer);
    },
  );
}
