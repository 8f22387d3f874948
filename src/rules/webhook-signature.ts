/**
 * Webhook signatures (docs/integrations/change-feed.md): HMAC-SHA256 with the subscription's secret
 * over the delivery's Unix timestamp, a full stop and the exact body bytes, sent as
 * `Footage-Warden-Signature: v1=<hex>` beside `Footage-Warden-Timestamp`. Receivers recompute it and
 * refuse a timestamp older than their tolerance, so a captured delivery cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The purpose a subscription's secret is sealed for under the master key (the vault's sealSecret). */
export const WEBHOOK_SECRET = 'webhook-secret';

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Whether `signature` signs `body` at `timestamp`, and the timestamp is within `toleranceSeconds` of `now`. */
export function verifyWebhook(
  secret: string,
  timestamp: number,
  body: string,
  signature: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  if (!Number.isSafeInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
