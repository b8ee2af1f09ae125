import type { AnyVariables, DocumentInput } from '@urql/core';
import { createRequest } from '@urql/core';
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';

/** How long to wait before subscribing again after the server ended a subscription, growing per attempt. */
const resubscribeDelayMs = (attempt: number) => Math.min(500 * 2 ** attempt, 10_000);
/** How long a new subscription must last before live updates count as back (while Redis is down, each attempt
 * is refused at once: the "paused" notice should not blink at every retry). */
const liveAgainAfterMs = 1_000;

/**
 * Runs a GraphQL subscription while the component is mounted and calls onEvent once per event, in order.
 * (urql's useSubscription reduces events into state, where two events in one render would be merged.)
 *
 * The gateway ends a subscription that may have missed events (the client fell behind, or its pub/sub was
 * interrupted: ERESYNC), and refuses new ones while pub/sub is down (EUNAVAILABLE). The hook then subscribes
 * again, with a growing pause, and calls onResubscribe at each attempt, so the component refetches what it
 * shows, and once more when the new subscription has held for a moment (an event published while it was being
 * set up, after the first refetch had read, is not lost then); `interrupted` is true until that moment.
 */
export function useSubscriptionEvents<Data, Variables extends AnyVariables>(
  query: DocumentInput<Data, Variables>,
  variables: Variables,
  onEvent: (data: Data) => void,
  options: { pause?: boolean; onResubscribe?: () => void } = {},
): { interrupted: boolean } {
  const client = useClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const resubscribed = useRef(options.onResubscribe);
  resubscribed.current = options.onResubscribe;
  const [interrupted, setInterrupted] = useState(false);
  const request = createRequest(query, variables);
  const key = request.key;

  useEffect(() => {
    if (options.pause) return;
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let settle: ReturnType<typeof setTimeout> | undefined;
    let current: { unsubscribe: () => void } | undefined;
    const start = () => {
      current = pipe(
        client.executeSubscription(createRequest(query, variables)),
        onEnd(() => {
          if (stopped) return;
          // The server ended it: events may be lost. Subscribe again after a pause, then catch up.
          clearTimeout(settle);
          setInterrupted(true);
          retry = setTimeout(() => {
            if (stopped) return;
            start();
            resubscribed.current?.();
            settle = setTimeout(() => {
              attempt = 0;
              setInterrupted(false);
              resubscribed.current?.();
            }, liveAgainAfterMs);
          }, resubscribeDelayMs(attempt++));
        }),
        subscribe((result) => {
          if (result.data) handler.current(result.data);
        }),
      );
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(settle);
      current?.unsubscribe();
    };
    // The request key stands for query and variables.
  }, [client, key, options.pause]);

  return { interrupted };
}
