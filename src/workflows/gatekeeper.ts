/**
 * The gate's workflow, shared by nginx's auth_request and MediaMTX's HTTP authentication: answer
 * whether a person may receive what a gateway is about to serve. A valid playback token answers
 * from its own claims (its decision is already recorded). Otherwise an allow recorded earlier for
 * the same access is reused until it expires, and identical requests arriving while it is being
 * decided wait for that one decision; anything else is decided and recorded like
 * POST /v1/decisions, and an allow is remembered. Requests that cannot be decided (an unknown
 * camera, a purpose outside the profile, a window in the future) are refused without an entry; a
 * request whose URI is ambiguous is refused with a `gate.refused` entry. An export leaves only once
 * its transfer is registered: until then an allowed export is refused with a
 * `gate.refused` entry that names the decision to register.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type AllowCache, allowKey, type CachedAllow } from '../gate/allow-cache.js';
import type { PlaybackGrant } from '../gate/playback-tokens.js';
import type { UriProblem } from '../gate/request-uri.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import type { RegulationProfile } from '../rules/regulation-profile.js';
import { windowWithin } from '../rules/time-window.js';
import type { Executor } from '../storage/transaction.js';
import { releasingTransfer, transferOfDecision } from '../storage/transfer-repository.js';
import type { AccessState } from './access-state.js';
import { type Decision, DecisionError, type DecisionRequest, decide } from './decisions.js';
import type { LedgerWriter } from './ledger-writer.js';

export interface GateTarget {
  readonly camera: string;
  readonly action: DecisionRequest['action'];
  readonly window?: { readonly from: string; readonly to: string };
}

export interface GateQuestion extends GateTarget {
  readonly caller: Caller;
  readonly purpose: string;
  /** Empty when the request states none: decided (and recorded) as a deny (REASON_REQUIRED). */
  readonly reason: string;
  readonly grantId?: string;
  /** The raw URI asked for, recorded (without its query) when an export is refused. */
  readonly uri?: string;
  /** Which gateway asks (recorded when an export is refused); nginx when unsaid. */
  readonly gateway?: GateRefusal['gateway'];
}

export type GateAnswer =
  | {
      readonly outcome: 'allow';
      readonly decisionId: string;
      readonly obligations: readonly string[];
      readonly validUntil: string;
      /** How the allow was reached: a new decision, a remembered one, a playback token, or an export's registered transfer. */
      readonly source: 'decision' | 'cache' | 'token' | 'transfer';
    }
  | {
      readonly outcome: 'deny';
      /** Undefined when the request was refused before a decision (nothing recorded). */
      readonly decisionId?: string;
      readonly reasons: readonly string[];
    };

export interface GatekeeperContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  readonly access: AccessState;
  readonly profile: RegulationProfile;
  readonly policyVersion: string;
  readonly cache: AllowCache;
}

/** Refusal codes of requests that are not decided (they are not rule codes of the profile). */
export type RefusalCode =
  | 'UNKNOWN_PURPOSE'
  | 'UNKNOWN_CAMERA'
  | 'UNKNOWN_GRANT'
  | 'INVALID_WINDOW'
  | 'TOKEN_DOES_NOT_COVER'
  | 'AMBIGUOUS_URI'
  | 'TRANSFER_NOT_REGISTERED';

/** A request refused because its URI does not read one way (gate/request-uri.ts). */
export interface GateRefusal {
  readonly gateway: 'nginx' | 'mediamtx' | 'zlmediakit';
  /** The raw URI (or stream path and query) as the gateway received it. */
  readonly raw: string;
  readonly problem: UriProblem;
}

const MAX_RECORDED_PATH = 512;

const REFUSALS: Record<DecisionError['code'], RefusalCode> = {
  'unknown-camera': 'UNKNOWN_CAMERA',
  'unknown-grant': 'UNKNOWN_GRANT',
  'invalid-window': 'INVALID_WINDOW',
};

function refused(code: RefusalCode): GateAnswer {
  return { outcome: 'deny', reasons: [code] };
}

/** An allow decided earlier: remembered by this process, or carried by a playback token. */
function remembered(allow: CachedAllow, source: 'cache' | 'token'): GateAnswer {
  const { decisionId, obligations, expiresAt } = allow;
  return { outcome: 'allow', decisionId, obligations, validUntil: new Date(expiresAt).toISOString(), source };
}

export class Gatekeeper {
  /** Decisions being made, by allow key: concurrent identical requests wait for one decision. */
  private readonly deciding = new Map<string, Promise<GateAnswer>>();

  constructor(private readonly context: GatekeeperContext) {
    // A change of roles, grants, holds or the registry may take away what an allow gave.
    context.access.onChange(() => context.cache.clear());
  }

  /** Whether a playback token covers the target: same camera, one of its actions, inside its window. */
  admitToken(grant: PlaybackGrant, target: GateTarget): GateAnswer {
    const window = grant.window;
    const covered =
      grant.camera === target.camera &&
      grant.actions.includes(target.action) &&
      (target.window === undefined ? window === null : window !== null && windowWithin(target.window, window));
    if (!covered) return refused('TOKEN_DOES_NOT_COVER');
    return remembered(grant, 'token');
  }

