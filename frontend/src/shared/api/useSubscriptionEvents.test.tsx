import { act, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeSubject } from 'wonka';
import { gql, type OperationResult, type TypedDocumentNode } from '@urql/core';
import { createMockClient, MockProvider } from '../../testing/mockClient';
import { useSubscriptionEvents } from './useSubscriptionEvents';

const Events: TypedDocumentNode<{ conversationEvents: { kind: string } }> = gql`
  subscription ConversationEvents {
    conversationEvents {
      kind
    }
  }
`;

function Listener({ onEvent, onResubscribe }: { onEvent: (kind: string) => void; onResubscribe: () => void }) {
  useSubscriptionEvents(Events, {}, (data) => onEvent(data.conversationEvents.kind), { onResubscribe });
  return null;
}

describe('useSubscriptionEvents', () => {
  afterEach(() => vi.useRealTimers());

  it('subscribes again when the server ends the subscription, and asks the component to catch up', async () => {
    vi.useFakeTimers();
    const subjects: ReturnType<typeof makeSubject<Partial<OperationResult>>>[] = [];
    const { client, executeSubscription } = createMockClient({
      ConversationEvents: () => {
        const s = makeSubject<Partial<OperationResult>>();
        subjects.push(s);
        return s.source;
      },
    });
    const events: string[] = [];
    const onResubscribe = vi.fn();
    render(
      <MockProvider client={client}>
        <Listener onEvent={(kind) => events.push(kind)} onResubscribe={onResubscribe} />
      </MockProvider>,
    );
    expect(executeSubscription).toHaveBeenCalledTimes(1);
    act(() => subjects[0].next({ data: { conversationEvents: { kind: 'CLOSED' } } }));
    expect(events).toEqual(['CLOSED']);

    // The gateway ends the subscription (this client fell behind): after a pause the hook subscribes again.
    act(() => subjects[0].complete());
    expect(onResubscribe).not.toHaveBeenCalled();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_000);
    });
    expect(executeSubscription).toHaveBeenCalledTimes(2);
    expect(onResubscribe).toHaveBeenCalledTimes(1);
    act(() => subjects[1].next({ data: { conversationEvents: { kind: 'REOPENED' } } }));
    expect(events).toEqual(['CLOSED', 'REOPENED']);
  });
});
