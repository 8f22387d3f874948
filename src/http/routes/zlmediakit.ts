/**
 * ZLMediaKit's web hooks (docs/integrations/zlmediakit.md), answered in its shapes: HTTP 200 with
 * `code` 0 to let a player through, any other `code` (here -100, its AuthFailed) to refuse it; a
 * malformed body is a 400 problem, which ZLMediaKit also reads as a refusal.
 *
 * - `on_play`: `app`/`stream` (read strictly, as MediaMTX's paths are) are mapped through the gate
 *   profile's `zlmediakit.streams` to a camera, action and window; the player's credential is the
 *   `token` of its URL parameters (`params`): a playback token, admitted by its claims, or a
 *   user's token, decided as the nginx gate decides. An allowed session is remembered with its
 *   decision and recorded as `playback.started`.
 * - `on_http_access`: the file's path is mapped through `paths`, as nginx's URIs are; the answer's
 *   `err` is empty to allow, its `path` is the directory the allow covers (the camera's and
 *   window's) and `second` how long ZLMediaKit may remember it: never past the decision.
 * - `on_flow_report` (a player's session ended, with its bytes) records `playback.stopped`;
 *   `on_stream_none_reader` records the sessions left open on the stream as stopped and never
 *   asks ZLMediaKit to close the stream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fixedPrefix, matchPath } from '../../gate/path-templates.js';
import { isPlaybackToken, type PlaybackGrant } from '../../gate/playback-tokens.js';
import { readStreamRequest } from '../../gate/request-uri.js';
import type { Caller } from '../../rules/caller.js';
import type { GateAnswer } from '../../workflows/gatekeeper.js';
import {
  admitSession,
  recordSessionStarted,
  recordSessionStopped,
  recordStreamUnwatched,
} from '../../workflows/playback-sessions.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';
import { GATE_HEADERS } from './gate-answers.js';

const TEXT = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const STREAM = {
  app: TEXT(256),
  stream: TEXT(512),
  vhost: TEXT(256),
  schema: TEXT(32),
  params: TEXT(8192),
  mediaServerId: TEXT(128),
  id: TEXT(256),
  ip: TEXT(64),
  port: { type: 'integer', minimum: 0, maximum: 65535 },
} as const;

interface StreamBody {
  readonly app: string;
  readonly stream: string;
  readonly vhost?: string;
  readonly params?: string;
  readonly mediaServerId?: string;
  readonly id?: string;
}

interface FlowReportBody extends StreamBody {
  readonly totalBytes: number;
  readonly duration?: number;
  readonly player: boolean;
}

interface HttpAccessBody {
  readonly path: string;
  readonly is_dir?: boolean;
  readonly params?: string;
  readonly 'header.Authorization'?: string;
}

const AUTH_FAILED = -100;
const DEFAULT_VHOST = '__defaultVhost__';

/** What ZLMediaKit is told: allowed (code 0) or not, with the decision's headers for its logs. */
function answerPlay(reply: FastifyReply, answer: GateAnswer): FastifyReply {
  if (answer.decisionId !== undefined) reply.header(GATE_HEADERS.decisionId, answer.decisionId);
  if (answer.outcome === 'allow') return reply.code(200).send({ code: 0, msg: 'success' });
  reply.header(GATE_HEADERS.denyReasons, answer.reasons.join(','));
  return reply.code(200).send({ code: AUTH_FAILED, msg: `access denied: ${answer.reasons.join(', ')}` });
}

function refusePlay(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(200).send({ code: AUTH_FAILED, msg: message });
}

/** The stream's key among a server's sessions: which server, vhost, app and stream. */
function streamKey(body: StreamBody): string {
  return `${body.mediaServerId ?? ''}|${body.vhost ?? DEFAULT_VHOST}/${body.app}/${body.stream}`;
}

function sessionId(body: StreamBody): string | undefined {
  return body.id === undefined || body.id === '' ? undefined : `${body.mediaServerId ?? ''}:${body.id}`;
}

