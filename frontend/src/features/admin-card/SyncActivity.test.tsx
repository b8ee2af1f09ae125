import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { never } from 'wonka';
import { formatWhen } from '../../shared/lib/format';
import {
  createMockClient,
  graphqlError,
  MockProvider,
  silent,
  subscriptionSubject,
  variablesOf,
  type MockHandlers,
} from '../../testing/mockClient';
import type { Integration, SyncRecord, SyncSummary } from './fragments';
import { HubspotCard } from './HubspotCard';
import { enabled } from './testFixtures';


let seq = 0;
function record(overrides: Partial<SyncRecord> = {}): SyncRecord {
  seq += 1;
  return {
    id: `hss_${seq}`,
    conversationId: `cnv_${seq}`,
    status: 'QUEUED',
    reasonCode: null,
    reason: null,
    detail: null,
    closedAt: '2025-01-02T10:30:00Z',
    closeNumber: 1,
    matchedHow: null,
    matchedBy: null,
    contactId: null,
    contactName: null,
    contactUrl: null,
    attempts: 0,
    nextAttemptAt: null,
    warnings: [],
    attemptErrors: [],
    createdAt: '2025-01-02T10:30:00Z',
    updatedAt: '2025-01-02T10:30:00Z',
    customer: { id: `cus_${seq}`, name: `Customer ${seq}`, email: `customer${seq}@example.com`, phone: null },
    ...overrides,
  };
}

function summary(counts: Partial<Omit<SyncSummary, 'total' | 'nextAttemptAt'>> = {}, nextAttemptAt: string | null = null): SyncSummary {
  const all = { queued: 0, running: 0, synced: 0, skipped: 0, waiting: 0, failed: 0, cancelled: 0, ...counts };
  return { ...all, total: Object.values(all).reduce((a, b) => a + b, 0), nextAttemptAt };
}

function activity(nodes: SyncRecord[], counts: Partial<SyncSummary>, page: { endCursor?: string | null; hasNextPage?: boolean } = {}) {
  return {
    data: {
      hubspotSyncSummary: summary(counts),
      hubspotSyncs: { nodes, endCursor: page.endCursor ?? null, hasNextPage: page.hasNextPage ?? false },
    },
  };
}

function renderCard(handlers: MockHandlers, integration: Integration = enabled) {
  const mock = createMockClient({
    HubspotIntegration: () => ({ data: { hubspotIntegration: integration } }),
    HubspotIntegrationChanged: silent,
    HubspotSyncUpdated: silent,
    ...handlers,
  });
  render(
    <MockProvider client={mock.client}>
      <HubspotCard />
    </MockProvider>,
  );
  return mock;
}

const section = () => screen.getByRole('region', { name: 'Sync activity' });
const records = () => within(section()).getByRole('list', { name: 'Recent syncs' });
/** The list item of the record whose customer is `name`. */
function row(name: string): HTMLElement {
  const item = within(records()).getByText(name, { selector: '.sync-record__who strong' }).closest('li');
  if (!item) throw new Error(`no row for ${name}`);
  return item;
}

const alice = record({
  status: 'SYNCED',
  matchedBy: 'EMAIL',
  contactId: '501',
  contactName: 'Alice Johnson',
  contactUrl: 'https://app.hubspot.com/contacts/12345678/record/0-1/501',
  attempts: 1,
  customer: { id: 'cus_alice', name: 'Alice Johnson', email: 'alice@example.com', phone: null },
});

