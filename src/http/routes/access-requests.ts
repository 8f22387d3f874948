/**
 * Access requests by state organs and by people in an emergency. A state organ's officer submits with the legal basis
 * (access_request:submit); anyone authenticated may submit an emergency request. The target unit's
 * approvers approve or reject (access_request:decide in that unit; for an emergency the approval is
 * the unit's consent), the requester withdraws, the unit revokes a grant. A request is visible to
 * its requester, and to the unit addressed and the unit that submitted it (access_request:read
 * there); to anybody else it answers 404.
 */
import type { FastifyInstance } from 'fastify';
import { type GrantRow, grantOfRequest, type HoldRow, holdOfRequest, type RequestRow } from '../../queries/access-requests.js';
import { grantStatusAt } from '../../rules/access-request-states.js';
import { ID_PATTERN } from '../../rules/registry.js';
import { listVisibleRequests, requireRequestPermission, visibleRequest } from '../../workflows/access-request-reads.js';
import {
  caseToken,
  type EmergencyRequest,
  type StateOrganRequest,
  submitEmergencyRequest,
  submitStateOrganRequest,
} from '../../workflows/access-request-submission.js';
import {
  type DecisionOnRequest,
  decideOnRequest,
  endMeasure,
  type MeasureKind,
  withdrawRequest,
} from '../../workflows/access-requests.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';
import { SCOPE, SHORT, SUBMISSION, TEXT, UUID } from './access-request-schemas.js';
import { presentReceipt } from './receipts.js';

function presentGrant(grant: GrantRow, now: Date) {
  return {
    grant_id: grant.id,
    grantee: grant.grantee,
    camera_ids: grant.cameraIds,
    window: grant.window,
    actions: grant.actions,
    valid_until: grant.validUntil,
    revoked_at: grant.revokedAt,
    status: grantStatusAt(grant, now),
    uses: grant.uses,
  };
}

function presentHold(hold: HoldRow) {
  return {
    hold_id: hold.id,
    camera_ids: hold.cameraIds,
    window: hold.window,
    placed_at: hold.placedAt,
    released_at: hold.releasedAt,
    status: hold.releasedAt === null ? 'active' : 'released',
  };
}

function presentRequest(request: RequestRow, grant: GrantRow | undefined, hold: HoldRow | undefined, now: Date) {
  return {
    id: request.id,
    kind: request.kind,
    status: request.status,
    requester: { subject: request.requester, unit: request.requesterUnit },
    target_unit: request.targetUnit,
    scope: { camera_ids: request.cameraIds, window: request.window, actions: request.actions },
    approvals: request.approvers.length,
    approvals_needed: request.approvalsNeeded,
    expiry_hours: request.expiryHours,
    submitted_seq: request.submittedSeq,
    created_at: request.createdAt,
    grant: grant === undefined ? null : presentGrant(grant, now),
    legal_hold_requested: request.legalHold,
    legal_hold: hold === undefined ? null : presentHold(hold),
  };
}

export async function accessRequestRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  async function present(row: RequestRow, now: Date) {
    const [grant, hold] = await Promise.all([grantOfRequest(context.db, row.id), holdOfRequest(context.db, row.id)]);
    return presentRequest(row, grant, hold, now);
  }

  app.post<{ Body: ({ kind: 'state_organ' } & StateOrganRequest) | ({ kind: 'emergency' } & EmergencyRequest) }>(
    '/v1/access-requests',
    { schema: { body: SUBMISSION } },
    async (request, reply) => {
      const body = request.body;
      let submitted: Awaited<ReturnType<typeof submitEmergencyRequest>>;
      if (body.kind === 'state_organ') {
        requireRequestPermission(context, request.caller, request.caller.unit, 'submit');
        const { kind: _kind, ...rest } = body;
        submitted = await submitStateOrganRequest(context, request.caller, rest);
      } else {
        // Anyone authenticated may ask in an emergency; the unit's consent decides.
        const { kind: _kind, ...rest } = body;
        submitted = await submitEmergencyRequest(context, request.caller, rest);
      }
      return reply.code(201).send({ id: submitted.id, status: 'submitted', receipt: presentReceipt(submitted.receipt) });
    },
  );

  app.get<{ Querystring: { status?: string; unit?: string; case_no?: string; before?: string; limit: number } }>(
    '/v1/access-requests',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { enum: ['submitted', 'approved', 'rejected', 'withdrawn'] },
            unit: { type: 'string', pattern: ID_PATTERN },
            case_no: SHORT,
            before: UUID,
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
      },
    },
    async (request) => {
      const { status, unit, case_no, before, limit } = request.query;
      if (unit !== undefined && unit !== request.caller.unit)
        throw new ProblemError('forbidden', `unit: the requests of unit ${unit} are not yours to see`);
      const { rows, more } = await listVisibleRequests(context, request.caller, {
        limit,
        ...(status === undefined ? {} : { status }),
        ...(case_no === undefined ? {} : { caseNo: caseToken(context.vault, case_no) }),
        ...(before === undefined ? {} : { before }),
      });
      const now = new Date();
      const items = await Promise.all(rows.map((row) => present(row, now)));
      return { items, next: more ? (rows[rows.length - 1] as RequestRow).id : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/access-requests/:id',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: UUID } } } },
    async (request) => {
      const found = await visibleRequest(context, request.caller, request.params.id);
      return present(found, new Date());
    },
  );

  app.post<{ Params: { id: string }; Body: DecisionOnRequest }>(
    '/v1/access-requests/:id/decisions',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: UUID } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision', 'reason'],
          properties: { decision: { enum: ['approve', 'reject'] }, reason: TEXT, scope: SCOPE },
        },
      },
    },
    async (request) => {
      const found = await visibleRequest(context, request.caller, request.params.id);
      requireRequestPermission(context, request.caller, found.targetUnit, 'decide');
      const result = await decideOnRequest(context, request.caller, found, request.body);
      return {
        id: found.id,
        status: result.status,
        grant_id: result.grantId,
        hold_id: result.holdId,
        receipt: presentReceipt(result.receipt),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/access-requests/:id/withdrawal',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: UUID } } } },
    async (request) => {
      const found = await visibleRequest(context, request.caller, request.params.id);
      const receipt = await withdrawRequest(context, request.caller, found);
      return { id: found.id, status: 'withdrawn', receipt: presentReceipt(receipt) };
    },
  );

  const ENDINGS: readonly [string, MeasureKind, string, string][] = [
    ['/v1/grants/:id/revocation', 'grant', 'grant_id', 'revoked'],
    ['/v1/legal-holds/:id/release', 'hold', 'hold_id', 'released'],
  ];
  for (const [url, kind, idMember, status] of ENDINGS) {
    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      url,
      {
        schema: {
          params: { type: 'object', required: ['id'], properties: { id: UUID } },
          body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: TEXT } },
        },
      },
      async (request) => {
        const ended = await endMeasure(context, request.caller, kind, request.params.id, request.body.reason);
        return { [idMember]: ended.measure.id, status, receipt: presentReceipt(ended.receipt) };
      },
    );
  }
}
