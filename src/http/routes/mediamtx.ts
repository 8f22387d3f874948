/**
 * POST /v1/integrations/mediamtx/auth, MediaMTX's HTTP authentication (authHTTPAddress): MediaMTX
 * posts what a client asks for — `action` (read, playback, publish, api, metrics, pprof), `path`,
 * the credentials it was given (`token`, or `user`/`password`, or `token`/`jwt` in `query`) — and
 * serves the client only on a 2xx. read is decided as a live view and playback as a playback of the
 * query's window; the other actions are refused unless the gate profile allows them. The path and
 * query are read as strictly as nginx's URIs: an ambiguous one is refused and recorded.
 */
import type { FastifyInstance } from 'fastify';
import { playbackWindow } from '../../gate/mediamtx-query.js';
import { matchPath } from '../../gate/path-templates.js';
import { isPlaybackToken } from '../../gate/playback-tokens.js';
import { type ReadUri, readStreamPath, readStreamQuery, type UriProblem } from '../../gate/request-uri.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { invalidField, ProblemError } from '../problem.js';
import { sendGateAnswer } from './gate-answers.js';

interface MediamtxAuthRequest {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly ip?: string;
  readonly action: 'read' | 'playback' | 'publish' | 'api' | 'metrics' | 'pprof';
  readonly path?: string;
  readonly protocol?: string;
  readonly id?: string | null;
  readonly query?: string;
}

const SHORT = { type: 'string', maxLength: 256 } as const;

const BODY = {
  type: 'object',
  required: ['action'],
  properties: {
    user: SHORT,
    password: { type: 'string', maxLength: 8192 },
    token: { type: 'string', maxLength: 8192 },
    ip: SHORT,
    action: { enum: ['read', 'playback', 'publish', 'api', 'metrics', 'pprof'] },
    path: { type: 'string', maxLength: 1024 },
    protocol: SHORT,
    id: { type: ['string', 'null'], maxLength: 256 },
    query: { type: 'string', maxLength: 8192 },
  },
} as const;

/** The stream path and query, each read strictly (gate/request-uri.ts). */
function readStream(path: string, query: string): ReadUri {
  const read = readStreamPath(path);
  if (!read.ok) return read;
  const parameters = readStreamQuery(query);
  return 'problem' in parameters
    ? { ok: false, problem: parameters.problem as UriProblem }
    : { ...read, query: parameters as ReadonlyMap<string, string> };
}

/** The credential a client gave MediaMTX: a bearer token, a password holding one, or the query's. */
function credential(body: MediamtxAuthRequest, query: ReadonlyMap<string, string>): string | undefined {
  for (const candidate of [body.token, body.password, query.get('token'), query.get('jwt')]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
  }
  return undefined;
}

export async function mediamtxRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  const settings = context.gate.profile.mediamtx;
  app.post<{ Body: MediamtxAuthRequest }>(
    '/v1/integrations/mediamtx/auth',
    { config: { public: true }, schema: { body: BODY } },
    async (request, reply) => {
      const { body } = request;
      const read = readStream(body.path ?? '', body.query ?? '');
      // An ambiguous query is searched for a credential only to name who is refused.
      const query = read.ok ? read.query : new Map(new URLSearchParams(body.query ?? ''));
      const token = credential(body, query);
      if (token === undefined) throw new ProblemError('unauthenticated', 'MediaMTX passed no token for this client');
      // A playback token is admitted by its own claims; anything else must be a user token.
      const presentsPlayback = isPlaybackToken(token);
      const playback = presentsPlayback ? context.gate.tokens.check(token) : undefined;
      if (presentsPlayback && playback === undefined)
        throw new ProblemError('unauthenticated', 'the playback token is not valid');
      const caller =
        playback === undefined ? await app.identify(request, token) : { subject: playback.person, unit: playback.unit };

      if (body.action !== 'read' && body.action !== 'playback') {
        if (playback !== undefined || !settings.allowedActions.has(body.action)) {
          throw new ProblemError('forbidden', `the ${body.action} action is not allowed through this service`);
        }
        request.log.info({ action: body.action, path: body.path, subject: caller.subject }, 'mediamtx action allowed by profile');
        return reply.code(204).send();
      }
      if (!read.ok) {
        const raw = `${body.path ?? ''}?${body.query ?? ''}`;
        return sendGateAnswer(
          reply,
          await context.gate.gatekeeper.refuse(caller, { gateway: 'mediamtx', raw, problem: read.problem }),
        );
      }
      const found = matchPath([settings.camera], read.path);
      if (found === undefined) throw new ProblemError('forbidden', `the path "${body.path ?? ''}" names no camera`);
      let window: { from: string; to: string } | undefined;
      if (body.action === 'playback') {
        const parsed = playbackWindow(read.query);
        if ('error' in parsed) throw invalidField('body', '/query', `${parsed.field}: ${parsed.error}`);
        window = parsed;
      }
      const target = {
        camera: found.camera,
        action: body.action === 'read' ? ('live' as const) : ('playback' as const),
        ...(window === undefined ? {} : { window }),
      };
      if (playback !== undefined) return sendGateAnswer(reply, context.gate.gatekeeper.admitToken(playback, target));
      const live = target.action === 'live';
      const answer = await context.gate.gatekeeper.ask({
        caller,
        ...target,
        purpose: read.query.get('purpose') ?? (live ? settings.livePurpose : settings.playbackPurpose),
        reason: read.query.get('reason') ?? (live ? settings.liveReason : settings.playbackReason) ?? '',
      });
      return sendGateAnswer(reply, answer);
    },
  );
}
