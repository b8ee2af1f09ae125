import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import {
  createMockClient,
  graphqlError,
  MockProvider,
  silent,
  subscriptionSubject,
  variablesOf,
  type MockHandlers,
} from '../../testing/mockClient';
import { ConversationView } from './ConversationView';

const customerMessage = {
  id: 'msg_1',
  conversationId: 'cnv_1',
  author: 'CUSTOMER',
  authorName: 'Grace Hopper',
  text: 'My order has not arrived.',
  createdAt: '2025-01-02T10:00:00Z',
};

function conversation(status: 'OPEN' | 'CLOSED' = 'OPEN') {
  return {
    id: 'cnv_1',
    channel: 'web',
    subject: null,
    status,
    openedAt: '2025-01-02T09:59:00Z',
    closedAt: status === 'CLOSED' ? '2025-01-02T10:30:00Z' : null,
    customer: { id: 'cus_1', name: 'Grace Hopper' },
    messages: [customerMessage],
  };
}

function renderView(handlers: MockHandlers = {}) {
  const mock = createMockClient({
    Conversation: () => ({ data: { conversation: conversation() } }),
    ConversationEvents: silent,
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
    const sent = { ...customerMessage, id: 'msg_2', author: 'AGENT', authorName: 'Sam Agent', text: 'Let me check that for you.', createdAt: '2025-01-02T10:01:00Z' };
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
      CloseConversation: () => ({ data: { closeConversation: { id: 'cnv_1', status: 'CLOSED', closedAt: '2025-01-02T10:30:00Z' } } }),
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
    const events = subscriptionSubject();
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
