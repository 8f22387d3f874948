/**
 * GET /v1/gate, for nginx's auth_request: the original request's raw URI (X-Original-URI, nginx's
 * `$request_uri`) is read strictly and must decode to the path nginx serves (X-Served-URI, its
 * `$uri`); an ambiguous URI is refused and recorded (gate/request-uri.ts). The decoded path is
 * matched against the gate profile's path templates to find the camera, action and window; the
 * person is the bearer of the Authorization header, or of a playback token there or in the URI's
 * `token` query parameter (only playback tokens are taken from a URI: user tokens would end up in
 * access logs), or of a player's session credential (gate/session-credential.ts: a signed prefix
 * `/s/<token>/`, or the cookie set when a token came in the URI). Answers 204, 401 or 403
 * (gate-answers.ts) — the only statuses auth_request understands.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fixedPrefix, matchPath } from '../../gate/path-templates.js';
import { isPlaybackToken, type PlaybackGrant, type PlaybackTokens } from '../../gate/playback-tokens.js';
import { readRequestUri } from '../../gate/request-uri.js';
import { type SessionPrefix, sessionCookie, sessionCookies, splitSessionPrefix } from '../../gate/session-credential.js';
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

type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'user' }
  | {
      readonly kind: 'playback';
      readonly token: string;
      readonly grant: PlaybackGrant;
      readonly from: 'prefix' | 'header' | 'query' | 'cookie';
    };

/**
 * Who the request presents: the playback token of a signed prefix (which then is the only
 * credential read); else the Authorization header's bearer (a user's or a playback token), which
 * wins over a playback token in the `token` parameter; else that token; else the session cookies,
 * of which the first whose token covers the target is taken (or the first valid one, to be refused).
 */
function presentedCredential(
  request: FastifyRequest,
  prefix: SessionPrefix,
  query: ReadonlyMap<string, string>,
  tokens: PlaybackTokens,
  covers: (grant: PlaybackGrant) => boolean,
): Credential {
  const playback = (token: string, from: 'prefix' | 'header' | 'query' | 'cookie'): Credential => {
    const grant = tokens.check(token);
    return grant === undefined ? { kind: 'invalid' } : { kind: 'playback', token, grant, from };
  };
  if (prefix.kind === 'prefix') return playback(prefix.token, 'prefix');
  const presented = bearer(request);
  const queryToken = query.get('token');
  if (presented !== undefined) {
    // A user's bearer token wins over a token in the URI: only its bearer is identified.
    return isPlaybackToken(presented) ? playback(presented, 'header') : { kind: 'user' };
  }
  if (queryToken !== undefined) return playback(queryToken, 'query');
  const cookies = sessionCookies(header(request, 'cookie'))
    .map((token) => playback(token, 'cookie'))
    .filter((credential) => credential.kind === 'playback');
  const covering = cookies.find((credential) => credential.kind === 'playback' && covers(credential.grant));
  return covering ?? cookies[0] ?? { kind: 'none' };
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
      const prefix = splitSessionPrefix(raw);
      if (prefix.kind === 'malformed') throw unauthenticated('the session prefix carries no playback token');
      const uri = prefix.kind === 'prefix' ? prefix.rest : raw;
      const read = readRequestUri(uri, request.headers['x-served-uri'] as string);
      // An ambiguous URI's query is not trusted for anything but finding a playback token to
      // name who is refused; the refusal itself does not depend on it.
      const query = read.ok ? read.query : new Map(new URLSearchParams(uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : ''));
      const target = read.ok ? matchPath(context.gate.profile.paths, read.path) : undefined;
      const { gatekeeper } = context.gate;
      const credential = presentedCredential(
        request,
        prefix,
        query,
        context.gate.tokens,
        (grant) => target !== undefined && gatekeeper.admitToken(grant, target).outcome === 'allow',
      );
      if (credential.kind === 'none') throw unauthenticated('a bearer token or a playback token is required');
      if (credential.kind === 'invalid') throw unauthenticated('the playback token is not valid');
      const grant = credential.kind === 'playback' ? credential.grant : undefined;
      const caller: Caller = grant === undefined ? await app.identify(request) : { subject: grant.person, unit: grant.unit };
      if (!read.ok) {
        return sendGateAnswer(
          reply,
          // The prefix's token is left out of what is recorded.
          await gatekeeper.refuse(caller, { gateway: 'nginx', raw: uri, problem: read.problem }),
        );
      }
      if (target === undefined) throw new ProblemError('forbidden', 'the URI matches no gate path');
      if (grant !== undefined) {
        const answer = await gatekeeper.requireTransfer(gatekeeper.admitToken(grant, target), caller, target, uri);
        if (answer.outcome === 'allow' && credential.kind === 'playback' && credential.from === 'query') {
          // RFC 6265 §5.1.4 matches a cookie's Path against the raw request path: the raw form is kept.
          const path = fixedPrefix(uri.split('?', 1)[0] as string, target.fixedSegments);
          reply.header('set-cookie', sessionCookie(credential.token, path, grant.expiresAt));
        }
        return sendGateAnswer(reply, answer);
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
        uri,
      });
      return sendGateAnswer(reply, answer);
    },
  );
}
