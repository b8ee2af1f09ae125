import { useEffect, useId, useRef } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ConversationStatus } from '../../gql/graphql';
import { errorMessage, useSubscriptionEvents } from '../../shared/api';
import { channelLabel } from '../../shared/lib/channels';
import { formatWhen } from '../../shared/lib/format';
import { Banner, LiveUpdatesPaused } from '../../shared/ui';
import { href } from '../router';
import { ConversationEvents } from './fragments';

const ConversationsQuery = graphql(`
  query Conversations($status: ConversationStatus) {
    conversations(status: $status, first: 50) {
      id
      channel
      subject
      status
      lastMessageAt
      customer {
        id
        name
      }
    }
  }
`);

export type StatusFilter = ConversationStatus | 'ALL';

const filters: { value: StatusFilter; label: string }[] = [
  { value: 'OPEN', label: 'Open' },
  { value: 'CLOSED', label: 'Closed' },
  { value: 'ALL', label: 'All' },
];

export interface ConversationListProps {
  filter: StatusFilter;
  onFilterChange: (filter: StatusFilter) => void;
  selectedId: string | null;
  /** Called when the agent opens a conversation from the list. */
  onOpen?: (id: string) => void;
  /** A conversation just left: its item takes the focus back if the focus was lost with the conversation. */
  returnFocusTo?: string | null;
}

/** The inbox: conversations by last activity, filtered by status, kept current by conversation events. */
export function ConversationList({ filter, onFilterChange, selectedId, onOpen, returnFocusTo = null }: ConversationListProps) {
  const headingId = useId();
  const items = useRef(new Map<string, HTMLAnchorElement>());
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ConversationsQuery,
    variables: { status: filter === 'ALL' ? null : filter },
    requestPolicy: 'cache-and-network',
  });

  const reload = () => refetch({ requestPolicy: 'network-only' });
  const { interrupted } = useSubscriptionEvents(ConversationEvents, {}, reload, { onResubscribe: reload });

  const conversations = data?.conversations;
  const listed = conversations !== undefined;
  useEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (returnFocusTo && lost) items.current.get(returnFocusTo)?.focus();
  }, [returnFocusTo, listed]);

  return (
    <nav className="inbox" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel__title">
        Conversations
      </h2>
      <div className="segmented" role="group" aria-label="Status filter">
        {filters.map((f) => (
          <button key={f.value} type="button" aria-pressed={filter === f.value} onClick={() => onFilterChange(f.value)}>
            {f.label}
          </button>
        ))}
      </div>
      {interrupted && <LiveUpdatesPaused what="This list" />}
      {!conversations && fetching && <p className="muted">Loading conversations…</p>}
      {error && !conversations && <Banner tone="red" title="Conversations could not be loaded.">{errorMessage(error)}</Banner>}
      {conversations && conversations.length === 0 && <p className="muted">No conversations here.</p>}
      {conversations && conversations.length > 0 && (
        <ul className="inbox__list">
          {conversations.map((c) => (
            <li key={c.id}>
              <a
                href={href(`/chat/${c.id}`)}
                className="inbox__item"
                aria-current={c.id === selectedId ? 'page' : undefined}
                onClick={() => onOpen?.(c.id)}
                ref={(el) => {
                  if (el) items.current.set(c.id, el);
                  else items.current.delete(c.id);
                }}
              >
                <span className="inbox__name">{c.customer.name ?? 'Anonymous visitor'}</span>
                <span className="inbox__meta">
                  {channelLabel(c.channel)}
                  {c.status === 'CLOSED' && ' · Closed'}
                  {' · '}
                  <time dateTime={c.lastMessageAt}>{formatWhen(c.lastMessageAt)}</time>
                </span>
                {c.subject && <span className="inbox__subject">{c.subject}</span>}
              </a>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
