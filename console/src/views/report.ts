/** The compliance report: findings per article, denials over time, accesses per camera, CSV. */
import { call, json } from '../api.js';
import { barChart } from '../charts.js';
import { byId, h, replaceChildren, table } from '../dom.js';

interface Finding {
  code: string;
  article: string;
  [field: string]: unknown;
}

interface Report {
  period: { from: string; to: string };
  profile: string;
  law: { title: string; cite_as: string };
  /** Each section's citation under the profile in force: its `cite_as` and the article. */
  citations: Record<string, string>;
  filing: Finding[];
  signage: Finding[];
  prohibited_locations: Finding[];
  classified_sites: Finding[];
  personnel: Finding[];
  unregistered_exports: Finding[];
  expired_grant_attempts: Finding[];
  transfer_mismatches: Finding[];
  deletions_under_hold: Finding[];
  deletions_before_retention: Finding[];
  deletions_not_reported: Finding[];
  served_without_decision: Finding[];
  served_outside_decision: Finding[];
  unreconciled_sessions: Finding[];
  decisions: { total: number; denied: number };
  denials_by_day: { day: string; count: number }[];
  accesses_by_camera: { camera_id: string; unit_id: string; allowed: number; denied: number }[];
  denials_by_unit_camera: { unit_id: string; camera_id: string; count: number }[];
  last_verification: { seq: number; time: string; result: { ok?: boolean; tree_size?: number } } | null;
}

const DAY_MS = 86_400_000;

