import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { createMockClient, MockProvider, silent, variablesOf } from '../../testing/mockClient';
import { HubspotCard } from './HubspotCard';
import { connected } from './testFixtures';

const noSyncs = {
  hubspotSyncSummary: { queued: 0, running: 0, synced: 0, skipped: 0, waiting: 0, failed: 0, cancelled: 0, total: 0, nextAttemptAt: null },
  hubspotSyncs: { nodes: [], endCursor: null, hasNextPage: false },
};

function renderCard(check: Parameters<typeof createMockClient>[0]['CheckHubspotConnection']) {
  const mock = createMockClient({
    HubspotIntegration: () => ({ data: { hubspotIntegration: connected } }),
    HubspotIntegrationChanged: silent,
    HubspotSyncActivity: () => ({ data: noSyncs }),
    HubspotSyncUpdated: silent,
    CheckHubspotConnection: check,
  });
  render(
    <MockProvider client={mock.client}>
      <HubspotCard />
    </MockProvider>,
  );
  return mock;
}

describe('Check the connection', () => {
  it('runs before Enable and says, step by step, what worked and what did not', async () => {
    const user = userEvent.setup();
    const mock = renderCard(() => ({
      data: {
        checkHubspotConnection: {
          ok: false,
          checkedAt: '2025-01-02T10:00:00Z',
          steps: [
            { name: 'Read the account details', outcome: 'PASSED', message: 'Portal 12345678 answers (app.hubspot.com).', detail: null },
            { name: 'Search contacts', outcome: 'PASSED', message: 'The search answers (3 contacts in the portal).', detail: null },
            { name: 'Read a contact', outcome: 'PASSED', message: 'Contact 501 was read.', detail: null },
            {
              name: 'Read the owners list',
              outcome: 'FAILED',
              message: 'HubSpot did not allow this: the connection lacks a permission. Reconnect HubSpot and grant every permission asked for.',
              detail: 'HubSpot answered 403 MISSING_SCOPES: This app hasn’t been granted all required scopes (correlation ID abc-1)',
            },
            { name: 'Write a test note', outcome: 'PASSED', message: 'Test note 9001 was written to contact 501: see it on the contact’s timeline in HubSpot.', detail: null },
          ],
        },
      },
    }));
    expect(screen.getByRole('button', { name: 'Enable' })).toBeInTheDocument();
    await user.type(screen.getByLabelText('Write a test note to HubSpot contact (optional)'), '501');
    await user.click(screen.getByRole('button', { name: 'Check connection' }));
    expect(variablesOf(mock.executeMutation, 'CheckHubspotConnection')).toEqual([{ testNoteContactId: '501' }]);
    const result = await screen.findByRole('status', { name: 'Connection check result' });
    expect(result).toHaveTextContent('Something did not work');
    const steps = within(result).getAllByRole('listitem');
    expect(steps.map((li) => li.dataset.outcome)).toEqual(['PASSED', 'PASSED', 'PASSED', 'FAILED', 'PASSED']);
    expect(steps[3]).toHaveTextContent('Read the owners list — failed. HubSpot did not allow this');
    expect(within(steps[3]).getByText(/correlation ID abc-1/)).not.toBeVisible();
    expect(steps[4]).toHaveTextContent('Test note 9001 was written to contact 501');
  });

  it('sends no contact when none is named', async () => {
    const user = userEvent.setup();
    const mock = renderCard(() => ({
      data: { checkHubspotConnection: { ok: true, checkedAt: '2025-01-02T10:00:00Z', steps: [] } },
    }));
    await user.click(screen.getByRole('button', { name: 'Check connection' }));
    expect(variablesOf(mock.executeMutation, 'CheckHubspotConnection')).toEqual([{ testNoteContactId: null }]);
    expect(await screen.findByRole('status', { name: 'Connection check result' })).toHaveTextContent('Everything worked');
  });
});
