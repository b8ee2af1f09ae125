import { useState } from 'react';
import { ConversationList, type StatusFilter } from './ConversationList';
import { ConversationView } from './ConversationView';
import { href } from '../router';

/** Agent Chat: the inbox, the open conversation and the User Details panel. */
export function AgentChatPage({ conversationId }: { conversationId: string | null }) {
  const [filter, setFilter] = useState<StatusFilter>('OPEN');
  // Focus follows the agent: a conversation opened from the list takes it (its heading), and leaving a
  // conversation for the list (Back on a phone) gives it back to the conversation's list item.
  const [openedFromList, setOpenedFromList] = useState<string | null>(null);
  const [returnFocusTo, setReturnFocusTo] = useState<string | null>(null);
  const [shown, setShown] = useState(conversationId);
  if (conversationId !== shown) {
    setShown(conversationId);
    setReturnFocusTo(conversationId ? null : shown);
    if (conversationId !== openedFromList) setOpenedFromList(null);
  }

  return (
    // On a phone the page shows the list or the open conversation, not both (chat--open picks which).
    <main className={`chat${conversationId ? ' chat--open' : ''}`} aria-label="Agent Chat">
      <ConversationList
        filter={filter}
        onFilterChange={setFilter}
        selectedId={conversationId}
        onOpen={setOpenedFromList}
        returnFocusTo={returnFocusTo}
      />
      {conversationId ? (
        <>
          <a className="chat__back" href={href('/chat')}>
            ← All conversations
          </a>
          <ConversationView key={conversationId} id={conversationId} focusHeading={openedFromList === conversationId} />
        </>
      ) : (
        <section className="conversation conversation--empty">
          <p className="muted">Choose a conversation from the list, or start one with Create New Chat.</p>
        </section>
      )}
    </main>
  );
}
