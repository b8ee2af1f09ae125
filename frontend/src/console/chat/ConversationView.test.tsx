import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { OperationResult } from '@urql/core';
import { describe, expect, it, vi } from 'vitest';
import { makeSubject } from 'wonka';
import {
  createMockClient,
  graphqlError,
  MockProvider,
  silent,
  subscriptionSubject,
  variablesOf,
  type MockHandlers,
} from '../../testing/mockClient';
import { formatWhen } from '../../shared/lib/format';
import type { ConversationQuery, ConversationSyncFieldsFragment } from '../../gql/graphql';
import { ConversationView } from './ConversationView';
import type { Message } from './fragments';

const customerMessage: Message = {
  id: 'msg_1',
  conversationId: 'cnv_1',
  author: 'CUSTOMER',
  authorName: 'Grace Hopper',
  text: 'My order has not arrived.',
  createdAt: '2025-01-02T10:00:00Z',
};

function conversation(status: 'OPEN' | 'CLOSED' = 'OPEN', hubspotSync: ConversationSyncFieldsFragment | null = null): ConversationQuery['conversation'] {
  return {
    id: 'cnv_1',
    channel: 'web',
    subject: null,
    status,
    openedAt: '2025-01-02T09:59:00Z',
    closedAt: status === 'CLOSED' ? '2025-01-02T10:30:00Z' : null,
    customer: { id: 'cus_1', name: 'Grace Hopper' },
    messages: [customerMessage],
    hubspotSync,
  };
}

function renderView(handlers: MockHandlers = {}) {
  const mock = createMockClient({
    Conversation: () => ({ data: { conversation: conversation() } }),
    ConversationEvents: silent,
    ConversationHubspotSyncUpdated: silent,
    ConversationHubspotSync: () => ({ data: { hubspotSync: null } }),
    UserDetails: () => ({ data: { customer: { id: 'cus_1', name: 'Grace Hopper', email: 'grace@example.com', phone: null, phoneRaw: null } } }),
    // The panel's HubSpot section (its own tests are in features/user-details).
    HubspotContact: silent,
    HubspotContactUpdated: silent,
    ...handlers,
  });
  render(
    <MockProvider client={mock.client}>
      <ConversationView id="cnv_1" />
    </MockProvider>,
  );
  return mock;
}

const transcript = () => screen.getByRole('list', { name: 'Transcript' });

