/**
 * GET /v1/compliance/report (compliance:read: the auditor and oversight roles): the findings of
 * compliance-report.ts over a period (default the last 30 days), as JSON, or as CSV with
 * `?format=csv` or `Accept: text/csv`.
 */
import type { FastifyInstance } from 'fastify';
import { compileComplianceReport, issueComplianceReport } from '../../workflows/compliance.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { invalidField } from '../problem.js';
import { reportCsv } from './compliance-csv.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const LONGEST_DAYS = 400;

export async function complianceRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.get<{ Querystring: { from?: string; to?: string; format?: 'json' | 'csv' } }>(
    '/v1/compliance/report',
    {
      preHandler: authorize('compliance', 'read'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            format: { enum: ['json', 'csv'] },
          },
        },
      },
    },
    async (request, reply) => {
      const now = new Date();
      const to = request.query.to === undefined ? now : new Date(request.query.to);
      const from =
        request.query.from === undefined ? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS) : new Date(request.query.from);
      if (from >= to) throw invalidField('querystring', '/from', 'must be before to');
      if (to.getTime() - from.getTime() > LONGEST_DAYS * DAY_MS) {
        throw invalidField('querystring', '/from', `the period may span at most ${LONGEST_DAYS} days`);
      }
      const report = await context.reads.read((db) =>
        compileComplianceReport(
          db,
          context.access.current,
          context.profile,
          { from, to },
          now,
          context.compliance.deletionGraceDays,
        ),
      );
      const csv =
        request.query.format === 'csv' ||
        (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
      const body = csv ? reportCsv(report) : JSON.stringify(report);
      const issued = await issueComplianceReport(context.writer, request.caller, report, csv ? 'csv' : 'json', body);
      reply
        .header('footage-warden-report-sha256', issued.sha256)
        .header('footage-warden-report-entry', String(issued.receipt.seq));
      if (!csv) return reply.type('application/json; charset=utf-8').send(body);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="compliance-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv"`,
        )
        .send(body);
    },
  );
}
