/**
 * A unit's webhook subscriptions (webhook:manage, the unit administrator): created for the caller's
 * own unit only, so a unit is told of its own requests, grants, holds and transfers and of no other
 * unit's. The secret that signs deliveries is generated here and shown once, at creation.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Caller } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import { WEBHOOK_SECRET } from '../rules/webhook-signature.js';
import {
  type DeliveryState,
  deactivateSubscription,
  deliveriesOf,
  insertSubscription,
  listSubscriptions,
  readSubscription,
  type SubscriptionRow,
} from '../storage/feed-repository.js';
import type { ServiceContext } from './service-context.js';

export type { SubscriptionRow } from '../storage/feed-repository.js';

export class WebhookError extends DomainError<'webhook-not-permitted' | 'not-found' | 'invalid'> {}

type Context = Pick<ServiceContext, 'db' | 'access' | 'vault'> & { readonly allowPlainHttp: boolean };

function requireManage(context: Context, caller: Caller, unit: string): void {
  if (unit !== caller.unit || !context.access.current.index.allows(caller.subject, unit, 'webhook', 'manage')) {
    throw new WebhookError('webhook-not-permitted', `webhook:manage is not permitted for this caller in unit ${unit}`);
  }
}

export async function createSubscription(
  context: Context,
  caller: Caller,
  request: { readonly url: string; readonly events: readonly string[]; readonly unit_id?: string },
): Promise<{ subscription: SubscriptionRow; secret: string }> {
  requireManage(context, caller, request.unit_id ?? caller.unit);
  const url = new URL(request.url);
  if (url.protocol !== 'https:' && !(context.allowPlainHttp && url.protocol === 'http:')) {
    throw new WebhookError('invalid', 'the URL must be https://', 'url');
  }
  if (url.username !== '' || url.password !== '') throw new WebhookError('invalid', 'the URL must carry no credentials', 'url');
  const secret = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const subscription = await insertSubscription(context.db, {
    id,
    unitId: caller.unit,
    url: url.toString(),
    // Sealed under the master key: a reader of the database cannot sign deliveries.
    secret: context.vault.sealSecret(WEBHOOK_SECRET, id, secret),
    eventTypes: [...new Set(request.events)],
    createdBy: caller.subject,
  });
  return { subscription, secret };
}

export async function subscriptionsOf(context: Context, caller: Caller): Promise<SubscriptionRow[]> {
  requireManage(context, caller, caller.unit);
  return listSubscriptions(context.db, caller.unit);
}

async function ownSubscription(context: Context, caller: Caller, id: string): Promise<SubscriptionRow> {
  requireManage(context, caller, caller.unit);
  const subscription = await readSubscription(context.db, id);
  // Another unit's subscription is answered as absent.
  if (subscription === undefined || subscription.unitId !== caller.unit)
    throw new WebhookError('not-found', `no subscription ${id}`);
  return subscription;
}

export async function deactivate(context: Context, caller: Caller, id: string): Promise<SubscriptionRow> {
  const subscription = await ownSubscription(context, caller, id);
  await deactivateSubscription(context.db, id);
  return { ...subscription, active: false };
}

export async function deliveryStates(context: Context, caller: Caller, id: string, limit: number): Promise<DeliveryState[]> {
  await ownSubscription(context, caller, id);
  return deliveriesOf(context.db, id, limit);
}
