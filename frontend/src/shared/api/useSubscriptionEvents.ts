import type { AnyVariables, DocumentInput } from '@urql/core';
import { createRequest } from '@urql/core';
import { useEffect, useRef } from 'react';
import { useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';

/** How long to wait before subscribing again after the server ended a subscription, growing per attempt. */
const resubscribeDelayMs = (attempt: number) => Math.min(500 * 2 ** attempt, 10_000);

/**
 * Runs a GraphQL subscription while the component is mounted and calls onEvent once per event, in order.
 * (urql's useSubscription reduces events into state, where two events in one render would be merged.)
 *
 * The gateway ends a subscription whose client fell behind rather than let it miss events silently; the hook
 * then subscribes again and calls onResubscribe, so the component refetches what it may have missed.
 */
export function useSubscriptionEvents<Data, Variables extends AnyVariables>(
  query: DocumentInput<Data, Variables>,
  variables: Variables,
  onEvent: (data: Data) => void,
  options: { pause?: boolean; onResubscribe?: () => void } = {},
): void {
  const client = useClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const resubscribed = useRef(options.onResubscribe);
  resubscribed.current = options.onResubscribe;
  const request = createRequest(query, variables);
  const key = request.key;

  useEffect(() => {
    if (options.pause) return;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: { unsubscribe: () => void } | undefined;
    const start = () => {
      current = pipe(
        client.executeSubscription(createRequest(query, variables)),
        onEnd(() => {
          if (stopped) return;
          // The server ended it: subscribe again after a pause, then let the component catch up.
          timer = setTimeout(() => {
            if (stopped) return;
            start();
            resubscribed.current?.();
          }, resubscribeDelayMs(attempt++));
        }),
        subscribe((result) => {
          if (result.data) {
            attempt = 0;
            handler.current(result.data);
          }
        }),
      );
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      current?.unsubscribe();
    };
    // The request key stands for query and variables.
  }, [client, key, options.pause]);
}