/** Refusals a hook answers in ZLMediaKit's shape rather than as problems (a bad credential, no camera). */
class HookRefusal extends Error {}

export async function zlmediakitRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  const settings = context.gate.profile.zlmediakit;
  const { gatekeeper } = context.gate;

  /** The person a credential names: a playback token's, or a user token's bearer. */
  async function presented(
    request: FastifyRequest,
    token: string | undefined,
  ): Promise<{ caller: Caller; grant?: PlaybackGrant }> {
    if (token === undefined) throw new HookRefusal('a playback token or a bearer token is required (the URL parameter token)');
    if (isPlaybackToken(token)) {
      const grant = context.gate.tokens.check(token);
      if (grant === undefined) throw new HookRefusal('the playback token is not valid');
      return { caller: { subject: grant.person, unit: grant.unit }, grant };
    }
    try {
      return { caller: await app.identify(request, token) };
    } catch (error) {
      if (error instanceof ProblemError) throw new HookRefusal(error.message);
      throw error;
    }
  }

  /** The decision for a target: a playback token's claims, or a decision like the nginx gate's. */
  async function decideTarget(
    found: NonNullable<ReturnType<typeof matchPath>>,
    who: { caller: Caller; grant?: PlaybackGrant },
    query: ReadonlyMap<string, string>,
    uri: string,
  ): Promise<GateAnswer> {
    const target = {
      camera: found.camera,
      action: found.action,
      ...(found.window === undefined ? {} : { window: found.window }),
    };
    if (who.grant !== undefined)
      return gatekeeper.requireTransfer(gatekeeper.admitToken(who.grant, target), who.caller, target, uri, 'zlmediakit');
    return gatekeeper.ask({
      caller: who.caller,
      ...target,
      purpose: query.get('purpose') ?? found.template.purpose,
      reason: query.get('reason') ?? found.template.reason ?? '',
      uri,
      gateway: 'zlmediakit',
    });
  }

  app.post<{ Body: StreamBody }>(
    '/v1/integrations/zlmediakit/on_play',
    { config: { public: true }, schema: { body: { type: 'object', required: ['app', 'stream'], properties: STREAM } } },
    async (request, reply) => {
      const { body } = request;
      if (settings === undefined) return refusePlay(reply, 'the gate profile configures no ZLMediaKit streams');
      if (!settings.vhosts.has(body.vhost ?? DEFAULT_VHOST))
        return refusePlay(reply, `the vhost "${body.vhost}" serves no footage here`);
      const raw = `${body.app}/${body.stream}?${body.params ?? ''}`;
      const read = readStreamRequest(`${body.app}/${body.stream}`, body.params ?? '');
      const query = read.ok ? read.query : new Map(new URLSearchParams(body.params ?? ''));
      try {
        const who = await presented(request, query.get('token'));
        if (!read.ok)
          return answerPlay(reply, await gatekeeper.refuse(who.caller, { gateway: 'zlmediakit', raw, problem: read.problem }));
        const found = matchPath(settings.streams, read.path);
        if (found === undefined) return refusePlay(reply, `the stream "${body.app}/${body.stream}" names no camera`);
        const answer = await decideTarget(found, who, read.query, `/${body.app}/${body.stream}`);
        const session = sessionId(body);
        if (answer.outcome === 'allow' && session !== undefined) {
          const camera = context.access.current.cameras.get(found.camera);
          await admitSession(context, {
            gateway: 'zlmediakit',
            sessionId: session,
            decisionId: answer.decisionId,
            cameraId: found.camera,
            subject: who.caller.subject,
            unitId: camera?.unit.id ?? who.caller.unit,
            stream: streamKey(body),
          });
          await recordSessionStarted(context, { gateway: 'zlmediakit', sessionId: session, reporter: who.caller });
        }
        return answerPlay(reply, answer);
      } catch (error) {
        if (error instanceof HookRefusal) return refusePlay(reply, error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: HttpAccessBody }>(
    '/v1/integrations/zlmediakit/on_http_access',
    {
      config: { public: true },
      schema: {
        body: {
          type: 'object',
          required: ['path'],
          properties: { path: TEXT(4096), is_dir: { type: 'boolean' }, params: TEXT(8192), 'header.Authorization': TEXT(8192) },
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const refuse = (err: string, answer?: GateAnswer) => {
        if (answer?.decisionId !== undefined) reply.header(GATE_HEADERS.decisionId, answer.decisionId);
        if (answer?.outcome === 'deny') reply.header(GATE_HEADERS.denyReasons, answer.reasons.join(','));
        return reply.code(200).send({ code: 0, err, path: '', second: 0 });
      };
      if (settings === undefined) return refuse('the gate profile configures no ZLMediaKit access');
      if (body.is_dir === true) return refuse('directories are not listed');
      if (!body.path.startsWith('/')) return refuse('the path is not absolute');
      const raw = `${body.path}?${body.params ?? ''}`;
      const read = readStreamRequest(body.path.slice(1), body.params ?? '');
      const query = read.ok ? read.query : new Map(new URLSearchParams(body.params ?? ''));
      const bearer = /^Bearer\s+(\S+)$/i.exec(body['header.Authorization'] ?? '')?.[1];
      try {
        const who = await presented(request, bearer ?? query.get('token'));
        if (!read.ok) {
          const refused = await gatekeeper.refuse(who.caller, { gateway: 'zlmediakit', raw, problem: read.problem });
          return refuse('access denied: AMBIGUOUS_URI', refused);
        }
        const found = matchPath(context.gate.profile.paths, read.path);
        if (found === undefined) return refuse('the path matches no gate path');
        const answer = await decideTarget(found, who, read.query, body.path);
        if (answer.outcome === 'deny') return refuse(`access denied: ${answer.reasons.join(', ')}`, answer);
        const remaining = Math.floor((Date.parse(answer.validUntil) - Date.now()) / 1000);
        reply.header(GATE_HEADERS.decisionId, answer.decisionId);
        const directory = fixedPrefix(read.path, found.fixedSegments);
        return reply
          .code(200)
          .send({ code: 0, err: '', path: directory, second: Math.max(0, Math.min(settings.cacheSeconds, remaining)) });
      } catch (error) {
        if (error instanceof HookRefusal) return refuse(error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: FlowReportBody }>(
    '/v1/integrations/zlmediakit/on_flow_report',
    {
      config: { public: true },
      schema: {
        body: {
          type: 'object',
          required: ['app', 'stream', 'totalBytes', 'player'],
          properties: {
            ...STREAM,
            totalBytes: { type: 'integer', minimum: 0 },
            duration: { type: 'integer', minimum: 0 },
            player: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const session = sessionId(body);
      if (body.player && session !== undefined && settings !== undefined) {
        // A session no allow admitted is still recorded, under the camera its stream names.
        const found = readStreamRequest(`${body.app}/${body.stream}`, '');
        const camera = found.ok ? matchPath(settings.streams, found.path)?.camera : undefined;
        const unit = camera === undefined ? undefined : context.access.current.cameras.get(camera)?.unit.id;
        await recordSessionStopped(context, {
          gateway: 'zlmediakit',
          sessionId: session,
          reporter: { subject: `zlmediakit:${body.mediaServerId ?? 'unnamed'}`, unit: unit ?? '' },
          ...(camera === undefined || unit === undefined ? {} : { cameraId: camera }),
          bytesServed: body.totalBytes,
          ...(body.duration === undefined ? {} : { durationSeconds: body.duration }),
        });
      }
      return reply.code(200).send({ code: 0, msg: 'success' });
    },
  );

  app.post<{ Body: StreamBody }>(
    '/v1/integrations/zlmediakit/on_stream_none_reader',
    { config: { public: true }, schema: { body: { type: 'object', required: ['app', 'stream'], properties: STREAM } } },
    async (request, reply) => {
      await recordStreamUnwatched(context, 'zlmediakit', streamKey(request.body));
      return reply.code(200).send({ code: 0, close: false });
    },
  );
}
