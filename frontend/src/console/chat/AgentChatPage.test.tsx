import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockClient, MockProvider, silent } from '../../testing/mockClient';
import type { ConversationQueryVariables, ConversationsQuery } from '../../gql/graphql';
import { usePath } from '../router';
import type { Message } from './fragments';
import { AgentChatPage } from './AgentChatPage';

const customers = [
  { id: 'cus_1', name: 'Grace Hopper' },
  { id: 'cus_2', name: 'Alan Turing' },
];

function listed(n: number): ConversationsQuery['conversations'][number] {
  return { id: `cnv_${n}`, channel: 'web', subject: null, status: 'OPEN', lastMessageAt: '2025-01-02T10:00:00Z', customer: customers[n - 1] };
}

function conversation({ id }: ConversationQueryVariables) {
  const n = Number(String(id).replace('cnv_', ''));
  const customer = customers[n - 1];
  const message: Message = { id: `msg_${n}`, conversationId: String(id), author: 'CUSTOMER', authorName: customer.name, text: 'Hello?', createdAt: '2025-01-02T10:00:00Z' };
  return {
    data: {
      conversation: { ...listed(n), openedAt: '2025-01-02T09:59:00Z', closedAt: null, messages: [message], hubspotSync: null },
    },
  };
}

/** Agent Chat on the hash route, as the console shows it. */
function RoutedChat() {
  const match = /^\/chat\/([^/]+)/.exec(usePath());
  return <AgentChatPage conversationId={match ? match[1] : null} />;
}

function renderChat() {
  window.location.hash = '/chat';
  const mock = createMockClient({
    Conversations: () => ({ data: { conversations: [listed(1), listed(2)] } }),
    ConversationEvents: silent,
    Conversation: conversation,
    ConversationHubspotSyncUpdated: silent,
    UserDetails: ({ customerId }) => ({ data: { customer: { ...customers.find((c) => c.id === customerId)!, email: null, phone: null, phoneRaw: null } } }),
    HubspotContact: silent,
    HubspotContactUpdated: silent,
  });
  render(
    <MockProvider client={mock.client}>
      <RoutedChat />
    </MockProvider>,
  );
}

const inbox = () => screen.getByRole('navigation', { name: 'Conversations' });

afterEach(() => {
  window.location.hash = '';
});

describe('AgentChatPage: focus', () => {
  it('moves the focus to a conversation opened from the list, so the next Tab reaches the conversation', async () => {
    const user = userEvent.setup();
    renderChat();
    within(inbox()).getByRole('link', { name: /Grace Hopper/ }).focus();
    await user.keyboard('{Enter}');

    const heading = await screen.findByRole('heading', { name: 'Grace Hopper', level: 2 });
    await waitFor(() => expect(heading).toHaveFocus());
    await user.tab();
    expect(screen.getByRole('button', { name: 'Close conversation' })).toHaveFocus();

    // Another conversation from the list takes the focus too.
    await user.click(within(inbox()).getByRole('link', { name: /Alan Turing/ }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Alan Turing', level: 2 })).toHaveFocus());
  });

  it('gives the focus back to the conversation’s list item after “All conversations” (a phone’s Back)', async () => {
    const user = userEvent.setup();
    renderChat();
    await user.click(within(inbox()).getByRole('link', { name: /Alan Turing/ }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Alan Turing', level: 2 })).toHaveFocus());

    await user.click(screen.getByRole('link', { name: '← All conversations' }));
    await waitFor(() => expect(within(inbox()).getByRole('link', { name: /Alan Turing/ })).toHaveFocus());
    expect(screen.queryByRole('heading', { name: 'Alan Turing', level: 2 })).not.toBeInTheDocument();
  });
});
