/**
 * `footage-warden reconcile`: sends a gateway's access log (the `footage_warden` format of
 * docs/integrations/nginx-footage-warden.conf) to the service, which holds every request served
 * against the decisions recorded and records the result (POST /v1/reconciliations). The log is
 * streamed, never read whole. Exit 0 when everything reconciles, 1 with findings, 2 when unusable.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { FINDING_COUNTS } from '../rules/reconciliation.js';
import { type CliCommand, UsageError } from './command.js';

interface Answer {
  readonly reconciliation_id: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly findings: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

export const reconcileCommand: CliCommand = {
  usage: 'reconcile [LOG] --url URL [--from TIME --to TIME] [--no-sessions]   (token: FOOTAGE_WARDEN_TOKEN)',
  summary: "reconcile a gateway's access log and the ledger's playback sessions with the decisions (exit 0 clean, 1 findings)",
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'no-sessions': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.url === undefined) throw new UsageError('--url names the service');
    if (positionals.length > 1) throw new UsageError('name at most one log file');
    const token = io.env.FOOTAGE_WARDEN_TOKEN;
    if (token === undefined || token === '')
      throw new UsageError('FOOTAGE_WARDEN_TOKEN holds a bearer token (a gateway, an auditor or the oversight organ)');
    const file = positionals[0];
    if (file === undefined && values.from === undefined)
      throw new UsageError('without a log, --from and --to give the period to reconcile');
    if (file !== undefined) {
      const found = await stat(file).catch(() => undefined);
      if (found?.isFile() !== true) throw new UsageError(`${file}: not a readable file`);
    }
    const query = new URLSearchParams();
    if (values.from !== undefined) query.set('from', values.from);
    if (values.to !== undefined) query.set('to', values.to);
    if (values['no-sessions'] === true) query.set('sessions', 'false');
    const url = new URL(`/v1/reconciliations?${query}`, values.url);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          ...(file === undefined ? {} : { 'content-type': 'application/x-ndjson' }),
        },
        ...(file === undefined
          ? {}
          : { body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, duplex: 'half' as const }),
      } as RequestInit);
    } catch (error) {
      io.stderr(`${url.origin}: ${(error as Error).message}\n`);
      return 2;
    }
    const text = await response.text();
    if (response.status !== 201) {
      io.stderr(`the service answered ${response.status}: ${text}\n`);
      return 2;
    }
    const answer = JSON.parse(text) as Answer;
    io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    const found = FINDING_COUNTS.reduce((sum, name) => sum + (answer.counts[name] ?? 0), 0);
    io.stderr(
      found === 0
        ? `reconciled: ${answer.counts.served ?? 0} requests served, ${answer.counts.sessions ?? 0} sessions, nothing unaccounted for\n`
        : `${found} findings (reconciliation ${answer.reconciliation_id})\n`,
    );
    return found === 0 ? 0 : 1;
  },
};
