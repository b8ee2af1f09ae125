import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { UserDetails } from '../../features/user-details';
import { graphql } from '../../gql';
import type { ConversationStatus } from '../../gql/graphql';
import { errorMessage, useSubscriptionEvents } from '../../shared/api';
import { channelLabel } from '../../shared/lib/channels';
import { formatWhen } from '../../shared/lib/format';
import { Banner, Button } from '../../shared/ui';
import { Composer } from './Composer';
import { ConversationEvents, type Message } from './fragments';

const ConversationQuery = graphql(`
  query Conversation($id: ID!) {
    conversation(id: $id) {
      id
      channel
      subject
      status
      openedAt
      closedAt
      customer {
        id
        name
      }
      messages {
        ...MessageFields
      }
    }
  }
`);

const SendMessage = graphql(`
  mutation SendMessage($conversationId: ID!, $text: String!) {
    sendMessage(conversationId: $conversationId, text: $text) {
      ...MessageFields
    }
  }
`);

const PostCustomerMessage = graphql(`
  mutation PostCustomerMessage($conversationId: ID!, $text: String!) {
    postCustomerMessage(conversationId: $conversationId, text: $text) {
      ...MessageFields
    }
  }
`);

const CloseConversation = graphql(`
  mutation CloseConversation($id: ID!) {
    closeConversation(id: $id) {
      id
      status
      closedAt
    }
  }
`);

const ReopenConversation = graphql(`
  mutation ReopenConversation($id: ID!) {
    reopenConversation(id: $id) {
      id
      status
      closedAt
    }
  }
`);

interface StatusChange {
  status: ConversationStatus;
  closedAt: string | null;
}

/** One conversation: its transcript, the composers, Close / Reopen, and the User Details panel beside it. */
export function ConversationView({ id }: { id: string }) {
  const headingId = useId();
  const [{ data, fetching, error }] = useQuery({ query: ConversationQuery, variables: { id }, requestPolicy: 'cache-and-network' });

  // Messages and status changes that arrived after the query answered (from our own mutations or from
  // conversation events), merged over the query's answer until the next one replaces it.
  const [arrived, setArrived] = useState<Message[]>([]);
  const [statusChange, setStatusChange] = useState<StatusChange | null>(null);
  const [seenData, setSeenData] = useState(data);
  if (data !== seenData) {
    setSeenData(data);
    setStatusChange(null);
  }

  const addMessage = (message: Message) =>
    setArrived((list) => (list.some((m) => m.id === message.id) ? list : [...list, message]));

  useSubscriptionEvents(ConversationEvents, {}, ({ conversationEvents: event }) => {
    if (event.conversation.id !== id) return;
    if (event.message) addMessage(event.message);
    setStatusChange({ status: event.conversation.status, closedAt: event.conversation.closedAt });
  });

  const [, sendMessage] = useMutation(SendMessage);
  const [, postCustomerMessage] = useMutation(PostCustomerMessage);
  const [closeResult, close] = useMutation(CloseConversation);
  const [reopenResult, reopen] = useMutation(ReopenConversation);
  const statusError = closeResult.error ?? reopenResult.error;

  const conversation = data?.conversation;
  const messages = conversation ? mergeMessages(conversation.messages, arrived) : [];
  const status = statusChange?.status ?? conversation?.status;
  const closedAt = statusChange ? statusChange.closedAt : conversation?.closedAt;

  const transcriptEnd = useRef<HTMLLIElement>(null);
  useEffect(() => {
    transcriptEnd.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length]);

  if (!conversation) {
    if (fetching) return <section className="conversation"><p className="muted">Loading conversation…</p></section>;
    return (
      <section className="conversation">
        {error ? (
          <Banner tone="red" title="The conversation could not be loaded.">{errorMessage(error)}</Banner>
        ) : (
          <p>This conversation does not exist.</p>
        )}
      </section>
    );
  }

  async function onSend(text: string) {
    const result = await sendMessage({ conversationId: id, text });
    if (result.data) addMessage(result.data.sendMessage);
    return result.error ? errorMessage(result.error) : null;
  }

  async function onCustomerReply(text: string) {
    const result = await postCustomerMessage({ conversationId: id, text });
    if (result.data) addMessage(result.data.postCustomerMessage);
    return result.error ? errorMessage(result.error) : null;
  }

  async function onClose() {
    const result = await close({ id });
    if (result.data) setStatusChange(result.data.closeConversation);
  }

  async function onReopen() {
    const result = await reopen({ id });
    if (result.data) setStatusChange(result.data.reopenConversation);
  }

  const closed = status === 'CLOSED';
  return (
    <>
      <section className="conversation" aria-labelledby={headingId}>
        <header className="conversation__header">
          <div>
            <h2 id={headingId}>{conversation.customer.name ?? 'Anonymous visitor'}</h2>
            <p className="conversation__meta">
              {channelLabel(conversation.channel)}
              {conversation.subject && ` · ${conversation.subject}`}
              {' · Status: '}
              <span className={`badge badge--${closed ? 'closed' : 'open'}`} data-status={status}>
                {closed ? 'Closed' : 'Open'}
              </span>
              {closed && closedAt && (
                <>
                  {' '}
                  <time dateTime={closedAt}>{formatWhen(closedAt)}</time>
                </>
              )}
            </p>
          </div>
          {closed ? (
            <Button onClick={onReopen} busy={reopenResult.fetching}>
              Reopen
            </Button>
          ) : (
            <Button variant="danger" onClick={onClose} busy={closeResult.fetching}>
              Close conversation
            </Button>
          )}
        </header>
        {statusError && <Banner tone="red" role="alert" title={errorMessage(statusError)} />}

        <ol className="transcript" aria-label="Transcript" aria-live="polite">
          {messages.map((m) => (
            <li key={m.id} className={`message message--${m.author.toLowerCase()}`}>
              <div className="message__head">
                <span className="message__author">{m.authorName}</span>
                <time dateTime={m.createdAt}>{formatWhen(m.createdAt)}</time>
              </div>
              <p className="message__text">{m.text}</p>
            </li>
          ))}
          <li ref={transcriptEnd} aria-hidden="true" className="transcript__end" />
        </ol>

        <Composer
          label="Message"
          submitLabel="Send"
          onSend={onSend}
          disabled={closed}
          hint={closed ? 'Reopen the conversation to reply.' : undefined}
        />
        <div className="demo-only">
          <h3>Customer side (demo console only)</h3>
          <Composer label="Customer message" submitLabel="Reply as customer" onSend={onCustomerReply} variant="secondary" />
        </div>
      </section>
      <aside className="details-column" aria-label="Customer">
        <UserDetails customerId={conversation.customer.id} channel={conversation.channel} />
      </aside>
    </>
  );
}

/** The query's messages plus any that arrived since, once each, oldest first. */
function mergeMessages(fromQuery: Message[], arrived: Message[]): Message[] {
  const known = new Set(fromQuery.map((m) => m.id));
  const merged = [...fromQuery, ...arrived.filter((m) => !known.has(m.id))];
  return merged
    .map((m, index) => ({ m, index, at: Date.parse(m.createdAt) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ m }) => m);
}
