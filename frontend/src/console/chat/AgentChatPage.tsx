import { useState } from 'react';
import { ConversationList, type StatusFilter } from './ConversationList';
import { ConversationView } from './ConversationView';

/** Agent Chat: the inbox, the open conversation and the User Details panel. */
export function AgentChatPage({ conversationId }: { conversationId: string | null }) {
  const [filter, setFilter] = useState<StatusFilter>('OPEN');
  return (
    <main className="chat" aria-label="Agent Chat">
      <ConversationList filter={filter} onFilterChange={setFilter} selectedId={conversationId} />
      {conversationId ? (
        <ConversationView key={conversationId} id={conversationId} />
      ) : (
        <section className="conversation conversation--empty">
          <p className="muted">Choose a conversation from the list, or start one with Create New Chat.</p>
        </section>
      )}
    </main>
  );
}