describe('Sync activity: each outcome in words', () => {
  it.each([
    [{ status: 'QUEUED' }, 'Queued'],
    [{ status: 'RUNNING', attempts: 1 }, 'Writing to HubSpot…'],
    [{ status: 'SYNCED', matchedBy: 'EMAIL', contactName: 'Alice Johnson', contactId: '501', contactUrl: 'https://app.hubspot.com/contacts/1/record/0-1/501' }, 'Written to HubSpot: Alice Johnson ↗ (matched by email)'],
    [{ status: 'SYNCED', matchedBy: 'PHONE', contactName: 'Alice Johnson', contactId: '501', contactUrl: 'https://app.hubspot.com/contacts/1/record/0-1/501' }, 'Written to HubSpot: Alice Johnson ↗ (matched by phone)'],
    [{ status: 'SYNCED', matchedBy: 'CRM_ID', contactName: 'Alice Johnson', contactId: '501', contactUrl: 'https://app.hubspot.com/contacts/1/record/0-1/501' }, 'Written to HubSpot: Alice Johnson ↗ (matched by CRM link)'],
    [{ status: 'SYNCED', matchedBy: 'CREATED', contactName: null, contactId: '777', contactUrl: 'https://app.hubspot.com/contacts/1/record/0-1/777' }, 'Written to HubSpot: contact 777 ↗ (new contact)'],
    [{ status: 'SKIPPED', reasonCode: 'ANONYMOUS', reason: 'No email, phone or name.' }, 'Skipped. No email, phone or name.'],
    [{ status: 'SKIPPED', reasonCode: 'NOT_THIS_PERSON', reason: null }, "Skipped. The only HubSpot contact with this customer's email was unlinked as not this person. Choose the right contact in User Details (Change contact), then Retry."],
    [{ status: 'WAITING', reasonCode: 'HUBSPOT_UNAVAILABLE', attempts: 2, nextAttemptAt: '2025-01-02T14:05:00Z' }, `Waiting, next try on ${formatWhen('2025-01-02T14:05:00Z')}. HubSpot is not answering. Convrs tries again by itself; nothing to do.`],
    [{ status: 'WAITING', reasonCode: 'RATE_LIMITED', attempts: 1, nextAttemptAt: '2025-01-02T14:05:00Z' }, `Waiting, next try on ${formatWhen('2025-01-02T14:05:00Z')}. HubSpot asked Convrs to slow down.`],
    [{ status: 'WAITING', reasonCode: 'INTEGRATION_ERROR', attempts: 1, nextAttemptAt: '2025-01-02T14:05:00Z' }, 'Waiting for HubSpot to be reconnected. HubSpot no longer accepts Convrs\'s authorization. An administrator can Reconnect HubSpot'],
    [{ status: 'FAILED', reasonCode: 'REJECTED', reason: 'HubSpot refused the data Convrs sent for this transcript as invalid, so it was not written.', attempts: 1 }, 'Failed after 1 attempt. HubSpot refused the data Convrs sent for this transcript as invalid, so it was not written.'],
    [{ status: 'FAILED', reasonCode: 'RETRIES_EXHAUSTED', reason: 'Failed: HubSpot kept failing after 8 attempts (500).', attempts: 8 }, 'Failed after 8 attempts. HubSpot kept failing after 8 attempts (500).'],
    [{ status: 'FAILED', reasonCode: 'RETRIES_EXHAUSTED', reason: null, attempts: 8 }, 'Failed after 8 attempts. HubSpot did not answer, so Convrs stopped trying. Press Retry once HubSpot works again.'],
    [{ status: 'CANCELLED', reasonCode: 'DISABLED' }, 'Cancelled. HubSpot was disconnected before this transcript was written.'],
  ] as const)('%j → %s', (overrides, words) => {
    const r = record(overrides as Partial<SyncRecord>);
    renderCard({ HubspotSyncActivity: () => activity([r], { [r.status.toLowerCase()]: 1 }) });
    expect(row(r.customer.name!)).toHaveTextContent(words);
    expect(row(r.customer.name!)).not.toHaveTextContent(/Failed: Failed:|correlation/);
  });

  it('shows who, the contact link opening in a new tab, when, and any warnings', () => {
    const warned = { ...alice, warnings: ['The stored phone number +44 20 0000 is not a valid number; it was ignored for matching.'] };
    renderCard({ HubspotSyncActivity: () => activity([warned], { synced: 1 }) });
    const item = row('Alice Johnson');
    expect(item).toHaveTextContent('alice@example.com');
    const link = within(item).getByRole('link', { name: /Alice Johnson/ });
    expect(link).toHaveAttribute('href', alice.contactUrl);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(within(item).getByRole('list', { name: 'Warnings' })).toHaveTextContent('not a valid number');
    const when = within(item).getByText((_, el) => el?.tagName === 'TIME');
    expect(when).toHaveAttribute('dateTime', alice.closedAt);
    expect(when.getAttribute('title')).toMatch(/2025/);
  });

  it('never turns a contact URL that is not a web address into a link', () => {
    const hostile = { ...alice, contactUrl: 'javascript:alert(1)' };
    renderCard({ HubspotSyncActivity: () => activity([hostile], { synced: 1 }) });
    expect(row('Alice Johnson')).toHaveTextContent('Written to HubSpot: Alice Johnson');
    expect(within(row('Alice Johnson')).queryByRole('link', { name: /Alice Johnson/ })).not.toBeInTheDocument();
  });

  it('links each row to its conversation', () => {
    renderCard({ HubspotSyncActivity: () => activity([alice], { synced: 1 }) });
    const link = within(row('Alice Johnson')).getByRole('link', { name: 'Open conversation' });
    expect(link).toHaveAttribute('href', `#/chat/${alice.conversationId}`);
    expect(link).toHaveAccessibleDescription(/Alice Johnson/);
  });

  it('keeps HubSpot’s own answer behind Details, apart from the words', async () => {
    const user = userEvent.setup();
    const failed = record({
      status: 'FAILED',
      reasonCode: 'REJECTED',
      attempts: 1,
      reason: 'HubSpot refused the data Convrs sent for this transcript as invalid, so it was not written. Check the customer’s email and phone number, then Retry.',
      detail: 'HubSpot answered 400 VALIDATION_ERROR: Property values were not valid (correlation ID 5d1e-77)',
      customer: { id: 'cv', name: 'Victor Valid', email: 'victor@example', phone: null },
    });
    renderCard({ HubspotSyncActivity: () => activity([failed], { failed: 1 }) });
    const words = within(row('Victor Valid')).getByText(/refused the data/);
    expect(words).not.toHaveTextContent(/correlation|VALIDATION_ERROR|Failed:/);
    const details = within(row('Victor Valid')).getByText('Details');
    const detailText = within(row('Victor Valid')).getByText(/correlation ID 5d1e-77/);
    expect(detailText).not.toBeVisible();
    await user.click(details);
    expect(detailText).toBeVisible();
  });

  it('says how each contact was chosen beside a written transcript, and what happened (HubSpot’s answer behind Details) beside a failed one', async () => {
    const user = userEvent.setup();
    const chosen = record({
      status: 'SYNCED',
      matchedBy: 'CHOSEN',
      matchedHow: 'chosen by Sam Agent on 7 Dec',
      contactName: 'Robert Smith',
      contactId: '102',
      contactUrl: 'https://app.hubspot.com/contacts/1/record/0-1/102',
      customer: { id: 'cb', name: 'Bob Smith', email: 'bob@example.com', phone: null },
    });
    const failed = record({
      status: 'FAILED',
      reasonCode: 'REJECTED',
      attempts: 1,
      matchedBy: 'EMAIL',
      matchedHow: 'matched by email (fay@example.com)',
      reason: 'HubSpot refused the data Convrs sent for this transcript as invalid, so it was not written.',
      detail: 'HubSpot answered 400 VALIDATION_ERROR (correlation ID 9f00-12)',
      customer: { id: 'cf', name: 'Fay Failed', email: 'fay@example.com', phone: null },
    });
    renderCard({ HubspotSyncActivity: () => activity([chosen, failed], { synced: 1, failed: 1 }) });
    expect(row('Bob Smith')).toHaveTextContent('Written to HubSpot: Robert Smith ↗ (chosen by Sam Agent on 7 Dec)');
    expect(within(row('Bob Smith')).queryByText('Details')).not.toBeInTheDocument();
    expect(row('Fay Failed')).toHaveTextContent('Failed after 1 attempt. HubSpot refused the data Convrs sent for this transcript as invalid');
    const detailText = within(row('Fay Failed')).getByText(/correlation ID 9f00-12/);
    expect(detailText).not.toBeVisible();
    await user.click(within(row('Fay Failed')).getByText('Details'));
    expect(detailText).toBeVisible();
  });

  it('lists every attempt that did not succeed behind Details: when it ended and why, in words', async () => {
    const user = userEvent.setup();
    const outage = 'Convrs could not reach its own database, cache or network for a moment, so it will try again shortly.';
    const unanswered = 'HubSpot did not answer, so Convrs will try again.';
    const waiting = record({
      status: 'WAITING',
      reasonCode: 'HUBSPOT_UNAVAILABLE',
      reason: unanswered,
      attempts: 2,
      attemptErrors: [
        { at: '2025-01-02T10:31:00Z', attempt: 1, reason: outage },
        { at: '2025-01-02T10:33:00Z', attempt: 2, reason: unanswered },
      ],
      customer: { id: 'cw', name: 'Wanda Waiting', email: null, phone: null },
    });
    const fresh = record({ customer: { id: 'cq', name: 'Quinn Queued', email: null, phone: null } });
    renderCard({ HubspotSyncActivity: () => activity([waiting, fresh], { waiting: 1, queued: 1 }) });

    // Only a record with something to detail has the disclosure.
    expect(within(row('Quinn Queued')).queryByText('Details')).not.toBeInTheDocument();
    const attempts = within(row('Wanda Waiting')).getByRole('list', { name: 'Attempts that did not succeed', hidden: true });
    expect(attempts).not.toBeVisible();
    await user.click(within(row('Wanda Waiting')).getByText('Details'));
    expect(attempts).toBeVisible();
    const items = within(attempts).getAllByRole('listitem');
    const now = new Date();
    expect(items.map((li) => li.textContent)).toEqual([
      `Attempt 1 (${formatWhen('2025-01-02T10:31:00Z', now)}): ${outage}`,
      `Attempt 2 (${formatWhen('2025-01-02T10:33:00Z', now)}): ${unanswered}`,
    ]);
    expect(within(items[0]).getByText(formatWhen('2025-01-02T10:31:00Z', now))).toHaveAttribute('dateTime', '2025-01-02T10:31:00Z');
  });

  it('names an anonymous visitor as such and shows the phone when there is no email', () => {
    const anonymous = record({ status: 'SKIPPED', reasonCode: 'ANONYMOUS', customer: { id: 'cus_x', name: null, email: null, phone: null } });
    const byPhone = record({ customer: { id: 'cus_p', name: 'Bob Phone', email: null, phone: '+447911123456' } });
    renderCard({ HubspotSyncActivity: () => activity([anonymous, byPhone], { skipped: 1, queued: 1 }) });
    expect(row('Anonymous visitor')).toHaveTextContent('Skipped. The customer is an anonymous visitor');
    expect(row('Bob Phone')).toHaveTextContent('+447911123456');
  });
});

