import { useCallback, useEffect, useState } from 'react';
import { Button, EmptyState, ErrorState, Flex, Link, LoadingSpinner, StatusTag, Tag, Text, Tile } from '@hubspot/ui-extensions';
import { CONVERSATIONS_PATH, GATEWAY_URL } from './gateway';

/** One conversation as the gateway's card endpoint describes it (server/hubspot_card.go). */
export interface CardConversation {
  /** The Convrs workspace, when more than one is connected to this HubSpot account. */
  workspace?: string;
  channel: string;
  channelLabel: string;
  status: 'open' | 'closed';
  assignedAgent?: string;
  /** The HubSpot user viewing the card is the Convrs agent the chat is assigned to. */
  mine: boolean;
  lastMessageAt: string;
  preview: string;
  /** Where a closed chat's transcript stands in HubSpot, in words. */
  sync?: string;
  openUrl: string;
}

/** The gateway's answer about one contact. */
export interface CardAnswer {
  connected: boolean;
  conversations: CardConversation[];
  more: boolean;
  startChatUrl?: string;
}

/** hubspot.fetch, or a stand-in in tests. */
export type Fetcher = (url: string, options?: { method?: 'GET'; timeout?: number }) => Promise<Response>;

/** The URL the card fetches; HubSpot adds userId, userEmail, portalId and appId and signs it. */
export function conversationsUrl(contactId: string): string {
  return `${GATEWAY_URL}${CONVERSATIONS_PATH}?objectId=${encodeURIComponent(contactId)}`;
}

type State = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'loaded'; answer: CardAnswer };

// HubSpot gives a fetch 15 s at most; the gateway answers in far less or not at all.
const fetchTimeoutMs = 10000;

async function load(fetcher: Fetcher, contactId: string): Promise<CardAnswer> {
  const res = await fetcher(conversationsUrl(contactId), { method: 'GET', timeout: fetchTimeoutMs });
  if (res.status === 429) throw new Error('Convrs is busy with this account’s requests: try again in a moment.');
  if (!res.ok) throw new Error(`Convrs answered with an error (HTTP ${res.status}).`);
  const answer = (await res.json()) as CardAnswer;
  if (typeof answer?.connected !== 'boolean' || !Array.isArray(answer.conversations)) {
    throw new Error('Convrs sent an answer the card does not understand.');
  }
  return answer;
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

/**
 * The Convrs conversations of the contact on this record, open ones first: channel, status, assigned agent,
 * last message time and preview, the transcript's HubSpot outcome for closed ones, and Open in Convrs for
 * each; Start chat in Convrs opens Create New Chat with the contact picked.
 */
export function ConversationsCard({ contactId, fetcher }: { contactId: string; fetcher: Fetcher }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => {
    setState({ kind: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  useEffect(() => {
    let live = true;
    load(fetcher, contactId).then(
      (answer) => live && setState({ kind: 'loaded', answer }),
      (err: unknown) => live && setState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [fetcher, contactId, attempt]);

  if (state.kind === 'loading') return <LoadingSpinner label="Loading Convrs conversations…" showLabel />;
  if (state.kind === 'failed') {
    return (
      <ErrorState title="Convrs is unreachable right now.">
        <Text>The conversations could not be loaded. {state.message}</Text>
        <Button onClick={retry}>Try again</Button>
      </ErrorState>
    );
  }
  const { answer } = state;
  if (!answer.connected) {
    return (
      <EmptyState title="Not connected to Convrs" layout="vertical">
        <Text>
          This HubSpot account is not connected to a Convrs workspace. A Convrs admin connects it under Integrations → HubSpot
          in Convrs.
        </Text>
      </EmptyState>
    );
  }
  const start = answer.startChatUrl ? (
    <Button href={{ url: answer.startChatUrl, external: true }} variant="primary">
      Start chat in Convrs
    </Button>
  ) : null;
  if (answer.conversations.length === 0) {
    return (
      <EmptyState title="No Convrs conversations yet" layout="vertical">
        <Text>Nobody has chatted with this contact in Convrs yet.</Text>
        {start}
      </EmptyState>
    );
  }
  return (
    <Flex direction="column" gap="sm">
      {start}
      {answer.conversations.map((c) => (
        <Tile key={c.openUrl} compact>
          <Flex direction="column" gap="xs">
            <Flex direction="row" gap="xs" align="center" wrap="wrap">
              <Text format={{ fontWeight: 'bold' }}>{c.channelLabel}</Text>
              <StatusTag variant={c.status === 'open' ? 'success' : 'default'}>{c.status === 'open' ? 'Open' : 'Closed'}</StatusTag>
              {c.mine && <Tag variant="info">Your chat</Tag>}
              {c.workspace && <Text variant="microcopy">{c.workspace}</Text>}
            </Flex>
            <Text variant="microcopy">
              {c.assignedAgent ? `Assigned to ${c.assignedAgent}` : 'Not assigned'} · last message {when(c.lastMessageAt)}
            </Text>
            {c.preview && <Text>{c.preview}</Text>}
            {c.sync && <Text variant="microcopy">{c.sync}</Text>}
            <Link href={{ url: c.openUrl, external: true }}>Open in Convrs</Link>
          </Flex>
        </Tile>
      ))}
      {answer.more && <Text variant="microcopy">Older conversations are in Convrs.</Text>}
    </Flex>
  );
}
