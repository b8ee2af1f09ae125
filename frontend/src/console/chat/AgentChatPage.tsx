import { useState } from 'react';
import { ConversationList, type StatusFilter } from './ConversationList';
import { ConversationView } from './ConversationView';
import { href } from '../router';

/** Agent Chat: the inbox, the open conversation and the User Details panel. */
export function AgentChatPage({ conversationId }: { conversationId: string | null }) {
  const [filter, setFilter] = useState<StatusFilter>('OPEN');
  return (
    // On a phone the page shows the list or the open conversation, not both (chat--open picks which).
    <main className={`chat${conversationId ? ' chat--open' : ''}`} aria-label="Agent Chat">
      <ConversationList filter={filter} onFilterChange={setFilter} selectedId={conversationId} />
      {conversationId ? (
        <>
          <a className="chat__back" href={href('/chat')}>
            ← All conversations
          </a>
          <ConversationView key={conversationId} id={conversationId} />
        </>
      ) : (
        <section className="conversation conversation--empty">
          <p className="muted">Choose a conversation from the list, or start one with Create New Chat.</p>
        </section>
      )}
    </main>
  );
}
