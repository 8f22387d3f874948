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
import { readStreamRequest } from '../../gate/request-uri.js';
import { actsFor } from '../../rules/unit-scope.js';
import { EventScopeError } from '../../workflows/ledger-events.js';
import { admitSession, recordSessionStarted, recordSessionStopped } from '../../workflows/playback-sessions.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { invalidField, ProblemError } from '../problem.js';
import { sendGateAnswer } from './gate-answers.js';
import { presentReceipt } from './receipts.js';

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
      const read = readStreamRequest(body.path ?? '', body.query ?? '');
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
      const live = target.action === 'live';
      const answer =
        playback !== undefined
          ? context.gate.gatekeeper.admitToken(playback, target)
          : await context.gate.gatekeeper.ask({
              caller,
              ...target,
              purpose: read.query.get('purpose') ?? (live ? settings.livePurpose : settings.playbackPurpose),
              reason: read.query.get('reason') ?? (live ? settings.liveReason : settings.playbackReason) ?? '',
            });
      if (answer.outcome === 'allow' && typeof body.id === 'string' && body.id !== '') {
        // The session MediaMTX will report through runOnRead / runOnUnread (POST .../mediamtx/sessions).
        await admitSession(context, {
          gateway: 'mediamtx',
          sessionId: body.id,
          decisionId: answer.decisionId,
          cameraId: target.camera,
          subject: caller.subject,
          unitId: context.access.current.cameras.get(target.camera)?.unit.id ?? caller.unit,
          stream: read.path.slice(1),
        });
      }
      return sendGateAnswer(reply, answer);
    },
  );

  app.post<{ Body: MediamtxSessionReport }>(
    '/v1/integrations/mediamtx/sessions',
    { preHandler: authorize('ledger_event', 'create'), schema: { body: SESSION_REPORT } },
    async (request, reply) => {
      const { body } = request;
      const read = readStreamRequest(body.path, decodeEscapedQuery(body.query));
      if (!read.ok) throw invalidField('body', '/path', `is ambiguous (${read.problem})`);
      const camera = matchPath([settings.camera], read.path)?.camera;
      if (camera === undefined) throw invalidField('body', '/path', 'names no camera');
      const owner = context.access.current.cameras.get(camera)?.unit.id;
      if (owner === undefined || !actsFor(context.access.current, request.caller.unit, owner)) {
        throw new EventScopeError('event-out-of-scope', `is not a camera of a unit that ${request.caller.unit} acts for`, 'path');
      }
      // A reader admitted on a playback token that carried no session id is tied by the token.
      const token = read.query.get('token') ?? read.query.get('jwt');
      const grant = token === undefined ? undefined : context.gate.tokens.check(token);
      if (grant !== undefined && grant.camera === camera) {
        await admitSession(
          context,
          {
            gateway: 'mediamtx',
            sessionId: body.reader_id,
            decisionId: grant.decisionId,
            cameraId: camera,
            subject: grant.person,
            unitId: owner,
            stream: read.path.slice(1),
          },
          { ifUnknown: true },
        );
      }
      const report = {
        gateway: 'mediamtx' as const,
        sessionId: body.reader_id,
        reporter: request.caller,
        cameraId: camera,
        ...(body.bytes_sent === undefined ? {} : { bytesServed: body.bytes_sent }),
      };
      const receipt =
        body.event === 'read' ? await recordSessionStarted(context, report) : await recordSessionStopped(context, report);
      return reply
        .code(receipt === undefined ? 200 : 201)
        .send(receipt === undefined ? { recorded: false } : { recorded: true, receipt: presentReceipt(receipt) });
    },
  );
}

interface MediamtxSessionReport {
  readonly event: 'read' | 'unread';
  readonly path: string;
  readonly reader_id: string;
  readonly reader_type?: string;
  readonly query?: string;
  readonly bytes_sent?: number;
}

const SESSION_REPORT = {
  type: 'object',
  additionalProperties: false,
  required: ['event', 'path', 'reader_id'],
  properties: {
    event: { enum: ['read', 'unread'] },
    path: { type: 'string', minLength: 1, maxLength: 1024 },
    reader_id: { type: 'string', minLength: 1, maxLength: 256 },
    reader_type: SHORT,
    query: { type: 'string', maxLength: 8192 },
    bytes_sent: { type: 'integer', minimum: 0 },
  },
} as const;

/**
 * A reader's query as MediaMTX passes it to its hooks (MTX_QUERY): escaped once more by recent
 * versions (no literal `=` is left), as it is by older ones. Undone here, strictly.
 */
function decodeEscapedQuery(passed: string | undefined): string {
  if (passed === undefined || passed === '' || passed.includes('=')) return passed ?? '';
  try {
    return decodeURIComponent(passed);
  } catch {
    throw invalidField('body', '/query', 'is not a percent-encoded query');
  }
}
