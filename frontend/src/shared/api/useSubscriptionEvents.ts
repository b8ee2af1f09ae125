import type { AnyVariables, DocumentInput } from '@urql/core';
import { createRequest } from '@urql/core';
import { useEffect, useRef } from 'react';
import { useClient } from 'urql';
import { pipe, subscribe } from 'wonka';

/**
 * Runs a GraphQL subscription while the component is mounted and calls onEvent once per event, in order.
 * (urql's useSubscription reduces events into state, where two events in one render would be merged.)
 */
export function useSubscriptionEvents<Data, Variables extends AnyVariables>(
  query: DocumentInput<Data, Variables>,
  variables: Variables,
  onEvent: (data: Data) => void,
  options: { pause?: boolean } = {},
): void {
  const client = useClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const request = createRequest(query, variables);
  const key = request.key;

  useEffect(() => {
    if (options.pause) return;
    const { unsubscribe } = pipe(
      client.executeSubscription(createRequest(query, variables)),
      subscribe((result) => {
        if (result.data) handler.current(result.data);
      }),
    );
    return unsubscribe;
    // The request key stands for query and variables.
  }, [client, key, options.pause]);
}
