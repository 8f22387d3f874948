/** The console's entry point: sign-in, navigation between the four views, and status messages. */
import { json, savedToken, saveToken } from './api.js';
import { byId } from './dom.js';
import { EntriesView } from './views/entries.js';
import { LedgerView } from './views/ledger.js';
import { ReportView } from './views/report.js';
import { RequestsView } from './views/requests.js';

const SECTIONS = ['ledger', 'entries', 'report', 'requests'] as const;
type Section = (typeof SECTIONS)[number];

function announce(message: string): void {
  byId('status').textContent = message;
}

const ledger = new LedgerView(announce);
const views: Record<Section, { show(): Promise<void> }> = {
  ledger,
  entries: new EntriesView(async () => ledger.trusted ?? (await ledger.check()), announce),
  report: new ReportView(announce),
  requests: new RequestsView(announce),
};

async function open(section: Section): Promise<void> {
  for (const name of SECTIONS) {
    byId(name).hidden = name !== section;
    const tab = byId(`tab-${name}`);
    if (name === section) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  try {
    await views[section].show();
  } catch (error) {
    announce((error as Error).message);
  }
}

async function signedIn(): Promise<void> {
  try {
    const me = await json<{ subject: string; unit: string; roles: string[] }>('/v1/me');
    byId('who').textContent = `${me.subject} (${me.unit}; ${me.roles.join(', ') || 'no roles'})`;
    byId('sign-in').hidden = true;
    byId('identity').hidden = false;
    byId('nav').hidden = false;
    await open('ledger');
  } catch (error) {
    saveToken(null);
    announce(`Sign-in failed: ${(error as Error).message}`);
  }
}

byId('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  saveToken(byId<HTMLTextAreaElement>('token').value.trim());
  void signedIn();
});
byId('sign-out').addEventListener('click', () => {
  saveToken(null);
  window.location.reload();
});
for (const name of SECTIONS) byId(`tab-${name}`).addEventListener('click', () => void open(name));
if (savedToken() !== null) void signedIn();
