/**
 * For approvers: the access requests addressed to their unit that await a decision, kept live by
 * the unit's event stream (GET /v1/events): a request submitted, approved elsewhere, rejected or
 * withdrawn refreshes the queue without a reload.
 */
import { json, listenToEvents } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';

interface AccessRequest {
  id: string;
  kind: string;
  requester: { subject: string; unit: string };
  scope: { camera_ids: string[]; window: { from: string; to: string }; actions: string[] };
  approvals: number;
  approvals_needed: number;
  created_at: string;
}

const QUEUE_EVENTS = [
  'request.submitted',
  'request.approval_recorded',
  'request.approved',
  'request.rejected',
  'request.withdrawn',
].join(',');

export class RequestsView {
  private listening: AbortController | undefined;

  constructor(private readonly announce: (message: string) => void) {}

  async show(): Promise<void> {
    if (this.listening === undefined) {
      this.listening = new AbortController();
      void listenToEvents(
        `/v1/events?types=${QUEUE_EVENTS}`,
        (event) => {
          if (event.type === 'request.submitted') this.announce('A new access request arrived.');
          void this.refresh();
        },
        this.listening.signal,
      );
    }
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const page = await json<{ items: AccessRequest[] }>('/v1/access-requests?status=submitted&limit=200');
    const list = byId('request-list');
    if (page.items.length === 0) {
      replaceChildren(list, h('p', {}, 'No requests await a decision.'));
      return;
    }
    replaceChildren(list, ...page.items.map((item) => this.card(item)));
  }

  private card(item: AccessRequest): HTMLElement {
    const reasonId = `reason-${item.id}`;
    const reason = h('input', { id: reasonId, type: 'text', required: true, maxlength: '1000' });
    const status = h('p', { role: 'status' });
    const decide = async (decision: 'approve' | 'reject') => {
      if (reason.value.trim() === '') {
        status.textContent = 'State a reason first.';
        reason.focus();
        return;
      }
      try {
        const answer = await json<{ status: string }>(`/v1/access-requests/${item.id}/decisions`, {
          method: 'POST',
          body: JSON.stringify({ decision, reason: reason.value.trim() }),
        });
        status.textContent = `Request ${item.id}: ${answer.status}`;
        this.announce(status.textContent);
        await this.refresh();
      } catch (error) {
        status.textContent = (error as Error).message;
      }
    };
    const approve = h('button', { type: 'button' }, 'Approve');
    const reject = h('button', { type: 'button', class: 'secondary' }, 'Reject');
    approve.addEventListener('click', () => void decide('approve'));
    reject.addEventListener('click', () => void decide('reject'));
    return h(
      'article',
      { class: 'request', 'aria-label': `Request ${item.id}` },
      h('h3', {}, `${item.kind === 'emergency' ? 'Emergency' : 'State organ'} request from ${item.requester.unit}`),
      h(
        'dl',
        {},
        h('dt', {}, 'Request'),
        h('dd', {}, item.id),
        h('dt', {}, 'Cameras'),
        h('dd', {}, item.scope.camera_ids.join(', ')),
        h('dt', {}, 'Window'),
        h('dd', {}, `${item.scope.window.from} – ${item.scope.window.to}`),
        h('dt', {}, 'Actions'),
        h('dd', {}, item.scope.actions.join(', ')),
        h('dt', {}, 'Approvals'),
        h('dd', {}, `${item.approvals} of ${item.approvals_needed}`),
      ),
      h('label', { for: reasonId }, 'Reason for your decision'),
      reason,
      h('div', { class: 'actions' }, approve, reject),
      status,
    );
  }
}
