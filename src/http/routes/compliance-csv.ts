/**
 * The compliance report as CSV (RFC 4180): one row per finding or count, under one header, so a
 * spreadsheet can filter by section, code, unit or camera.
 */
import type { ComplianceReport } from '../../rules/compliance-report.js';

export const CSV_COLUMNS = [
  'section',
  'code',
  'article',
  'unit_id',
  'system_id',
  'camera_id',
  'subject',
  'reference',
  'time',
  'detail',
  'count',
] as const;
type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null | undefined>>;

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote what needs it; a leading formula character is neutralised for spreadsheet safety.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function reportRows(report: ComplianceReport): Row[] {
  const rows: Row[] = [];
  for (const item of report.filing) {
    rows.push({
      section: 'filing',
      ...item,
      detail:
        'changed' in item
          ? `filed ${item.filed_on}; changed since: ${item.changed}`
          : `went live ${item.went_live_on}, due ${item.due_on}${'filed_on' in item ? `, filed ${item.filed_on}` : ''}`,
    });
  }
  for (const item of report.signage) rows.push({ section: 'signage', ...item });
  for (const item of report.prohibited_locations)
    rows.push({ section: 'prohibited_locations', ...item, detail: item.location_class });
  for (const item of report.classified_sites) {
    rows.push({ section: 'classified_sites', ...item, detail: 'no consent recorded' });
  }
  for (const item of report.personnel) {
    rows.push({
      section: 'personnel',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      subject: item.subject,
      detail: `roles ${item.roles.join(' ')}; training until ${item.training_valid_until ?? 'none'}; undertaking ${item.confidentiality_signed_on ?? 'none'}`,
    });
  }
  for (const item of report.unregistered_exports) {
    rows.push({
      section: 'unregistered_exports',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      camera_id: item.camera_id,
      subject: item.person,
      reference: item.decision_id,
      time: item.time,
      detail: item.status,
    });
  }
  for (const item of report.expired_grant_attempts) {
    rows.push({
      section: 'expired_grant_attempts',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      camera_id: item.camera_id,
      subject: item.person,
      reference: item.grant_id,
      time: item.time,
      detail: item.grant_status,
    });
  }
  for (const item of report.transfer_mismatches) {
    rows.push({
      section: 'transfer_mismatches',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      camera_id: item.camera_id,
      reference: item.transfer_id,
      time: item.time,
      detail: `registered ${item.registered_sha256}; received by ${item.recipient_unit_id}: ${item.received_sha256}`,
    });
  }
  for (const item of report.deletions_under_hold) {
    rows.push({
      section: 'deletions_under_hold',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      camera_id: item.camera_id,
      reference: item.hold_id,
      time: item.time,
      detail: `${item.window.from}/${item.window.to}`,
    });
  }
  for (const item of report.deletions_before_retention) {
    rows.push({
      section: 'deletions_before_retention',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      camera_id: item.camera_id,
      reference: item.seq,
      time: item.time,
      detail: `${item.window.from}/${item.window.to}; kept until ${item.kept_until}`,
    });
  }
  for (const item of report.deletions_not_reported) {
    rows.push({
      section: 'deletions_not_reported',
      code: item.code,
      article: item.article,
      unit_id: item.unit_id,
      camera_id: item.camera_id,
      time: item.due_by,
      detail: `last deleted to ${item.last_deleted_to ?? 'never'}; retention ${item.retention_days} days`,
    });
  }
  for (const section of ['served_without_decision', 'served_outside_decision', 'unreconciled_sessions'] as const) {
    for (const item of report[section]) {
      rows.push({
        section,
        code: item.code,
        article: item.article,
        camera_id: String(item.camera_id ?? ''),
        reference: String(item.decision_id ?? item.session_id ?? item.reconciliation_id),
        time: String(item.time ?? ''),
        detail: [item.problem, item.path, item.line === undefined ? undefined : `line ${item.line}`, item.detail]
          .filter((part) => part !== undefined)
          .join('; '),
      });
    }
  }
  for (const item of report.denials_by_unit_camera) {
    rows.push({ section: 'denials_by_unit_camera', unit_id: item.unit_id, camera_id: item.camera_id, count: item.count });
  }
  for (const item of report.denials_by_day) rows.push({ section: 'denials_by_day', time: item.day, count: item.count });
  for (const item of report.accesses_by_camera) {
    rows.push({ section: 'allowed_by_camera', unit_id: item.unit_id, camera_id: item.camera_id, count: item.allowed });
    rows.push({ section: 'denied_by_camera', unit_id: item.unit_id, camera_id: item.camera_id, count: item.denied });
  }
  const verification = report.last_verification;
  rows.push({
    section: 'last_verification',
    reference: verification?.seq,
    time: verification?.time,
    detail: verification === null ? 'never verified' : verification.result.ok === true ? 'ok' : 'failed',
  });
  rows.push({ section: 'checkpoint', reference: report.checkpoint.root, count: report.checkpoint.tree_size });
  return rows;
}

export function reportCsv(report: ComplianceReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of reportRows(report)) lines.push(CSV_COLUMNS.map((column) => cell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
