import { createRequest } from '@urql/core';
import { useEffect, useId, useRef, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { pipe, take, toPromise } from 'wonka';
import { UserDetails } from '../../features/user-details';
import { graphql } from '../../gql';
import type { ConversationStatus, ConversationSyncFieldsFragment } from '../../gql/graphql';
import { errorMessage, useSubscriptionEvents } from '../../shared/api';
import { channelLabel } from '../../shared/lib/channels';
import { formatWhen } from '../../shared/lib/format';
import { Banner, Button, LiveUpdatesPaused } from '../../shared/ui';
import { SyncOutcome } from '../../shared/ui/SyncOutcome';
import { Composer } from './Composer';
import { ConversationEvents, type Message } from './fragments';
import { useFollowEnd } from './useFollowEnd';
import './chat.css';

// The transcript sync of the conversation's last close, as the agent sees it.
export const ConversationSyncFields = graphql(`
  fragment ConversationSyncFields on HubspotSync {
    id
    conversationId
    status
    reasonCode
    reason
    closeNumber
    matchedBy
    matchedHow
    contactId
    contactName
    contactUrl
    attempts
    nextAttemptAt
    updatedAt
  }
`);

const ConversationHubspotSync = graphql(`
  query ConversationHubspotSync($conversationId: ID!) {
    hubspotSync(conversationId: $conversationId) {
      ...ConversationSyncFields
    }
  }
`);

const ConversationHubspotSyncUpdated = graphql(`
  subscription ConversationHubspotSyncUpdated {
    hubspotSyncUpdated {
      ...ConversationSyncFields
    }
  }
`);

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
      hubspotSync {
        ...ConversationSyncFields
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
      hubspotSync {
        ...ConversationSyncFields
      }
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

type Sync = ConversationSyncFieldsFragment;

// Outcomes that will still change; the view re-reads them now and then in case a live update was missed.
const unsettled = new Set<Sync['status']>(['QUEUED', 'RUNNING', 'WAITING']);
const recheckMs = 15_000;

/** The record of the later close, or for the same close the later version. */
function newerSync(a: Sync | null, b: Sync | null): Sync | null {
  if (!a || !b) return a ?? b;
  if (a.closeNumber !== b.closeNumber) return a.closeNumber > b.closeNumber ? a : b;
  return Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a;
}

export interface ConversationViewProps {
  id: string;
  /** Move the focus to the conversation's heading once it has loaded (it was opened from the list). */
  focusHeading?: boolean;
}

/** One conversation: its transcript, the composers, Close / Reopen, and the User Details panel beside it. */
export function ConversationView({ id, focusHeading = false }: ConversationViewProps) {
  const headingId = useId();
  const detailsId = useId();
  const narrow = useNarrowLayout();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ConversationQuery, variables: { id }, requestPolicy: 'cache-and-network' });
  // Live updates were interrupted (some may be lost): read the conversation, its messages and its sync again.
  const catchUp = { onResubscribe: () => refetch({ requestPolicy: 'network-only' }) };

  // Messages and status changes that arrived after the query answered (from our own mutations or from
  // conversation events), merged over the query's answer until the next one replaces it.
  const [arrived, setArrived] = useState<Message[]>([]);
  const [statusChange, setStatusChange] = useState<StatusChange | null>(null);
  // The sync line: what a close, a live event or a re-read said since the query answered ({record: null} after
  // a reopen or a close elsewhere: nothing to show until the new close's record arrives).
  const [syncChange, setSyncChange] = useState<{ record: Sync | null } | null>(null);
  const [seenData, setSeenData] = useState(data);
  if (data !== seenData) {
    setSeenData(data);
    setStatusChange(null);
    setSyncChange(null);
  }
  const queried = data?.conversation?.hubspotSync ?? null;
  const sync = syncChange ? syncChange.record : queried;
  const receiveSync = (record: Sync) => setSyncChange((prev) => ({ record: newerSync(prev ? prev.record : queried, record) }));

  // Reads the record again: after a close elsewhere (its record may have been announced before the close
  // event arrived), and now and then while it is unsettled, in case a live update was lost on the way.
  const client = useClient();
  const rereadSync = async () => {
    const request = createRequest(ConversationHubspotSync, { conversationId: id });
    const result = await pipe(client.executeQuery(request, { requestPolicy: 'network-only' }), take(1), toPromise);
    if (result.data?.hubspotSync) receiveSync(result.data.hubspotSync);
  };
  const latestReread = useRef(rereadSync);
  latestReread.current = rereadSync;

  const addMessage = (message: Message) =>
    setArrived((list) => (list.some((m) => m.id === message.id) ? list : [...list, message]));

  const events = useSubscriptionEvents(ConversationEvents, {}, ({ conversationEvents: event }) => {
    if (event.conversation.id !== id) return;
    if (event.message) addMessage(event.message);
    if (event.conversation.status !== (statusChange?.status ?? data?.conversation?.status)) {
      setSyncChange({ record: null });
      if (event.conversation.status === 'CLOSED') void rereadSync();
    }
    setStatusChange({ status: event.conversation.status, closedAt: event.conversation.closedAt });
  }, catchUp);

  useSubscriptionEvents(ConversationHubspotSyncUpdated, {}, ({ hubspotSyncUpdated: record }) => {
    if (record.conversationId === id) receiveSync(record);
  }, catchUp);

  const recheck = sync && unsettled.has(sync.status) ? sync.id + sync.updatedAt : null;
  useEffect(() => {
    if (!recheck) return;
    const timer = window.setInterval(() => void latestReread.current(), recheckMs);
    return () => window.clearInterval(timer);
  }, [recheck]);

  const [, sendMessage] = useMutation(SendMessage);
  const [, postCustomerMessage] = useMutation(PostCustomerMessage);
  const [closeResult, close] = useMutation(CloseConversation);
  const [reopenResult, reopen] = useMutation(ReopenConversation);
  const statusError = closeResult.error ?? reopenResult.error;

  const conversation = data?.conversation;
  const messages = conversation ? mergeMessages(conversation.messages, arrived) : [];
  const status = statusChange?.status ?? conversation?.status;
  const closedAt = statusChange ? statusChange.closedAt : conversation?.closedAt;

  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = conversation !== undefined && conversation !== null;
  useEffect(() => {
    if (focusHeading && loaded) heading.current?.focus();
  }, [focusHeading, loaded]);

  // New messages scroll the transcript to its end, unless the agent scrolled up to read.
  const transcript = useFollowEnd<HTMLOListElement>(messages.length);

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
    if (result.data) {
      // The agent's own message is always shown, wherever they had scrolled.
      transcript.follow();
      addMessage(result.data.sendMessage);
    }
    return result.error ? errorMessage(result.error) : null;
  }

  async function onCustomerReply(text: string) {
    const result = await postCustomerMessage({ conversationId: id, text });
    if (result.data) addMessage(result.data.postCustomerMessage);
    return result.error ? errorMessage(result.error) : null;
  }

  async function onClose() {
    const result = await close({ id });
    if (result.data) {
      const { hubspotSync, ...change } = result.data.closeConversation;
      setStatusChange(change);
      // No record: this close is not synced. A record: newer than it, only a live update that overtook the answer.
      setSyncChange((prev) => ({ record: hubspotSync && newerSync(prev ? prev.record : queried, hubspotSync) }));
    }
  }

  async function onReopen() {
    const result = await reopen({ id });
    if (result.data) {
      setStatusChange(result.data.reopenConversation);
      setSyncChange({ record: null });
    }
  }

  const closed = status === 'CLOSED';
  return (
    <>
      <section className="conversation" aria-labelledby={headingId}>
        <header className="conversation__header">
          <div>
            <h2 id={headingId} ref={heading} tabIndex={-1}>{conversation.customer.name ?? 'Anonymous visitor'}</h2>
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
            {events.interrupted && <LiveUpdatesPaused what="This conversation" />}
            {closed && sync && (
              <p className="conversation__sync" role="status" aria-label="HubSpot sync">
                <SyncOutcome record={sync} />
              </p>
            )}
            {/* On a phone the details come after the composer: this jumps there without scrolling past it. */}
            {narrow && (
              <Button variant="link" className="conversation__to-details" onClick={() => showDetails(detailsId)}>
                User details and HubSpot ↓
              </Button>
            )}
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

        <div className="transcript-pane">
          <ol className="transcript" aria-label="Transcript" aria-live="polite" ref={transcript.ref} onScroll={transcript.onScroll}>
            {messages.map((m) => (
              <li key={m.id} className={`message message--${m.author.toLowerCase()}`}>
                <div className="message__head">
                  <span className="message__author">{m.authorName}</span>
                  <time dateTime={m.createdAt}>{formatWhen(m.createdAt)}</time>
                </div>
                <p className="message__text">{m.text}</p>
              </li>
            ))}
          </ol>
          {transcript.unseen > 0 && (
            <Button className="transcript__new" onClick={transcript.follow}>
              {transcript.unseen === 1 ? 'New message ↓' : 'New messages ↓'}
            </Button>
          )}
        </div>

        <Composer
          label="Message"
          submitLabel="Send"
          onSend={onSend}
          disabled={closed}
          hint={closed ? 'Reopen the conversation to reply.' : undefined}
        />
        <div className="demo-only">
          <h3>Customer side (demo console only)</h3>
          <Composer
            label="Customer message"
            submitLabel="Reply as customer"
            onSend={onCustomerReply}
            variant="secondary"
            disabled={closed}
            hint={closed ? 'The customer cannot write to a closed conversation.' : undefined}
          />
        </div>
      </section>
      <aside className="details-column" aria-label="Customer" id={detailsId} tabIndex={-1}>
        <UserDetails customerId={conversation.customer.id} channel={conversation.channel} conversationId={conversation.id} />
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

/** Scrolls the customer's details (and their HubSpot section) into view and moves focus there. */
function showDetails(id: string) {
  const el = document.getElementById(id);
  if (!el) return;
  el.scrollIntoView({ block: 'start' });
  el.focus({ preventScroll: true });
}

/** The layout where the details column sits below the conversation (as chat.css's 60rem breakpoint). */
const narrowQuery = '(max-width: 60rem)';

function useNarrowLayout(): boolean {
  const [narrow, setNarrow] = useState(() => typeof window.matchMedia === 'function' && window.matchMedia(narrowQuery).matches);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const list = window.matchMedia(narrowQuery);
    const onChange = () => setNarrow(list.matches);
    onChange();
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, []);
  return narrow;
}
