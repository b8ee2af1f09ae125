import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';

// How close to the end (px) still counts as "at the end": a reader a line short of it is following.
const nearEnd = 48;

/**
 * Keeps a scrolling pane at its end as items arrive, the way a chat follows new messages, unless the reader
 * scrolled away from the end to read: then the pane stays put and `unseen` counts what arrived below.
 */
export function useFollowEnd<T extends HTMLElement>(count: number) {
  const ref = useRef<T>(null);
  // Whether the reader was at the end when they last scrolled (true until they scroll away).
  const following = useRef(true);
  const counted = useRef(count);
  const [unseen, setUnseen] = useState(0);

  const toEnd = () => {
    const pane = ref.current;
    if (pane) pane.scrollTop = pane.scrollHeight;
  };

  // Before the browser paints the new items, so a follower never sees the pane jump.
  useLayoutEffect(() => {
    const added = count - counted.current;
    counted.current = count;
    if (following.current) toEnd();
    else if (added > 0) setUnseen((n) => n + added);
  }, [count]);

  return {
    ref,
    unseen,
    onScroll(event: UIEvent<T>) {
      const pane = event.currentTarget;
      following.current = pane.scrollHeight - pane.scrollTop - pane.clientHeight <= nearEnd;
      if (following.current) setUnseen(0);
    },
    /** Scrolls to the end now and follows again (after the reader's own message, or "New messages ↓"). */
    follow() {
      following.current = true;
      setUnseen(0);
      toEnd();
    },
  };
}
