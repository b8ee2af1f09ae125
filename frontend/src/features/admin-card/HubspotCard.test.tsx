import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { OperationResult } from '@urql/core';
import { makeSubject, never } from 'wonka';
import type { Integration } from './fragments';
import { HubspotCard } from './HubspotCard';
import { connected, enabled, integration } from './testFixtures';
import {
  createMockClient,
  graphqlError,
  MockProvider,
  silent,
  subscriptionSubject,
  variablesOf,
  type MockHandlers,
} from '../../testing/mockClient';

const disconnected = integration();
const broken = {
  ...connected,
  state: 'ERROR' as const,
  errorReason: 'HubSpot refused the stored tokens: the app was uninstalled.',
  options: { allowOutboundSearch: true, requireOutboundMatch: false },
};

const noSyncs = {
  hubspotSyncSummary: { queued: 0, running: 0, synced: 0, skipped: 0, waiting: 0, failed: 0, cancelled: 0, total: 0, nextAttemptAt: null },
  hubspotSyncs: { nodes: [], endCursor: null, hasNextPage: false },
};

function renderCard(current: Integration, handlers: MockHandlers = {}) {
  const mock = createMockClient({
    HubspotIntegration: () => ({ data: { hubspotIntegration: current } }),
    HubspotIntegrationChanged: silent,
    HubspotSyncActivity: () => ({ data: noSyncs }),
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

function fakeTab() {
  return { closed: false, opener: {} as unknown, location: { href: '' }, close: vi.fn() };
}

const authorization = { connectHubspot: { url: 'https://app.hubspot.com/oauth/authorize?state=abc', expiresAt: '2025-01-02T10:10:00Z' } };

describe('HubspotCard states', () => {
  it('says it is loading until the integration arrives', () => {
    renderCard(disconnected, { HubspotIntegration: () => never });
    expect(screen.getByText('Loading HubSpot integration…')).toBeInTheDocument();
  });

  it('DISCONNECTED: Integrate, then Login to HubSpot asks for the URL only when clicked and opens it in a new tab', async () => {
    const user = userEvent.setup();
    const tab = fakeTab();
    const open = vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window);
    const mock = renderCard(disconnected, { ConnectHubspot: () => ({ data: authorization }) });

    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Login to HubSpot' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Integrate' }));

    const loginButton = screen.getByRole('button', { name: 'Login to HubSpot' });
    expect(loginButton).toHaveAccessibleDescription(/new tab/);
    expect(mock.executeMutation).not.toHaveBeenCalled();

    await user.click(loginButton);
    expect(variablesOf(mock.executeMutation, 'ConnectHubspot')).toHaveLength(1);
    expect(open).toHaveBeenCalledWith('', '_blank');
    expect(tab.location.href).toBe(authorization.connectHubspot.url);
    expect(tab.opener).toBeNull();
    expect(await screen.findByText(/Finish in the HubSpot tab/)).toBeInTheDocument();
  });

  it('offers a link when the browser blocks the new tab', async () => {
    const user = userEvent.setup();
    vi.spyOn(window, 'open').mockReturnValue(null);
    renderCard(disconnected, { ConnectHubspot: () => ({ data: authorization }) });
    await user.click(screen.getByRole('button', { name: 'Integrate' }));
    await user.click(screen.getByRole('button', { name: 'Login to HubSpot' }));
    const link = await screen.findByRole('link', { name: 'Open the HubSpot login' });
    expect(link).toHaveAttribute('href', authorization.connectHubspot.url);
    expect(link).toHaveAttribute('target', '_blank');
  });

  it('shows why the login could not start and closes the blank tab', async () => {
    const user = userEvent.setup();
    const tab = fakeTab();
    vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window);
    renderCard(disconnected, { ConnectHubspot: () => ({ error: graphqlError('HubSpot is not configured on this server.', 'EUNAVAILABLE') }) });
    await user.click(screen.getByRole('button', { name: 'Integrate' }));
    await user.click(screen.getByRole('button', { name: 'Login to HubSpot' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('HubSpot is not configured on this server.');
    expect(tab.close).toHaveBeenCalled();
  });

  it('CONNECTED: a yellow banner with user and portal, not syncing yet, and Enable at the bottom', () => {
    renderCard(connected);
    const banner = screen.getByRole('status');
    expect(banner).toHaveAttribute('data-state', 'yellow');
    expect(banner).toHaveClass('banner--yellow');
    expect(banner).toHaveTextContent('Connected to HubSpot as ada@example.com · Portal 12345678');
    expect(banner).toHaveTextContent(/Syncing is not active yet/);
    expect(screen.getByRole('button', { name: 'Enable' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Disable' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Integrate' })).not.toBeInTheDocument();
  });

  it('ENABLED: a green banner, syncing is active, no Enable button', () => {
    renderCard(enabled);
    const banner = screen.getByRole('status');
    expect(banner).toHaveAttribute('data-state', 'green');
    expect(banner).toHaveTextContent('Syncing is active');
    expect(banner).toHaveTextContent('ada@example.com · Portal 12345678');
    expect(screen.queryByRole('button', { name: 'Enable' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Disable' })).toBeInTheDocument();
  });

  it('ERROR: a red banner with the reason, and Reconnect starts the login again with the options kept', async () => {
    const user = userEvent.setup();
    const tab = fakeTab();
    vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window);
    const mock = renderCard(broken, { ConnectHubspot: () => ({ data: authorization }) });

    const banner = screen.getByRole('status');
    expect(banner).toHaveAttribute('data-state', 'red');
    expect(banner).toHaveTextContent('HubSpot refused the stored tokens: the app was uninstalled.');
    expect(screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' })).toBeChecked();
    expect(screen.getByRole('button', { name: 'Disable' })).toBeInTheDocument();

    await user.click(within(banner).getByRole('button', { name: 'Reconnect' }));
    expect(variablesOf(mock.executeMutation, 'ConnectHubspot')).toHaveLength(1);
    expect(tab.location.href).toBe(authorization.connectHubspot.url);
  });

  it('updates without a reload when the integration changes elsewhere', async () => {
    const events = subscriptionSubject();
    renderCard(disconnected, { HubspotIntegrationChanged: () => events.source });
    expect(screen.getByRole('button', { name: 'Integrate' })).toBeInTheDocument();
    act(() => events.next({ hubspotIntegrationChanged: connected }));
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'yellow');
    act(() => events.next({ hubspotIntegrationChanged: enabled }));
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'green');
  });
});

describe('HubspotCard connect outcome', () => {
  const cancelled = "The connection was cancelled on HubSpot's consent page, so nothing was connected.";

  it('ends the wait when the gateway publishes why the attempt failed, and Try again starts a fresh one', async () => {
    const user = userEvent.setup();
    const events = subscriptionSubject();
    const tabs = [fakeTab(), fakeTab()];
    vi.spyOn(window, 'open')
      .mockReturnValueOnce(tabs[0] as unknown as Window)
      .mockReturnValueOnce(tabs[1] as unknown as Window);
    const mock = renderCard(disconnected, {
      HubspotIntegrationChanged: () => events.source,
      ConnectHubspot: () => ({ data: authorization }),
    });
    await user.click(screen.getByRole('button', { name: 'Integrate' }));
    await user.click(screen.getByRole('button', { name: 'Login to HubSpot' }));
    expect(await screen.findByText(/Finish in the HubSpot tab/)).toBeInTheDocument();

    act(() => events.next({ hubspotIntegrationChanged: integration({ lastConnectError: cancelled }) }));
    const banner = screen.getByRole('alert');
    expect(banner).toHaveAttribute('data-state', 'red');
    expect(banner).toHaveTextContent('HubSpot was not connected');
    expect(banner).toHaveTextContent(cancelled);
    expect(screen.queryByText(/Finish in the HubSpot tab/)).not.toBeInTheDocument();

    await user.click(within(banner).getByRole('button', { name: 'Try again' }));
    expect(variablesOf(mock.executeMutation, 'ConnectHubspot')).toHaveLength(2);
    expect(tabs[1].location.href).toBe(authorization.connectHubspot.url);
    // The new attempt waits again: the last attempt's outcome is gone before the gateway's clearing arrives.
    expect(await screen.findByText(/Finish in the HubSpot tab/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('does not show an earlier attempt\'s outcome before the admin starts one', () => {
    renderCard(integration({ lastConnectError: cancelled }));
    expect(screen.getByRole('button', { name: 'Integrate' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('Cancel on the Login step goes back to Integrate and abandons the attempt', async () => {
    const user = userEvent.setup();
    const events = subscriptionSubject();
    const tab = fakeTab();
    vi.spyOn(window, 'open').mockReturnValue(tab as unknown as Window);
    renderCard(disconnected, { HubspotIntegrationChanged: () => events.source, ConnectHubspot: () => ({ data: authorization }) });
    await user.click(screen.getByRole('button', { name: 'Integrate' }));
    await user.click(screen.getByRole('button', { name: 'Login to HubSpot' }));
    await screen.findByText(/Finish in the HubSpot tab/);

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(tab.close).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Integrate' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Login to HubSpot' })).not.toBeInTheDocument();
    expect(screen.queryByText(/Finish in the HubSpot tab/)).not.toBeInTheDocument();
    // The abandoned attempt's outcome, arriving later, does not bring the Login step back.
    act(() => events.next({ hubspotIntegrationChanged: integration({ lastConnectError: cancelled }) }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('Cancel before logging in goes back to Integrate without asking the gateway', async () => {
    const user = userEvent.setup();
    const mock = renderCard(disconnected);
    await user.click(screen.getByRole('button', { name: 'Integrate' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByRole('button', { name: 'Integrate' })).toBeInTheDocument();
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });
});

describe('HubspotCard errors', () => {
  it('tells an agent that only an administrator can configure HubSpot', () => {
    renderCard(disconnected, {
      HubspotIntegration: () => ({ error: graphqlError('Only admins can do that.', 'EFORBIDDEN') }),
    });
    expect(screen.getByText('Only an administrator can configure HubSpot.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Integrate' })).not.toBeInTheDocument();
  });

  it('shows the GraphQL error message when the integration cannot be loaded', () => {
    renderCard(disconnected, {
      HubspotIntegration: () => ({ error: graphqlError('The database is not reachable.', 'EUNAVAILABLE') }),
    });
    expect(screen.getByText('The HubSpot integration could not be loaded.')).toBeInTheDocument();
    expect(screen.getByText('The database is not reachable.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('HubspotCard confirmations', () => {
  it('Enable → Enable turns syncing on, and focus goes to the card heading since the Enable button is gone', async () => {
    const user = userEvent.setup();
    const mock = renderCard(connected, { EnableHubspot: () => ({ data: { enableHubspot: enabled } }) });
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    const dialog = screen.getByRole('dialog', { name: 'Enable HubSpot syncing?' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleDescription(/Note with its full transcript/);
    expect(within(dialog).queryByRole('button', { name: 'Confirm' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Enable' }));

    expect(variablesOf(mock.executeMutation, 'EnableHubspot')).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'green');
    expect(screen.queryByRole('button', { name: 'Enable' })).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'HubSpot', level: 2 })).toHaveFocus();
  });

  it('Enable: when the live update removes the Enable button before the answer, focus still lands on the card', async () => {
    const user = userEvent.setup();
    const events = subscriptionSubject();
    const answer = makeSubject<Partial<OperationResult>>();
    renderCard(connected, { HubspotIntegrationChanged: () => events.source, EnableHubspot: () => answer.source });
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Enable' }));
    act(() => events.next({ hubspotIntegrationChanged: enabled }));
    expect(screen.queryByRole('button', { name: 'Enable' })).not.toBeInTheDocument();
    await act(async () => answer.next({ data: { enableHubspot: enabled }, stale: false, hasNext: false }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'HubSpot', level: 2 })).toHaveFocus();
  });

  it('Enable → Cancel changes nothing and gives focus back', async () => {
    const user = userEvent.setup();
    const mock = renderCard(connected);
    const enable = screen.getByRole('button', { name: 'Enable' });
    await user.click(enable);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mock.executeMutation).not.toHaveBeenCalled();
    expect(enable).toHaveFocus();
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'yellow');
  });

  it('Enable by keyboard: Escape cancels, Enter on Confirm confirms', async () => {
    const user = userEvent.setup();
    const mock = renderCard(connected, { EnableHubspot: () => ({ data: { enableHubspot: enabled } }) });
    screen.getByRole('button', { name: 'Enable' }).focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mock.executeMutation).not.toHaveBeenCalled();

    await user.keyboard('{Enter}');
    await user.tab();
    expect(within(screen.getByRole('dialog')).getByRole('button', { name: 'Enable' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'green');
  });

  it('keeps the dialog open and shows the error when confirming fails', async () => {
    const user = userEvent.setup();
    renderCard(connected, { EnableHubspot: () => ({ error: graphqlError('HubSpot is rate limiting Convrs; try again in a minute.', 'ERATELIMITED') }) });
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Enable' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('HubSpot is rate limiting Convrs; try again in a minute.');
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'yellow');
  });

  it('a dialog opened again does not show the last failure', async () => {
    const user = userEvent.setup();
    renderCard(connected, { EnableHubspot: () => ({ error: graphqlError('HubSpot is rate limiting Convrs; try again in a minute.', 'ERATELIMITED') }) });
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Enable' }));
    expect(within(screen.getByRole('dialog')).getByRole('alert')).toBeInTheDocument();
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    expect(within(screen.getByRole('dialog')).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('Disable → Disable and disconnect: the button, the dialog and its confirm say the same word; Integrate again, focus on the card', async () => {
    const user = userEvent.setup();
    const mock = renderCard(enabled, { DisableHubspot: () => ({ data: { disableHubspot: disconnected } }) });
    await user.click(screen.getByRole('button', { name: 'Disable' }));
    const dialog = screen.getByRole('dialog', { name: 'Disable and disconnect HubSpot?' });
    expect(dialog).toHaveTextContent(/repeat the Integrate flow/);
    expect(within(dialog).queryByRole('button', { name: 'Confirm' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Disable and disconnect' }));
    expect(variablesOf(mock.executeMutation, 'DisableHubspot')).toHaveLength(1);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Integrate' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'HubSpot', level: 2 })).toHaveFocus();
  });

  it('Disable → Cancel keeps the connection and gives focus back to Disable', async () => {
    const user = userEvent.setup();
    const mock = renderCard(enabled);
    await user.click(screen.getByRole('button', { name: 'Disable' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(mock.executeMutation).not.toHaveBeenCalled();
    expect(screen.getByRole('status')).toHaveAttribute('data-state', 'green');
    expect(screen.getByRole('button', { name: 'Disable' })).toHaveFocus();
  });

  it('Save Options → Confirm saves both options', async () => {
    const user = userEvent.setup();
    const saved = { ...enabled, options: { allowOutboundSearch: true, requireOutboundMatch: true } };
    const mock = renderCard(enabled, { SaveHubspotOptions: () => ({ data: { saveHubspotOptions: saved } }) });
    await user.click(screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' }));
    await user.click(screen.getByRole('checkbox', { name: 'Only allow HubSpot matches in outbound' }));
    await user.click(screen.getByRole('button', { name: 'Save Options' }));
    const dialog = screen.getByRole('dialog', { name: 'Save HubSpot options?' });
    expect(dialog).toHaveTextContent(/must pick a HubSpot contact/);
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(variablesOf(mock.executeMutation, 'SaveHubspotOptions')).toEqual([
      { input: { allowOutboundSearch: true, requireOutboundMatch: true } },
    ]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Only allow HubSpot matches in outbound' })).toBeChecked();
  });

  it('Save Options → Cancel saves nothing', async () => {
    const user = userEvent.setup();
    const mock = renderCard(connected);
    await user.click(screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' }));
    await user.click(screen.getByRole('button', { name: 'Save Options' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(mock.executeMutation).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});

describe('HubspotCard options', () => {
  it('only allows "Only allow HubSpot matches" once searching is allowed, and unchecks it with the first', async () => {
    const user = userEvent.setup();
    renderCard(connected);
    const allow = screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' });
    const require = screen.getByRole('checkbox', { name: 'Only allow HubSpot matches in outbound' });
    expect(allow).not.toBeChecked();
    expect(require).toBeDisabled();

    await user.click(allow);
    expect(require).toBeEnabled();
    await user.click(require);
    expect(require).toBeChecked();

    await user.click(allow);
    expect(require).not.toBeChecked();
    expect(require).toBeDisabled();
  });
});

describe('HubspotCard words: what syncing does, and nothing more', () => {
  it('the green banner: transcripts as Notes on close, the contact in User Details, no outbound search while it is off', () => {
    renderCard(enabled);
    const banner = screen.getByRole('status');
    expect(banner).toHaveTextContent('Each conversation that closes is written as a Note with its transcript');
    expect(banner).toHaveTextContent('anonymous visitors are skipped');
    expect(banner).toHaveTextContent('Agents see the HubSpot contact in the User Details panel.');
    expect(banner).not.toHaveTextContent(/Create New Chat/);
  });

  it('the green banner mentions outbound search when the option is on', () => {
    renderCard({ ...enabled, options: { allowOutboundSearch: true, requireOutboundMatch: false } });
    expect(screen.getByRole('status')).toHaveTextContent('and can search HubSpot contacts in Create New Chat.');
  });

  it('the yellow banner says nothing is written yet', () => {
    renderCard(connected);
    expect(screen.getByRole('status')).toHaveTextContent('Syncing is not active yet: nothing is written to HubSpot.');
  });

  it('the Enable dialog says how contacts are matched, what is skipped, what is not backfilled, and the outbound option', async () => {
    const user = userEvent.setup();
    renderCard(connected);
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    const dialog = screen.getByRole('dialog', { name: 'Enable HubSpot syncing?' });
    expect(dialog).toHaveTextContent('the linked one, else the oldest contact with the same email, else with the same phone number, else a new contact');
    expect(dialog).toHaveTextContent('a Note with its full transcript (several Notes for a long one)');
    expect(dialog).toHaveTextContent('Anonymous visitors are skipped.');
    expect(dialog).toHaveTextContent('Conversations closed before now are not written');
    expect(dialog).toHaveTextContent('the User Details panel shows the customer\'s HubSpot contact');
    expect(dialog).toHaveTextContent('Create New Chat searches HubSpot only if you allow it in Options.');
  });

  it('the Disable dialog says waiting transcripts are cancelled and written notes stay', async () => {
    const user = userEvent.setup();
    renderCard(enabled);
    await user.click(screen.getByRole('button', { name: 'Disable' }));
    const dialog = screen.getByRole('dialog', { name: 'Disable and disconnect HubSpot?' });
    expect(dialog).toHaveTextContent('transcripts still waiting to be written are cancelled');
    expect(dialog).toHaveTextContent('Notes already written stay in HubSpot.');
    expect(dialog).toHaveTextContent('revoke and delete the stored HubSpot tokens');
    expect(dialog).toHaveTextContent('Agents no longer see HubSpot contacts in the User Details panel or search HubSpot in Create New Chat.');
  });

  it('the options say that a picked contact links the new chat', async () => {
    const user = userEvent.setup();
    renderCard(enabled);
    await user.click(screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' }));
    await user.click(screen.getByRole('button', { name: 'Save Options' }));
    expect(screen.getByRole('dialog', { name: 'Save HubSpot options?' })).toHaveTextContent(
      'Agents can pick a match, which links the new chat to that contact from its first message, or enter the contact details by hand.',
    );
  });

  it('the options say what Create New Chat will do', async () => {
    const user = userEvent.setup();
    renderCard({ ...enabled, options: { allowOutboundSearch: true, requireOutboundMatch: false } });
    await user.click(screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' }));
    await user.click(screen.getByRole('button', { name: 'Save Options' }));
    expect(screen.getByRole('dialog', { name: 'Save HubSpot options?' })).toHaveTextContent(
      'Create New Chat will not search HubSpot. While syncing is active, each closed chat is still written to its matching (or a new) HubSpot contact.',
    );
  });
});
