import { useEffect, useId, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { errorCode, errorMessage, useSubscriptionEvents } from '../../shared/api';
import { Banner, Button } from '../../shared/ui';
import type { Integration } from './fragments';
import { CheckConnection } from './CheckConnection';
import { LoginProgress, LoginStep } from './LoginStep';
import { OptionsSection } from './OptionsSection';
import { StatusBanner } from './StatusBanner';
import { SyncActivity } from './SyncActivity';
import { SyncControls } from './SyncControls';
import { useHubspotLogin } from './useHubspotLogin';

const HubspotIntegrationQuery = graphql(`
  query HubspotIntegration {
    hubspotIntegration {
      ...HubspotIntegrationFields
    }
  }
`);

const HubspotIntegrationChanged = graphql(`
  subscription HubspotIntegrationChanged {
    hubspotIntegrationChanged {
      ...HubspotIntegrationFields
    }
  }
`);

/** The HubSpot integration card of the Integrations screen: connect, enable, sync activity, options and disconnect. */
export function HubspotCard({ conversationHref }: { conversationHref?: (conversationId: string) => string } = {}) {
  const headingId = useId();
  // Where a closing dialog puts focus when its button is gone (tabIndex -1: focusable, not a Tab stop).
  const heading = useRef<HTMLHeadingElement>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: HubspotIntegrationQuery });

  // The card shows whichever arrived last: the query's answer, a mutation's result or a subscription event.
  const [latest, setLatest] = useState<Integration | null>(null);
  const [seenData, setSeenData] = useState(data);
  if (data !== seenData) {
    setSeenData(data);
    setLatest(null);
  }
  const integration = latest ?? data?.hubspotIntegration ?? null;

  useSubscriptionEvents(HubspotIntegrationChanged, {}, (event) => setLatest(event.hubspotIntegrationChanged), {
    onResubscribe: () => refetch({ requestPolicy: 'network-only' }),
  });

  // A new attempt starts without the last one's outcome, here as on the gateway.
  const login = useHubspotLogin({
    lastConnectError: integration?.lastConnectError,
    onStarted: () =>
      setLatest((prev) => {
        const current = prev ?? data?.hubspotIntegration;
        return current ? { ...current, lastConnectError: null } : null;
      }),
  });
  const [integrating, setIntegrating] = useState(false);
  const [seenState, setSeenState] = useState(integration?.state);
  if (integration?.state !== seenState) {
    setSeenState(integration?.state);
    setIntegrating(false);
    login.reset();
  }

  // Coming back from HubSpot's tab also refreshes the card, in case the live update was missed.
  useEffect(() => {
    if (!login.started) return;
    const onFocus = () => refetch({ requestPolicy: 'network-only' });
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [login.started, refetch]);

  let body;
  if (!integration && fetching) {
    body = <p className="muted">Loading HubSpot integration…</p>;
  } else if (!integration) {
    body =
      errorCode(error) === 'EFORBIDDEN' ? (
        <Banner tone="red" title="Only an administrator can configure HubSpot." />
      ) : (
        <Banner
          tone="red"
          title="The HubSpot integration could not be loaded."
          actions={<Button onClick={() => refetch({ requestPolicy: 'network-only' })}>Try again</Button>}
        >
          {errorMessage(error)}
        </Banner>
      );
  } else if (integration.state === 'DISCONNECTED') {
    body = (
      <>
        <p>
          Connect Convrs to HubSpot to write conversation transcripts to the CRM, show contact details beside chats,
          and start outbound chats from a HubSpot contact search.
        </p>
        {!integrating ? (
          <Button variant="primary" onClick={() => setIntegrating(true)}>
            Integrate
          </Button>
        ) : (
          <LoginStep
            login={login}
            onCancel={() => {
              login.cancel();
              setIntegrating(false);
            }}
          />
        )}
        <SyncActivity state={integration.state} conversationHref={conversationHref} />
      </>
    );
  } else {
    body = (
      <>
        <StatusBanner
          integration={integration}
          reconnect={
            <Button variant="primary" onClick={login.login} busy={login.fetching}>
              Reconnect
            </Button>
          }
        />
        {integration.state === 'ERROR' && <LoginProgress login={login} />}
        <SyncActivity state={integration.state} health={integration.health} conversationHref={conversationHref} />
        {/* A check's result belongs to the state it ran in: a change (ERROR, Reconnect) clears it. */}
        <CheckConnection key={integration.state} />
        <OptionsSection options={integration.options} onSaved={setLatest} />
        <SyncControls integration={integration} onChange={setLatest} cardHeading={heading} />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby={headingId}>
      <header className="card__header">
        <span className="card__logo" aria-hidden="true">
          H
        </span>
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          HubSpot
        </h2>
      </header>
      {body}
    </section>
  );
}
