import { useId, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { errorMessage, useSubscriptionEvents } from '../../shared/api';
import { Banner, Button, EmailAddress, ExternalLink } from '../../shared/ui';
import type { HubspotLookup } from './fragments';
import { LinkActions, LinkProvenance } from './LinkControls';
import './hubspot-section.css';

const HubspotContactQuery = graphql(`
  query HubspotContact($customerId: ID!, $conversationId: ID) {
    hubspotContact(customerId: $customerId, conversationId: $conversationId) {
      ...HubspotContactLookupFields
    }
  }
`);

const HubspotContactUpdated = graphql(`
  subscription HubspotContactUpdated($customerId: ID!, $conversationId: ID) {
    hubspotContactUpdated(customerId: $customerId, conversationId: $conversationId) {
      ...HubspotContactLookupFields
    }
  }
`);

/**
 * The HubSpot section of the User Details panel: the chat customer's contact (only the fields the record has),
 * or why there is none, how it was chosen, and Change contact / Unlink; beside a chat started from a HubSpot
 * pick, the picked contact its transcript goes to. Updated live when the contact changes in HubSpot. Mount it
 * with key={customerId}.
 */
export function HubspotSection({ customerId, conversationId }: { customerId: string; conversationId?: string }) {
  const headingId = useId();
  const variables = conversationId ? { customerId, conversationId } : { customerId };
  const [{ data, fetching, error }, refetch] = useQuery({
    query: HubspotContactQuery,
    variables,
    requestPolicy: 'cache-and-network',
  });

  // Whichever arrived last wins: the query's answer or a live update.
  const [latest, setLatest] = useState<HubspotLookup | null>(null);
  const [seenData, setSeenData] = useState(data);
  if (data !== seenData) {
    setSeenData(data);
    setLatest(null);
  }
  const retry = () => refetch({ requestPolicy: 'network-only' });
  useSubscriptionEvents(
    HubspotContactUpdated,
    variables,
    (event) => {
      if (event.hubspotContactUpdated.customerId === customerId) setLatest(event.hubspotContactUpdated);
    },
    { onResubscribe: retry },
  );
  const lookup = latest ?? data?.hubspotContact ?? null;

  let body: ReactNode;
  if (!lookup && fetching) {
    body = <p className="muted">Loading the HubSpot contact…</p>;
  } else if (!lookup) {
    body = (
      <Banner tone="red" title="The HubSpot contact could not be loaded." actions={<Button onClick={retry}>Try again</Button>}>
        {error ? errorMessage(error) : 'Convrs did not answer.'}
      </Banner>
    );
  } else {
    body = (
      <>
        <Lookup lookup={lookup} onRetry={retry} retrying={fetching} />
        {linkable(lookup) && <LinkActions lookup={lookup} customerId={customerId} onChanged={retry} />}
      </>
    );
  }

  return (
    <section className="hubspot-section" aria-labelledby={headingId} aria-busy={fetching && !lookup ? true : undefined}>
      <h3 id={headingId} className="hubspot-section__title">
        HubSpot
      </h3>
      {body}
    </section>
  );
}

function Lookup({ lookup, onRetry, retrying }: { lookup: HubspotLookup; onRetry: () => void; retrying: boolean }) {
  switch (lookup.outcome) {
    case 'FOUND':
    case 'MULTIPLE_MATCHES':
      if (!lookup.contact) break;
      return (
        <>
          {lookup.outcome === 'MULTIPLE_MATCHES' && (
            <Banner tone="blue" title={severalTitle(lookup)}>
              Showing the oldest, the one transcripts go to. Change contact shows them all to choose from.
            </Banner>
          )}
          <ContactCard contact={lookup.contact} />
          <LinkProvenance lookup={lookup} />
        </>
      );
    case 'NO_MATCH':
      return (
        <p className="muted">
          {lookup.notThisPerson > 0
            ? `No HubSpot contact matches this customer apart from ${lookup.notThisPerson === 1 ? 'one' : lookup.notThisPerson} unlinked as not this person. Choose a contact to link one.`
            : "No HubSpot contact has this customer's email or phone number. While syncing is on, closing the chat creates one when the transcript is written."}
        </p>
      );
    case 'ANONYMOUS':
      return <p className="muted">This customer is anonymous (no email, phone number or name), so there is no HubSpot contact to look up.</p>;
    case 'NOT_ENABLED':
      return <p className="muted">HubSpot is not enabled for this workspace. An administrator can connect and enable it under Integrations.</p>;
    case 'UNAVAILABLE':
      return (
        <Banner
          tone="yellow"
          title="HubSpot could not be asked right now."
          actions={
            <Button onClick={onRetry} busy={retrying}>
              Try again
            </Button>
          }
        >
          <p>{unavailableWords(lookup.errorCode, lookup.message)}</p>
          {lookup.detail && (
            <details className="hubspot-section__details">
              <summary>Details</summary>
              <p>{lookup.detail}</p>
            </details>
          )}
        </Banner>
      );
  }
  // An outcome this panel does not know yet (or FOUND without a contact): say so rather than show nothing.
  return <p className="muted">HubSpot answered with something this panel cannot show ({lookup.outcome}).</p>;
}

/** Whether the card offers Change contact / Unlink: HubSpot answered about this customer. */
function linkable(lookup: HubspotLookup): boolean {
  return lookup.outcome === 'FOUND' || lookup.outcome === 'MULTIPLE_MATCHES' || lookup.outcome === 'NO_MATCH';
}

function severalTitle(lookup: HubspotLookup): string {
  const what = lookup.matchedBy === 'PHONE' ? 'phone number' : lookup.matchedBy === 'EMAIL' ? 'email' : 'email or phone number';
  return `Several HubSpot contacts share this ${what} (${lookup.candidates}).`;
}

const unavailableCodes: Record<string, string> = {
  EUNAVAILABLE: 'HubSpot is not answering.',
  ERATELIMITED: 'HubSpot is limiting how often Convrs may ask; try again in a minute.',
  EUNAUTHORIZED: 'HubSpot refused the connection; an administrator needs to reconnect HubSpot under Integrations.',
  EFORBIDDEN: 'HubSpot did not allow Convrs to read contacts; an administrator needs to reconnect HubSpot with every scope.',
  EINTERNAL: 'Something went wrong in Convrs while asking HubSpot.',
};

/** The gateway's message, or the error code in words when there is no message. */
export function unavailableWords(code: string | null, message: string | null): string {
  if (message) return message;
  if (code && unavailableCodes[code]) return unavailableCodes[code];
  return code ? `HubSpot could not be asked (${code}).` : 'HubSpot could not be asked.';
}

function ContactCard({ contact }: { contact: NonNullable<HubspotLookup['contact']> }) {
  const name = contact.name ?? ([contact.firstName, contact.lastName].filter(Boolean).join(' ') || null);
  const owner = contact.owner;
  return (
    <div className="hubspot-contact">
      <p className="hubspot-contact__name">
        {name ?? <span className="muted">Contact without a name</span>}{' '}
        <ExternalLink href={contact.url} label={`Open ${name ?? 'the contact'} in HubSpot`} />
      </p>
      <dl className="details">
        {contact.email && <Item term="Email" value={<EmailAddress address={contact.email} />} />}
        {contact.phone && <Item term="Phone" value={<span className="hubspot-contact__phone">{contact.phone}</span>} />}
        {contact.mobilePhone && <Item term="Mobile phone" value={<span className="hubspot-contact__phone">{contact.mobilePhone}</span>} />}
        {contact.lifecycleStage && <Item term="Lifecycle stage" value={contact.lifecycleStage} />}
        {owner && (owner.name || owner.email) && (
          <Item
            term="Owner"
            value={
              <>
                {owner.name && <span className="hubspot-contact__owner">{owner.name}</span>}
                {owner.email && <EmailAddress address={owner.email} />}
              </>
            }
          />
        )}
      </dl>
    </div>
  );
}

function Item({ term, value }: { term: string; value: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}