  /**
   * Refuses a request whose URI or stream path is ambiguous (request-uri.ts), recording the refusal
   * as a `gate.refused` entry: the raw path (never the query, which may carry a token or a reason),
   * the SHA-256 of the whole raw text, and what was ambiguous. Answered only after it is committed.
   */
  async refuse(actor: Caller, refusal: GateRefusal): Promise<GateAnswer> {
    const refusalId = await this.recordRefusal(actor, refusal.gateway, refusal.raw, { problem: refusal.problem });
    return { outcome: 'deny', decisionId: refusalId, reasons: ['AMBIGUOUS_URI'] };
  }

  /**
   * An allowed export is released only when its decision's transfer is registered; otherwise the
   * refusal is recorded, and the answer names the decision to register (X-Decision-Id).
   */
  async requireTransfer(
    answer: GateAnswer,
    caller: Caller,
    target: GateTarget,
    uri: string,
    gateway: GateRefusal['gateway'] = 'nginx',
  ): Promise<GateAnswer> {
    if (target.action !== 'export' || answer.outcome !== 'allow') return answer;
    if ((await transferOfDecision(this.context.db, answer.decisionId)) !== undefined) return answer;
    await this.recordRefusal(caller, gateway, uri, {
      problem: 'transfer-not-registered',
      decision_id: answer.decisionId,
      camera_id: target.camera,
    });
    return { outcome: 'deny', decisionId: answer.decisionId, reasons: ['TRANSFER_NOT_REGISTERED'] };
  }

  /**
   * Records a `gate.refused` entry: the raw path (never the query, which may carry a token or a
   * reason), the SHA-256 of the whole raw text, and why. Returns once it is committed.
   */
  private async recordRefusal(
    actor: Caller,
    gateway: GateRefusal['gateway'],
    raw: string,
    why: Readonly<Record<string, string>>,
  ): Promise<string> {
    const refusalId = randomUUID();
    const mark = raw.indexOf('?');
    const path = mark === -1 ? raw : raw.slice(0, mark);
    await this.context.writer.record(
      {
        kind: 'gate.refused',
        actor: actorOf(actor),
        payload: {
          refusal_id: refusalId,
          gateway,
          ...why,
          // JSON escapes whatever the raw text holds; it is cut to bound the entry.
          path: path.length > MAX_RECORDED_PATH ? `${path.slice(0, MAX_RECORDED_PATH)}…` : path,
          uri_sha256: createHash('sha256').update(raw, 'latin1').digest('hex'),
        },
      },
      undefined,
      refusalId,
    );
    return refusalId;
  }

  async ask(question: GateQuestion): Promise<GateAnswer> {
    if (question.action !== 'export' || question.window === undefined) return this.decideOnce(question);
    // An export whose transfer was registered, for this person and a window holding this one, is
    // released under that decision: a new decision could not have a transfer yet.
    const registered = await releasingTransfer(this.context.db, {
      person: question.caller.subject,
      camera: question.camera,
      window: question.window,
      at: new Date(),
    });
    if (registered !== undefined && registered.validUntil !== null) {
      return {
        outcome: 'allow',
        decisionId: registered.decisionId,
        obligations: [],
        validUntil: registered.validUntil.toISOString(),
        source: 'transfer',
      };
    }
    return this.requireTransfer(await this.decideOnce(question), question.caller, question, question.uri ?? '', question.gateway);
  }

  /** The remembered allow for this access, the decision being made for it, or a new decision. */
  private async decideOnce(question: GateQuestion): Promise<GateAnswer> {
    const { context } = this;
    if (!context.profile.purposes.has(question.purpose)) return refused('UNKNOWN_PURPOSE');
    const key = allowKey({
      person: question.caller.subject,
      unit: question.caller.unit,
      camera: question.camera,
      action: question.action,
      window: question.window,
      purpose: question.purpose,
      reason: question.reason,
      grantId: question.grantId,
    });
    const cached = context.cache.get(key);
    if (cached !== undefined) return remembered(cached, 'cache');
    const pending = this.deciding.get(key);
    if (pending !== undefined) return pending;
    const decided = this.decide(question, key).finally(() => this.deciding.delete(key));
    this.deciding.set(key, decided);
    return decided;
  }

  private async decide(question: GateQuestion, key: string): Promise<GateAnswer> {
    const { context } = this;
    const generation = context.access.generation;
    const request: DecisionRequest = {
      camera_id: question.camera,
      action: question.action,
      ...(question.window === undefined ? {} : { window: question.window }),
      purpose: question.purpose,
      reason: question.reason,
      ...(question.grantId === undefined ? {} : { grant_id: question.grantId }),
    };
    let decision: Decision;
    try {
      decision = await decide(context, context.access.current, question.caller, request);
    } catch (error) {
      if (error instanceof DecisionError) return refused(REFUSALS[error.code]);
      throw error;
    }
    const { outcome, decisionId, validUntil, grantValidUntil } = decision;
    if (outcome.decision === 'deny' || validUntil === null) {
      return { outcome: 'deny', decisionId, reasons: outcome.reasons.map((reason) => reason.code) };
    }
    const obligations = outcome.obligations.map((item) => item.code);
    const expiresAt = Math.min(
      Date.parse(validUntil),
      grantValidUntil === null ? Number.POSITIVE_INFINITY : Date.parse(grantValidUntil),
    );
    // Remembered only if no change of access happened while deciding: a revocation clears the cache,
    // and an allow decided on the older state must not be put back after it.
    if (context.access.generation === generation) context.cache.set(key, { decisionId, obligations, expiresAt });
    return { outcome: 'allow', decisionId, obligations, validUntil, source: 'decision' };
  }
}
