import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeSubject } from 'wonka';
import { gql, type OperationResult, type TypedDocumentNode } from '@urql/core';
import { createMockClient, MockProvider, subscriptionSubject } from '../../testing/mockClient';
import { useSubscriptionEvents } from './useSubscriptionEvents';

const Events: TypedDocumentNode<{ conversationEvents: { kind: string } }> = gql`
  subscription ConversationEvents {
    conversationEvents {
      kind
    }
  }
`;

function Listener({ onEvent, onResubscribe }: { onEvent: (kind: string) => void; onResubscribe: () => void }) {
  const { interrupted } = useSubscriptionEvents(Events, {}, (data) => onEvent(data.conversationEvents.kind), { onResubscribe });
  return <p>{interrupted ? 'interrupted' : 'live'}</p>;
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
      await vi.advanceTimersByTimeAsync(500);
    });
    expect(executeSubscription).toHaveBeenCalledTimes(2);
    expect(onResubscribe).toHaveBeenCalledTimes(1);
    act(() => subjects[1].next({ data: { conversationEvents: { kind: 'REOPENED' } } }));
    expect(events).toEqual(['CLOSED', 'REOPENED']);
    // Once the new subscription has held a moment, the component catches up once more.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_000);
    });
    expect(onResubscribe).toHaveBeenCalledTimes(2);
    expect(executeSubscription).toHaveBeenCalledTimes(2);
  });

  it('after ERESYNC, says live updates are interrupted until a new subscription holds, refetching at each attempt', async () => {
    vi.useFakeTimers();
    const subs: ReturnType<typeof subscriptionSubject>[] = [];
    const { client, executeSubscription } = createMockClient({
      ConversationEvents: () => {
        const s = subscriptionSubject();
        subs.push(s);
        return s.source;
      },
    });
    const onResubscribe = vi.fn();
    render(
      <MockProvider client={client}>
        <Listener onEvent={() => {}} onResubscribe={onResubscribe} />
      </MockProvider>,
    );
    expect(screen.getByText('live')).toBeInTheDocument();

    // Redis went down: the gateway ends the subscription with ERESYNC.
    act(() => subs[0].fail('ERESYNC'));
    expect(screen.getByText('interrupted')).toBeInTheDocument();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(500);
    });
    expect(executeSubscription).toHaveBeenCalledTimes(2);
    expect(onResubscribe).toHaveBeenCalledTimes(1);

    // Still down: the new subscription is refused at once; the notice stays, and the hook tries again later.
    act(() => subs[1].fail('EUNAVAILABLE', 'Live updates are unavailable for a moment; subscribe again shortly.'));
    expect(screen.getByText('interrupted')).toBeInTheDocument();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(999);
    });
    expect(executeSubscription).toHaveBeenCalledTimes(2);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1);
    });
    expect(executeSubscription).toHaveBeenCalledTimes(3);
    expect(onResubscribe).toHaveBeenCalledTimes(2);
    expect(screen.getByText('interrupted')).toBeInTheDocument();

    // Back: once the subscription has held a moment, live updates count as back, and the component reads once
    // more what an event published while the subscription was being set up could have changed.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_000);
    });
    expect(screen.getByText('live')).toBeInTheDocument();
    expect(executeSubscription).toHaveBeenCalledTimes(3);
    expect(onResubscribe).toHaveBeenCalledTimes(3);
  });
});