describe('Sync activity: counts, empty, states', () => {
  it('counts the records by outcome', () => {
    renderCard({ HubspotSyncActivity: () => activity([alice], { synced: 12, failed: 2, waiting: 1 }) });
    const counts = within(section()).getByRole('list', { name: 'Syncs by outcome' });
    const items = within(counts).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['15 conversations', '12 written', '1 waiting', '2 failed']);
  });

  it('says what will appear when nothing was synced yet', () => {
    renderCard({ HubspotSyncActivity: () => activity([], {}) });
    expect(section()).toHaveTextContent('No transcripts yet. Each conversation that closes from now on appears here.');
  });

  it('says it is loading, and why it could not load', () => {
    renderCard({ HubspotSyncActivity: () => never });
    expect(section()).toHaveTextContent('Loading sync activity…');
  });

  it('shows the error when the activity cannot be loaded', () => {
    renderCard({ HubspotSyncActivity: () => ({ error: graphqlError('The database is not reachable.', 'EUNAVAILABLE') }) });
    expect(within(section()).getByText('Sync activity could not be loaded.')).toBeInTheDocument();
    expect(section()).toHaveTextContent('The database is not reachable.');
  });

  it('ERROR: the syncs wait for Reconnect; Retry is offered, Backfill is not', () => {
    const failed = record({ status: 'FAILED', reason: 'HubSpot refused the note.', attempts: 3 });
    renderCard({ HubspotSyncActivity: () => activity([failed], { failed: 1 }) }, { ...enabled, state: 'ERROR', errorReason: 'The app was uninstalled.' });
    expect(section()).toHaveTextContent(/resume by themselves after Reconnect/);
    expect(within(row(failed.customer.name!)).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Sync conversations closed/ })).not.toBeInTheDocument();
  });

  it('after Disable: the history stays readable, without Retry or Backfill', () => {
    const cancelled = record({ status: 'CANCELLED', reasonCode: 'DISABLED' });
    renderCard(
      { HubspotSyncActivity: () => activity([cancelled], { cancelled: 1 }) },
      { ...enabled, state: 'DISCONNECTED', portalId: null, hubUserEmail: null, enabledAt: null },
    );
    const history = screen.getByRole('region', { name: 'Sync history' });
    expect(history).toHaveTextContent('Cancelled. HubSpot was disconnected');
    expect(within(history).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    expect(within(history).queryByRole('button', { name: /Sync conversations closed/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Integrate' })).toBeInTheDocument();
  });

  it('without any history and not syncing, there is no section at all', () => {
    renderCard({ HubspotSyncActivity: () => activity([], {}) }, { ...enabled, state: 'CONNECTED', enabledAt: null });
    expect(screen.getByRole('button', { name: 'Enable' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: /Sync (activity|history)/ })).not.toBeInTheDocument();
  });
});

describe('Sync activity: Disable', () => {
  it('shows the waiting rows as cancelled in the same tab, without a reload', async () => {
    const changes = subscriptionSubject();
    const waiting = record({ status: 'WAITING', reasonCode: 'HUBSPOT_UNAVAILABLE', customer: { id: 'cw', name: 'Waiting Wendy', email: null, phone: null } });
    const cancelled = {
      ...waiting,
      status: 'CANCELLED' as const,
      reasonCode: 'DISABLED',
      reason: 'HubSpot was disconnected before this transcript was written.',
      updatedAt: '2025-01-02T11:00:00Z',
    };
    let calls = 0;
    renderCard({
      HubspotIntegrationChanged: () => changes.source,
      HubspotSyncActivity: () => (++calls === 1 ? activity([waiting], { waiting: 1 }) : activity([cancelled], { cancelled: 1 })),
    });
    expect(row('Waiting Wendy')).toHaveTextContent('Waiting');
    act(() => changes.next({ hubspotIntegrationChanged: { ...enabled, state: 'DISCONNECTED', portalId: null, hubUserEmail: null, enabledAt: null } }));
    const history = await screen.findByRole('region', { name: 'Sync history' });
    expect(await within(history).findByText(/HubSpot was disconnected/)).toBeInTheDocument();
    expect(within(history).getByRole('list', { name: 'Syncs by outcome' })).toHaveTextContent('1 cancelled');
  });
});

describe('Sync activity: live', () => {
  it('updates the row and the counts when a record changes, without a reload', () => {
    const events = subscriptionSubject();
    const queued = record({ customer: { id: 'cus_g', name: 'Grace Hopper', email: 'grace@example.com', phone: null } });
    const mock = renderCard({
      HubspotSyncActivity: () => activity([queued], { queued: 1, synced: 4 }),
      HubspotSyncUpdated: () => events.source,
      HubspotSyncSummary: () => ({ data: { hubspotSyncSummary: summary({ synced: 5 }) } }),
    });
    expect(row('Grace Hopper')).toHaveTextContent('Queued');

    const done = { ...queued, status: 'SYNCED' as const, matchedBy: 'PHONE' as const, contactId: '9', contactName: 'Grace Hopper', contactUrl: 'https://app.hubspot.com/contacts/1/record/0-1/9', attempts: 1, updatedAt: '2025-01-02T10:31:00Z' };
    act(() => events.next({ hubspotSyncUpdated: done }));
    expect(row('Grace Hopper')).toHaveTextContent('Written to HubSpot: Grace Hopper ↗ (matched by phone)');
    return expect
      .poll(() => within(section()).getByRole('list', { name: 'Syncs by outcome' }).textContent)
      .toBe('5 conversations5 written')
      .then(() => expect(variablesOf(mock.executeQuery, 'HubspotSyncSummary').length).toBeGreaterThanOrEqual(1));
  });

  it('when live updates are interrupted (ERESYNC), says so, then reads the list again and shows what changed meanwhile', async () => {
    vi.useFakeTimers();
    try {
      const subs: ReturnType<typeof subscriptionSubject>[] = [];
      const queued = record({ customer: { id: 'cus_o', name: 'Olive Outage', email: null, phone: null } });
      // Written while Redis was down: no event came, only the refetch can show it.
      const written = { ...queued, status: 'SYNCED' as const, contactId: '7', contactName: 'Olive Outage', attempts: 1, updatedAt: '2025-01-02T10:32:00Z' };
      let reads = 0;
      renderCard({
        HubspotSyncActivity: () => (++reads === 1 ? activity([queued], { queued: 1 }) : activity([written], { synced: 1 })),
        HubspotSyncUpdated: () => {
          const s = subscriptionSubject();
          subs.push(s);
          return s.source;
        },
      });
      expect(row('Olive Outage')).toHaveTextContent('Queued');
      expect(within(section()).queryByText(/Live updates paused/)).not.toBeInTheDocument();

      act(() => subs[0].fail('ERESYNC'));
      expect(within(section()).getByRole('status')).toHaveTextContent('Live updates paused: reconnecting… This list may miss the latest changes until then.');
      expect(reads).toBe(1);

      await act(async () => {
        await vi.advanceTimersByTimeAsync(500);
      });
      expect(subs).toHaveLength(2);
      expect(reads).toBe(2);
      expect(row('Olive Outage')).toHaveTextContent('Written to HubSpot');
      expect(within(section()).getByRole('list', { name: 'Syncs by outcome' })).toHaveTextContent('1 written');

      await act(async () => {
        await vi.advanceTimersByTimeAsync(1_000);
      });
      expect(within(section()).queryByText(/Live updates paused/)).not.toBeInTheDocument();
      expect(reads).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('adds a new record at the top and ignores an older version arriving late', async () => {
    const events = subscriptionSubject();
    const older = record({ closedAt: '2025-01-02T09:00:00Z', createdAt: '2025-01-02T09:00:00Z', customer: { id: 'c1', name: 'Older One', email: null, phone: null } });
    renderCard({
      HubspotSyncActivity: () => activity([older], { queued: 1 }),
      HubspotSyncUpdated: () => events.source,
      HubspotSyncSummary: () => ({ data: { hubspotSyncSummary: summary({ queued: 2 }) } }),
    });
    const fresh = record({ closedAt: '2025-01-02T11:00:00Z', createdAt: '2025-01-02T11:00:00Z', updatedAt: '2025-01-02T11:00:05Z', status: 'RUNNING', customer: { id: 'c2', name: 'Newest One', email: null, phone: null } });
    act(() => events.next({ hubspotSyncUpdated: fresh }));
    act(() => events.next({ hubspotSyncUpdated: { ...fresh, status: 'QUEUED', updatedAt: '2025-01-02T11:00:00Z' } }));
    const names = within(records()).getAllByRole('listitem').map((li) => li.querySelector('strong')?.textContent);
    expect(names).toEqual(['Newest One', 'Older One']);
    expect(row('Newest One')).toHaveTextContent('Writing to HubSpot…');
    await expect.poll(() => section().textContent).toContain('2 queued');
  });
});

describe('Sync activity: Retry', () => {
  it('offers Retry on failed, skipped and cancelled records only, and shows the requeued record', async () => {
    const user = userEvent.setup();
    const failed = record({ status: 'FAILED', reason: 'HubSpot refused the note.', attempts: 5, customer: { id: 'cf', name: 'Failed Fiona', email: null, phone: null } });
    const skipped = record({ status: 'SKIPPED', reasonCode: 'ANONYMOUS', customer: { id: 'cs', name: 'Skipped Sam', email: null, phone: null } });
    const cancelled = record({ status: 'CANCELLED', reasonCode: 'DISABLED', customer: { id: 'cc', name: 'Cancelled Carl', email: null, phone: null } });
    const waiting = record({ status: 'WAITING', reasonCode: 'HUBSPOT_UNAVAILABLE', nextAttemptAt: '2025-01-02T14:05:00Z', customer: { id: 'cw', name: 'Waiting Wendy', email: null, phone: null } });
    const mock = renderCard({
      HubspotSyncActivity: () => activity([failed, skipped, cancelled, waiting, alice], { failed: 1, skipped: 1, cancelled: 1, waiting: 1, synced: 1 }),
      RetryHubspotSync: () => ({ data: { retryHubspotSync: { ...failed, status: 'QUEUED', reason: null, reasonCode: null, updatedAt: '2025-01-02T12:00:00Z' } } }),
      HubspotSyncSummary: () => ({ data: { hubspotSyncSummary: summary({ queued: 1, skipped: 1, cancelled: 1, waiting: 1, synced: 1 }) } }),
    });
    for (const name of ['Skipped Sam', 'Cancelled Carl']) expect(within(row(name)).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    for (const name of ['Waiting Wendy', 'Alice Johnson']) expect(within(row(name)).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();

    const retry = within(row('Failed Fiona')).getByRole('button', { name: 'Retry' });
    expect(retry).toHaveAccessibleDescription('Failed Fiona');
    await user.click(retry);
    expect(variablesOf(mock.executeMutation, 'RetryHubspotSync')).toEqual([{ conversationId: failed.conversationId }]);
    expect(row('Failed Fiona')).toHaveTextContent('Queued');
    expect(within(row('Failed Fiona')).getByRole('status')).toHaveTextContent('Queued again.');
    expect(within(row('Failed Fiona')).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    await expect.poll(() => section().textContent).toContain('1 queued');
  });

  it('says why a retry was refused and keeps the record as it was', async () => {
    const user = userEvent.setup();
    const failed = record({ status: 'FAILED', reason: 'HubSpot refused the note.', attempts: 5, customer: { id: 'cf', name: 'Failed Fiona', email: null, phone: null } });
    renderCard({
      HubspotSyncActivity: () => activity([failed], { failed: 1 }),
      RetryHubspotSync: () => ({ error: graphqlError('Only a failed, skipped or cancelled sync can be retried.', 'ECONFLICT') }),
    });
    await user.click(within(row('Failed Fiona')).getByRole('button', { name: 'Retry' }));
    expect(within(row('Failed Fiona')).getByRole('alert')).toHaveTextContent('Retry failed: Only a failed, skipped or cancelled sync can be retried.');
    expect(row('Failed Fiona')).toHaveTextContent('Failed after 5 attempts. HubSpot refused the note.');
  });
});

describe('Sync activity: paging', () => {
  it('Show more loads the next page after the last cursor, until there is none', async () => {
    const user = userEvent.setup();
    const first = record({ customer: { id: 'p1', name: 'Page One', email: null, phone: null }, closedAt: '2025-01-02T12:00:00Z' });
    const second = record({ customer: { id: 'p2', name: 'Page Two', email: null, phone: null }, closedAt: '2025-01-02T11:00:00Z' });
    const third = record({ customer: { id: 'p3', name: 'Page Three', email: null, phone: null }, closedAt: '2025-01-02T10:00:00Z' });
    const mock = renderCard({
      HubspotSyncActivity: () => activity([first], { queued: 3 }, { endCursor: 'c1', hasNextPage: true }),
      HubspotSyncsPage: ({ after }) =>
        after === 'c1'
          ? { data: { hubspotSyncs: { nodes: [second], endCursor: 'c2', hasNextPage: true } } }
          : { data: { hubspotSyncs: { nodes: [third], endCursor: 'c3', hasNextPage: false } } },
    });
    expect(variablesOf(mock.executeQuery, 'HubspotSyncActivity')).toEqual([{ first: 20 }]);
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(row('Page Two')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(row('Page Three')).toBeInTheDocument();
    expect(variablesOf(mock.executeQuery, 'HubspotSyncsPage')).toEqual([
      { first: 20, after: 'c1' },
      { first: 20, after: 'c2' },
    ]);
    const names = within(records()).getAllByRole('listitem').map((li) => li.querySelector('strong')?.textContent);
    expect(names).toEqual(['Page One', 'Page Two', 'Page Three']);
    expect(screen.queryByRole('button', { name: 'Show more' })).not.toBeInTheDocument();
  });

  it('says when the next page could not be loaded and lets the admin try again', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderCard({
      HubspotSyncActivity: () => activity([alice], { synced: 2 }, { endCursor: 'c1', hasNextPage: true }),
      HubspotSyncsPage: () => {
        calls += 1;
        return calls === 1
          ? { error: graphqlError('The database is not reachable.', 'EUNAVAILABLE') }
          : { data: { hubspotSyncs: { nodes: [record({ customer: { id: 'x', name: 'Second Try', email: null, phone: null } })], endCursor: null, hasNextPage: false } } };
      },
    });
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(within(section()).getByRole('alert')).toHaveTextContent('More syncs could not be loaded: The database is not reachable.');
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(row('Second Try')).toBeInTheDocument();
    expect(within(section()).queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('Sync activity: Backfill', () => {
  it('asks how many, confirms with the count, queues them and says so', async () => {
    const user = userEvent.setup();
    let loads = 0;
    const mock = renderCard({
      HubspotSyncActivity: () => {
        loads += 1;
        return activity([alice], { synced: 1 });
      },
      HubspotBackfillCount: ({ days }) => ({ data: { hubspotBackfillCount: days === 7 ? 12 : 40 } }),
      BackfillHubspotSyncs: () => ({ data: { backfillHubspotSyncs: 12 } }),
    });
    await user.click(screen.getByRole('button', { name: 'Sync conversations closed in the last 7 days' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sync 12 conversations to HubSpot?' });
    expect(dialog).toHaveAccessibleDescription(/12 conversations closed in the last 7 days were never written to HubSpot/);
    expect(variablesOf(mock.executeQuery, 'HubspotBackfillCount')).toEqual([{ days: 7 }]);
    await user.click(within(dialog).getByRole('button', { name: 'Queue 12 conversations' }));

    expect(variablesOf(mock.executeMutation, 'BackfillHubspotSyncs')).toEqual([{ days: 7 }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(within(section()).getByText('Queued 12 conversations closed in the last 7 days. Each one’s progress shows in the Sync activity list above, by the day it closed.')).toBeInTheDocument();
    expect(loads).toBe(2);
  });

  it('Cancel queues nothing; 30 days asks for 30', async () => {
    const user = userEvent.setup();
    const mock = renderCard({
      HubspotSyncActivity: () => activity([alice], { synced: 1 }),
      HubspotBackfillCount: ({ days }) => ({ data: { hubspotBackfillCount: days === 30 ? 1 : 0 } }),
    });
    await user.click(screen.getByRole('button', { name: 'Sync conversations closed in the last 30 days' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sync 1 conversation to HubSpot?' });
    expect(dialog).toHaveAccessibleDescription(/1 conversation closed in the last 30 days was never written/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('says there is nothing to sync instead of asking to queue none', async () => {
    const user = userEvent.setup();
    const mock = renderCard({
      HubspotSyncActivity: () => activity([alice], { synced: 1 }),
      HubspotBackfillCount: () => ({ data: { hubspotBackfillCount: 0 } }),
    });
    await user.click(screen.getByRole('button', { name: 'Sync conversations closed in the last 7 days' }));
    expect(await within(section()).findByText(/Nothing to sync: every conversation closed in the last 7 days already has a sync record/)).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('keeps the dialog open with the error when queueing fails', async () => {
    const user = userEvent.setup();
    renderCard({
      HubspotSyncActivity: () => activity([alice], { synced: 1 }),
      HubspotBackfillCount: () => ({ data: { hubspotBackfillCount: 3 } }),
      BackfillHubspotSyncs: () => ({ error: graphqlError('Syncing is not enabled.', 'ECONFLICT') }),
    });
    await user.click(screen.getByRole('button', { name: 'Sync conversations closed in the last 7 days' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Queue 3 conversations' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Syncing is not enabled.');
  });

  it('says when the count could not be asked', async () => {
    const user = userEvent.setup();
    renderCard({
      HubspotSyncActivity: () => activity([alice], { synced: 1 }),
      HubspotBackfillCount: () => ({ error: graphqlError('Only admins can do that.', 'EFORBIDDEN') }),
    });
    await user.click(screen.getByRole('button', { name: 'Sync conversations closed in the last 7 days' }));
    expect(await within(section()).findByRole('alert')).toHaveTextContent('Could not count the conversations to sync: Only admins can do that.');
  });
});

describe('Sync activity: HubSpot not answering', () => {
  it('shows since when, how many wait and the next try, in the workspace’s clock, while it lasts', () => {
    const since = '2025-01-02T08:43:00Z';
    const next = '2025-01-02T08:51:00Z';
    renderCard(
      { HubspotSyncActivity: () => ({ data: { ...activity([], {}).data, hubspotSyncSummary: summary({ waiting: 12 }, next) } }) },
      { ...enabled, health: { unansweredSince: since, detail: 'HubSpot answered 503 Service Unavailable' } },
    );
    const banner = within(section()).getByText(/HubSpot has not answered since/);
    expect(banner).toHaveTextContent(`HubSpot has not answered since ${formatWhen(since)} — 12 transcripts waiting, next try ${formatWhen(next)}.`);
  });

  it('shows no health line while HubSpot answers', () => {
    renderCard({ HubspotSyncActivity: () => activity([], { waiting: 1 }) });
    expect(screen.queryByText(/has not answered/)).not.toBeInTheDocument();
  });
});

describe('Sync activity: the next attempt', () => {
  it('says "retrying at" a time today', () => {
    const today = new Date();
    today.setHours(12, 0, 0, 0);
    const soon = today.toISOString();
    const waiting = record({ status: 'WAITING', reasonCode: 'HUBSPOT_UNAVAILABLE', attempts: 1, nextAttemptAt: soon });
    renderCard({ HubspotSyncActivity: () => activity([waiting], { waiting: 1 }) });
    expect(row(waiting.customer.name!)).toHaveTextContent(`Waiting, next try at ${formatWhen(soon)}`);
  });
});

describe('Sync activity: one outcome at a time', () => {
  it('choosing a count lists only that outcome, and the total lists all again', async () => {
    const user = userEvent.setup();
    const failed = record({ status: 'FAILED', reason: 'HubSpot refused the note.', attempts: 5, customer: { id: 'cf', name: 'Failed Fiona', email: null, phone: null } });
    const mock = renderCard({
      HubspotSyncActivity: ({ status }) =>
        status === 'FAILED' ? activity([failed], { synced: 1, failed: 1 }) : activity([alice, failed], { synced: 1, failed: 1 }),
    });
    const counts = () => within(section()).getByRole('list', { name: 'Syncs by outcome' });
    await user.click(within(counts()).getByRole('button', { name: '1 failed' }));
    expect(within(counts()).getByRole('button', { name: '1 failed' })).toHaveAttribute('aria-pressed', 'true');
    expect(within(counts()).getByRole('button', { name: '2 conversations' })).toHaveAttribute('aria-pressed', 'false');
    expect(within(records()).getAllByRole('listitem')).toHaveLength(1);
    expect(row('Failed Fiona')).toBeInTheDocument();
    expect(variablesOf(mock.executeQuery, 'HubspotSyncActivity').at(-1)).toEqual({ first: 20, status: 'FAILED' });

    await user.click(within(counts()).getByRole('button', { name: '2 conversations' }));
    expect(row('Alice Johnson')).toBeInTheDocument();
    expect(within(counts()).getByRole('button', { name: '2 conversations' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('a live record of another outcome does not join a filtered list; one of the chosen outcome does', async () => {
    const user = userEvent.setup();
    const events = subscriptionSubject();
    const failed = record({ status: 'FAILED', reason: 'Refused.', attempts: 1, closedAt: '2025-01-02T09:00:00Z', createdAt: '2025-01-02T09:00:00Z', customer: { id: 'cf', name: 'Failed Fiona', email: null, phone: null } });
    renderCard({
      HubspotSyncActivity: () => activity([failed], { failed: 1 }),
      HubspotSyncUpdated: () => events.source,
      HubspotSyncSummary: () => ({ data: { hubspotSyncSummary: summary({ failed: 2, queued: 1 }) } }),
    });
    await user.click(within(section()).getByRole('button', { name: '1 failed' }));
    act(() => events.next({ hubspotSyncUpdated: record({ status: 'QUEUED', closedAt: '2025-01-02T11:00:00Z', createdAt: '2025-01-02T11:00:00Z', customer: { id: 'q', name: 'Queued Quinn', email: null, phone: null } }) }));
    act(() => events.next({ hubspotSyncUpdated: record({ status: 'FAILED', reason: 'Refused.', attempts: 1, closedAt: '2025-01-02T11:00:00Z', createdAt: '2025-01-02T11:00:00Z', customer: { id: 'f2', name: 'Failed Felix', email: null, phone: null } }) }));
    const names = within(records()).getAllByRole('listitem').map((li) => li.querySelector('strong')?.textContent);
    expect(names).toEqual(['Failed Felix', 'Failed Fiona']);
    await expect.poll(() => section().textContent).toContain('2 failed');
  });
});