const SECTIONS: [keyof Report, string, string[]][] = [
  ['filing', 'Filing', ['system_id', 'unit_id', 'went_live_on', 'due_on']],
  ['signage', 'Signage', ['system_id', 'unit_id']],
  ['prohibited_locations', 'Prohibited locations', ['camera_id', 'unit_id', 'location_class']],
  ['classified_sites', 'Cameras near a classified site without its consent', ['camera_id', 'unit_id', 'system_id']],
  ['personnel', 'Personnel in monitoring positions', ['subject', 'unit_id', 'training_valid_until', 'confidentiality_signed_on']],
  ['unregistered_exports', 'Exports without a registered transfer', ['decision_id', 'camera_id', 'person', 'time', 'status']],
  [
    'expired_grant_attempts',
    'Decisions under a grant no longer valid',
    ['grant_id', 'person', 'camera_id', 'time', 'grant_status'],
  ],
  [
    'transfer_mismatches',
    'Transfers received with another file',
    ['transfer_id', 'camera_id', 'recipient_unit_id', 'time', 'received_sha256'],
  ],
  ['deletions_under_hold', 'Footage deleted under a legal hold', ['camera_id', 'unit_id', 'hold_id', 'time']],
  ['deletions_before_retention', 'Footage deleted before its retention ran', ['camera_id', 'unit_id', 'time', 'kept_until']],
  [
    'deletions_not_reported',
    'Cameras with no deletion reported past retention',
    ['camera_id', 'unit_id', 'last_deleted_to', 'due_by'],
  ],
  [
    'served_without_decision',
    'Footage served without a decision (reconciliation)',
    ['problem', 'camera_id', 'time', 'path', 'decision_id', 'session_id', 'line'],
  ],
  [
    'served_outside_decision',
    'Footage served beyond its decision (reconciliation)',
    ['problem', 'camera_id', 'time', 'path', 'decision_id', 'line'],
  ],
  ['unreconciled_sessions', 'Playback sessions not started or not stopped', ['problem', 'camera_id', 'time', 'session_id']],
];

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export class ReportView {
  private csvUrl: string | undefined;

  constructor(private readonly announce: (message: string) => void) {
    const to = new Date();
    byId<HTMLInputElement>('report-from').value = day(new Date(to.getTime() - 30 * DAY_MS));
    byId<HTMLInputElement>('report-to').value = day(to);
    byId('report-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.load();
    });
    byId('report-csv').addEventListener('click', () => void this.downloadCsv());
  }

  async show(): Promise<void> {
    if (byId('report-body').childElementCount === 0) await this.load();
  }

  private period(): URLSearchParams {
    const from = new Date(`${byId<HTMLInputElement>('report-from').value}T00:00:00Z`);
    const to = new Date(new Date(`${byId<HTMLInputElement>('report-to').value}T00:00:00Z`).getTime() + DAY_MS);
    return new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  }

  private async load(): Promise<void> {
    const report = await json<Report>(`/v1/compliance/report?${this.period()}`);
    const findings = SECTIONS.map(([key, topic, columns]) => {
      const items = report[key] as Finding[];
      const citation = report.citations[key];
      const title = citation === undefined ? topic : `${topic} (${citation})`;
      return h(
        'section',
        { 'aria-label': title },
        h('h3', {}, `${title}: ${items.length}`),
        items.length === 0
          ? h('p', {}, 'Nothing found.')
          : table(
              title,
              ['code', 'article', ...columns],
              items.map((item) => [item.code, item.article, ...columns.map((column) => String(item[column] ?? ''))]),
              true,
            ),
      );
    });
    const verification = report.last_verification;
    const heading = h('h3', {}, `Decisions in the period: ${report.decisions.total}, denied ${report.decisions.denied}`);
    const charts =
      report.decisions.total === 0
        ? h(
            'section',
            { 'aria-label': 'Decisions in the period' },
            heading,
            h('p', {}, 'No decisions were recorded in the period.'),
          )
        : this.charts(report, heading);
    replaceChildren(
      byId('report-body'),
      h('p', { id: 'report-law' }, `Reported against ${report.law.title} (profile ${report.profile}).`),
      h(
        'p',
        {},
        verification === null
          ? 'The ledger has never been verified.'
          : `Last verification: ${verification.result.ok === true ? 'passed' : 'FAILED'} at ${verification.time} (tree size ${verification.result.tree_size ?? '?'})`,
      ),
      ...findings,
      charts,
    );
    this.announce(`Report for ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)} loaded`);
  }

  private charts(report: Report, heading: HTMLElement): HTMLElement {
    return h(
      'section',
      { 'aria-label': 'Decisions in the period' },
      heading,
      h(
        'figure',
        {},
        barChart(
          'Denials per day',
          report.denials_by_day.map((item) => ({ label: item.day, values: [item.count] })),
          ['denied'],
        ),
        h('figcaption', {}, 'Denials over time'),
      ),
      table(
        'Denials per day',
        ['day', 'denied'],
        report.denials_by_day.map((item) => [item.day, item.count]),
      ),
      h(
        'figure',
        {},
        barChart(
          'Accesses per camera',
          report.accesses_by_camera.map((item) => ({ label: item.camera_id, values: [item.allowed, item.denied] })),
          ['allowed', 'denied'],
        ),
        h(
          'figcaption',
          {},
          h('span', { class: 'key series-0' }, 'allowed'),
          ' ',
          h('span', { class: 'key series-1' }, 'denied'),
          ' per camera',
        ),
      ),
      table(
        'Accesses per camera',
        ['camera', 'unit', 'allowed', 'denied'],
        report.accesses_by_camera.map((item) => [item.camera_id, item.unit_id, item.allowed, item.denied]),
      ),
      table(
        'Denials per unit and camera',
        ['unit', 'camera', 'denied'],
        report.denials_by_unit_camera.map((item) => [item.unit_id, item.camera_id, item.count]),
      ),
    );
  }

  /** The CSV needs the bearer token, so it is fetched and handed to the browser as a file. */
  private async downloadCsv(): Promise<void> {
    const response = await call(`/v1/compliance/report?${this.period()}&format=csv`);
    if (this.csvUrl !== undefined) URL.revokeObjectURL(this.csvUrl);
    this.csvUrl = URL.createObjectURL(await response.blob());
    const link = h('a', { href: this.csvUrl, download: 'compliance-report.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  }
}
