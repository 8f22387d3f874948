/**
 * pino options. Requests are logged by one line of our own (http/request-log.ts) that carries the
 * route template, never the raw URL, headers or body; redaction is the second line of defence for
 * anything that reaches a log object by another path.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Field names that may hold credentials or personal data, wherever they appear (two levels deep). */
export const REDACTED_FIELDS = [
  'authorization',
  'cookie',
  'token',
  'access_token',
  'password',
  'secret',
  'name',
  'person_name',
  'contact',
  'phone',
  'description',
  'reason',
  'officers',
  'badge_no',
  'case_no',
  'document_no',
] as const;

export function loggerOptions(level: string): LoggerOptions {
  const paths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  return {
    level,
    redact: { paths: [...paths, 'req.headers', 'req.query', 'req.body'], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination === undefined ? pino(loggerOptions(level)) : pino(loggerOptions(level), destination);
}