describe('ConversationView', () => {
  it('shows the transcript with author names and the User Details panel', () => {
    renderView();
    expect(screen.getByRole('heading', { name: 'Grace Hopper', level: 2 })).toBeInTheDocument();
    expect(within(transcript()).getByText('My order has not arrived.')).toBeInTheDocument();
    expect(within(transcript()).getByText('Grace Hopper')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'User Details' })).toHaveTextContent('grace@example.com');
  });

  it('sends a message as the agent and shows it', async () => {
    const user = userEvent.setup();
    const sent: Message = { ...customerMessage, id: 'msg_2', author: 'AGENT', authorName: 'Sam Agent', text: 'Let me check that for you.', createdAt: '2025-01-02T10:01:00Z' };
    const mock = renderView({ SendMessage: () => ({ data: { sendMessage: sent } }) });

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Let me check that for you.');
    await user.click(screen.getByRole('button', { name: 'Send' }));

    expect(variablesOf(mock.executeMutation, 'SendMessage')).toEqual([{ conversationId: 'cnv_1', text: 'Let me check that for you.' }]);
    expect(within(transcript()).getByText('Let me check that for you.')).toBeInTheDocument();
    expect(within(transcript()).getByText('Sam Agent')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('');
  });

  it('replies as the customer from the demo composer', async () => {
    const user = userEvent.setup();
    const reply = { ...customerMessage, id: 'msg_3', text: 'Order 1042.', createdAt: '2025-01-02T10:02:00Z' };
    const mock = renderView({ PostCustomerMessage: () => ({ data: { postCustomerMessage: reply } }) });
    await user.type(screen.getByRole('textbox', { name: 'Customer message' }), 'Order 1042.');
    await user.click(screen.getByRole('button', { name: 'Reply as customer' }));
    expect(variablesOf(mock.executeMutation, 'PostCustomerMessage')).toEqual([{ conversationId: 'cnv_1', text: 'Order 1042.' }]);
    expect(within(transcript()).getByText('Order 1042.')).toBeInTheDocument();
  });

  it('shows why a message could not be sent and keeps the text', async () => {
    const user = userEvent.setup();
    renderView({ SendMessage: () => ({ error: graphqlError('The conversation is closed.', 'ECONFLICT') }) });
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hello?');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveAccessibleDescription('The conversation is closed.');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('Hello?');
  });

  it('closes the conversation and reopens it', async () => {
    const user = userEvent.setup();
    const mock = renderView({
      CloseConversation: () => ({ data: { closeConversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T10:30:00Z', hubspotSync: null } } }),
      ReopenConversation: () => ({ data: { reopenConversation: { id: 'cnv_1', status: 'OPEN', closedAt: null } } }),
    });
    expect(screen.getByText('Open')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    expect(variablesOf(mock.executeMutation, 'CloseConversation')).toEqual([{ id: 'cnv_1' }]);
    expect(screen.getByText('Closed')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Reopen' }));
    expect(variablesOf(mock.executeMutation, 'ReopenConversation')).toEqual([{ id: 'cnv_1' }]);
    expect(screen.getByText('Open')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Close conversation' })).toBeInTheDocument();
  });

  it('shows new messages and status changes from conversation events without a reload', () => {
    const events = subscriptionSubject<'ConversationEvents'>();
    renderView({ ConversationEvents: () => events.source });
    const incoming = { ...customerMessage, id: 'msg_9', text: 'Are you there?', createdAt: '2025-01-02T10:05:00Z' };
    act(() =>
      events.next({
        conversationEvents: { kind: 'MESSAGE_ADDED', conversation: { id: 'cnv_1', status: 'OPEN', closedAt: null, lastMessageAt: incoming.createdAt }, message: incoming },
      }),
    );
    expect(within(transcript()).getByText('Are you there?')).toBeInTheDocument();

    act(() =>
      events.next({
        conversationEvents: { kind: 'CLOSED', conversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T10:06:00Z', lastMessageAt: incoming.createdAt }, message: null },
      }),
    );
    expect(screen.getByText('Closed')).toBeInTheDocument();

    // Events of other conversations are not this one's business.
    act(() =>
      events.next({
        conversationEvents: { kind: 'MESSAGE_ADDED', conversation: { id: 'cnv_2', status: 'OPEN', closedAt: null, lastMessageAt: incoming.createdAt }, message: { ...incoming, id: 'msg_10', conversationId: 'cnv_2', text: 'Elsewhere' } },
      }),
    );
    expect(screen.queryByText('Elsewhere')).not.toBeInTheDocument();
  });
});

function syncRecord(overrides: Partial<ConversationSyncFieldsFragment> = {}): ConversationSyncFieldsFragment {
  return {
    id: 'hss_1',
    conversationId: 'cnv_1',
    status: 'QUEUED',
    reasonCode: null,
    reason: null,
    closeNumber: 1,
    matchedHow: null,
    matchedBy: null,
    contactId: null,
    contactName: null,
    contactUrl: null,
    attempts: 0,
    nextAttemptAt: null,
    updatedAt: '2025-01-02T10:30:00Z',
    ...overrides,
  };
}

const synced = syncRecord({
  status: 'SYNCED',
  matchedBy: 'PHONE',
  contactId: '501',
  contactName: 'Alice Johnson',
  contactUrl: 'https://app.hubspot.com/contacts/12345678/record/0-1/501',
  attempts: 1,
  updatedAt: '2025-01-02T10:30:05Z',
});

const syncLine = () => screen.getByRole('status', { name: 'HubSpot sync' });

describe('ConversationView: live updates interrupted', () => {
  it('says so, then reads the conversation again and shows what happened meanwhile', async () => {
    vi.useFakeTimers();
    try {
      const subs: ReturnType<typeof subscriptionSubject>[] = [];
      // The customer wrote and the conversation closed while Redis was down: no event came.
      const during: Message = { ...customerMessage, id: 'msg_9', text: 'Sent while live updates were down.', createdAt: '2025-01-02T10:20:00Z' };
      let reads = 0;
      renderView({
        Conversation: () => {
          reads += 1;
          return { data: { conversation: reads === 1 ? conversation() : { ...conversation('CLOSED')!, messages: [customerMessage, during] } } };
        },
        ConversationEvents: () => {
          const s = subscriptionSubject();
          subs.push(s);
          return s.source;
        },
      });
      expect(screen.getByRole('heading', { name: 'Grace Hopper', level: 2 })).toBeInTheDocument();

      act(() => subs[0].fail('ERESYNC'));
      expect(screen.getByText(/Live updates paused: reconnecting… This conversation may miss the latest changes/)).toBeInTheDocument();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(500);
      });
      expect(within(transcript()).getByText('Sent while live updates were down.')).toBeInTheDocument();
      expect(document.querySelector('.conversation__header .badge')).toHaveAttribute('data-status', 'CLOSED');
      await act(async () => {
        await vi.advanceTimersByTimeAsync(1_000);
      });
      expect(screen.queryByText(/Live updates paused/)).not.toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('ConversationView: the HubSpot sync line of a closed conversation', () => {
  it('shows "Written to HubSpot" with the contact opening in a new tab', () => {
    renderView({ Conversation: () => ({ data: { conversation: conversation('CLOSED', synced) } }) });
    expect(syncLine()).toHaveTextContent('Written to HubSpot: Alice Johnson ↗ (matched by phone)');
    const link = within(syncLine()).getByRole('link', { name: /Alice Johnson/ });
    expect(link).toHaveAttribute('href', 'https://app.hubspot.com/contacts/12345678/record/0-1/501');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it.each([
    [syncRecord({ status: 'SKIPPED', reasonCode: 'ANONYMOUS', reason: 'The customer has no email, phone or name.' }), 'Skipped. The customer has no email, phone or name.'],
    [
      syncRecord({ status: 'WAITING', reasonCode: 'HUBSPOT_UNAVAILABLE', attempts: 2, nextAttemptAt: '2025-01-02T14:05:00Z' }),
      `Waiting, next try on ${formatWhen('2025-01-02T14:05:00Z')}. HubSpot is not answering. Convrs tries again by itself; nothing to do.`,
    ],
    [syncRecord({ status: 'RUNNING' }), 'Writing to HubSpot…'],
  ])('shows the outcome in words (%#)', (record, words) => {
    renderView({ Conversation: () => ({ data: { conversation: conversation('CLOSED', record) } }) });
    expect(syncLine()).toHaveTextContent(words);
  });

  it('shows nothing when the conversation has no sync record, or while it is open', () => {
    renderView({ Conversation: () => ({ data: { conversation: conversation('CLOSED', null) } }) });
    expect(screen.getByText('Closed')).toBeInTheDocument();
    expect(screen.queryByRole('status', { name: 'HubSpot sync' })).not.toBeInTheDocument();
    // The conversation itself says nothing of HubSpot (the User Details panel beside it has its HubSpot card).
    expect(within(screen.getByRole('region', { name: 'Grace Hopper' })).queryByText(/HubSpot/)).not.toBeInTheDocument();
  });

  it('follows the record live: Queued after Close, then Written to HubSpot, ignoring other conversations', async () => {
    const user = userEvent.setup();
    const syncs = subscriptionSubject<'ConversationHubspotSyncUpdated'>();
    renderView({
      ConversationHubspotSyncUpdated: () => syncs.source,
      CloseConversation: () => ({ data: { closeConversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T10:30:00Z', hubspotSync: syncRecord() } } }),
    });
    expect(screen.queryByRole('status', { name: 'HubSpot sync' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    expect(syncLine()).toHaveTextContent('Queued');

    act(() => syncs.next({ hubspotSyncUpdated: { ...synced, id: 'hss_9', conversationId: 'cnv_2', contactName: 'Somebody Else' } }));
    expect(syncLine()).toHaveTextContent('Queued');

    act(() => syncs.next({ hubspotSyncUpdated: syncRecord({ status: 'RUNNING', updatedAt: '2025-01-02T10:30:02Z' }) }));
    expect(syncLine()).toHaveTextContent('Writing to HubSpot…');

    act(() => syncs.next({ hubspotSyncUpdated: synced }));
    expect(syncLine()).toHaveTextContent('Written to HubSpot: Alice Johnson');

    // A late, older event of the same record does not take the line back.
    act(() => syncs.next({ hubspotSyncUpdated: syncRecord({ status: 'RUNNING', updatedAt: '2025-01-02T10:30:02Z' }) }));
    expect(syncLine()).toHaveTextContent('Written to HubSpot: Alice Johnson');
  });

  it('hides the line on Reopen and shows the new close\'s record after closing again', async () => {
    const user = userEvent.setup();
    const second = syncRecord({ id: 'hss_2', closeNumber: 2, updatedAt: '2025-01-02T11:00:00Z' });
    renderView({
      Conversation: () => ({ data: { conversation: conversation('CLOSED', synced) } }),
      ReopenConversation: () => ({ data: { reopenConversation: { id: 'cnv_1', status: 'OPEN', closedAt: null } } }),
      CloseConversation: () => ({ data: { closeConversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T11:00:00Z', hubspotSync: second } } }),
    });
    expect(syncLine()).toHaveTextContent('Written to HubSpot');
    await user.click(screen.getByRole('button', { name: 'Reopen' }));
    expect(screen.queryByRole('status', { name: 'HubSpot sync' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    expect(syncLine()).toHaveTextContent('Queued');
  });

  it('shows nothing after a close while syncing is off, even if an earlier close was synced', async () => {
    const user = userEvent.setup();
    renderView({
      Conversation: () => ({ data: { conversation: conversation('CLOSED', synced) } }),
      ReopenConversation: () => ({ data: { reopenConversation: { id: 'cnv_1', status: 'OPEN', closedAt: null } } }),
      CloseConversation: () => ({ data: { closeConversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T11:00:00Z', hubspotSync: null } } }),
    });
    await user.click(screen.getByRole('button', { name: 'Reopen' }));
    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    expect(screen.getByText('Closed')).toBeInTheDocument();
    expect(screen.queryByRole('status', { name: 'HubSpot sync' })).not.toBeInTheDocument();
  });
});

describe('ConversationView: a close elsewhere', () => {
  it('reads the new record again, so an update announced before the close event is not lost', async () => {
    const events = subscriptionSubject<'ConversationEvents'>();
    const syncs = subscriptionSubject<'ConversationHubspotSyncUpdated'>();
    renderView({
      ConversationEvents: () => events.source,
      ConversationHubspotSyncUpdated: () => syncs.source,
      ConversationHubspotSync: () => ({ data: { hubspotSync: synced } }),
    });
    // The record's first update arrives before the close event that it follows.
    act(() => syncs.next({ hubspotSyncUpdated: syncRecord() }));
    act(() =>
      events.next({
        conversationEvents: { kind: 'CLOSED', conversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T10:30:00Z', lastMessageAt: customerMessage.createdAt }, message: null },
      }),
    );
    expect(await screen.findByText(/Written to HubSpot/)).toBeInTheDocument();
    expect(syncLine()).toHaveTextContent('Written to HubSpot: Alice Johnson ↗ (matched by phone)');
  });
});

describe('ConversationView: a live update that overtakes the close', () => {
  it('keeps the newer outcome when it arrives before Close answers', async () => {
    const user = userEvent.setup();
    const syncs = subscriptionSubject<'ConversationHubspotSyncUpdated'>();
    let answerClose: (() => void) | undefined;
    const closeAnswer = makeSubject<Partial<OperationResult>>();
    renderView({
      ConversationHubspotSyncUpdated: () => syncs.source,
      CloseConversation: () => {
        answerClose = () =>
          closeAnswer.next({ data: { closeConversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T10:30:00Z', hubspotSync: syncRecord() } }, stale: false, hasNext: false });
        return closeAnswer.source;
      },
    });
    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    act(() => syncs.next({ hubspotSyncUpdated: synced }));
    await act(async () => answerClose?.());
    expect(await screen.findByText('Closed')).toBeInTheDocument();
    expect(syncLine()).toHaveTextContent('Written to HubSpot: Alice Johnson');
  });
});

describe('ConversationView: the transcript follows new messages', () => {
  // jsdom lays nothing out: give the transcript a pane 300 px tall over 1000 px of messages.
  function paneGeometry(pane: HTMLElement) {
    let top = 700;
    Object.defineProperty(pane, 'scrollHeight', { configurable: true, get: () => 1000 });
    Object.defineProperty(pane, 'clientHeight', { configurable: true, get: () => 300 });
    Object.defineProperty(pane, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => (top = Math.min(v, 700)) });
    return { scrollTo: (v: number) => act(() => { top = v; pane.dispatchEvent(new Event('scroll')); }), top: () => top };
  }
  const arrive = (events: ReturnType<typeof subscriptionSubject<'ConversationEvents'>>, n: number) =>
    act(() =>
      events.next({
        conversationEvents: {
          kind: 'MESSAGE_ADDED',
          conversation: { id: 'cnv_1', status: 'OPEN', closedAt: null, lastMessageAt: '2025-01-02T10:05:00Z' },
          message: { ...customerMessage, id: `msg_new_${n}`, text: `New ${n}`, createdAt: '2025-01-02T10:05:00Z' },
        },
      }),
    );

  it('stays where the agent scrolled up to, offers the new messages, and follows again from the end', async () => {
    const user = userEvent.setup();
    const events = subscriptionSubject<'ConversationEvents'>();
    renderView({ ConversationEvents: () => events.source });
    const pane = paneGeometry(transcript());

    pane.scrollTo(100);
    arrive(events, 1);
    arrive(events, 2);
    expect(pane.top()).toBe(100);
    const button = screen.getByRole('button', { name: 'New messages ↓' });

    await user.click(button);
    expect(pane.top()).toBe(700);
    expect(screen.queryByRole('button', { name: /New message/ })).not.toBeInTheDocument();

    // At the end (or near it), the next message scrolls the transcript down to it.
    pane.scrollTo(680);
    arrive(events, 3);
    expect(pane.top()).toBe(700);
    expect(screen.queryByRole('button', { name: /New message/ })).not.toBeInTheDocument();
  });

  it('shows the agent their own message even when they had scrolled up', async () => {
    const user = userEvent.setup();
    const sent: Message = { ...customerMessage, id: 'msg_2', author: 'AGENT', authorName: 'Sam Agent', text: 'On it.', createdAt: '2025-01-02T10:01:00Z' };
    renderView({ SendMessage: () => ({ data: { sendMessage: sent } }) });
    const pane = paneGeometry(transcript());
    pane.scrollTo(0);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'On it.{Enter}');
    expect(within(transcript()).getByText('On it.')).toBeInTheDocument();
    expect(pane.top()).toBe(700);
  });
});
