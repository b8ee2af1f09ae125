import { useId, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { errorMessage } from '../../shared/api';
import { channelLabel } from '../../shared/lib/channels';
import { Banner, Button, EmailAddress } from '../../shared/ui';
import { EditDetails } from './EditDetails';
import { HubspotSection } from './HubspotSection';

const UserDetailsQuery = graphql(`
  query UserDetails($customerId: ID!) {
    customer(id: $customerId) {
      id
      name
      email
      phone
      phoneRaw
    }
  }
`);

export interface UserDetailsProps {
  customerId: string;
  /** The channel of the conversation the panel sits beside, if any. */
  channel?: string;
  /** The conversation the panel sits beside, if any: its HubSpot card shows the contact picked for it. */
  conversationId?: string;
}

/** The agent's User Details panel: who the customer of the open chat is. */
export function UserDetails({ customerId, channel, conversationId }: UserDetailsProps) {
  const headingId = useId();
  const [editing, setEditing] = useState(false);
  // Saved details are matched again: the HubSpot section starts afresh.
  const [revision, setRevision] = useState(0);
  const [{ data, fetching, error }] = useQuery({
    query: UserDetailsQuery,
    variables: { customerId },
    requestPolicy: 'cache-and-network',
  });
  const customer = data?.customer;

  let body: ReactNode;
  if (!data && fetching) {
    body = <p className="muted">Loading user details…</p>;
  } else if (error && !customer) {
    body = <Banner tone="red" title="User details could not be loaded.">{errorMessage(error)}</Banner>;
  } else if (!customer) {
    body = <p className="muted">This customer no longer exists.</p>;
  } else if (editing) {
    body = (
      <EditDetails
        customerId={customer.id}
        onCancel={() => setEditing(false)}
        onDone={() => {
          setEditing(false);
          setRevision((r) => r + 1);
        }}
      />
    );
  } else {
    const anonymous = !customer.name && !customer.email && !customer.phone && !customer.phoneRaw;
    body = (
      <>
        <p className="details__name">{customer.name ?? 'Anonymous visitor'}</p>
        <dl className="details">
          <Detail term="Email" value={customer.email && <EmailAddress address={customer.email} />} />
          <Detail term="Phone" value={customer.phone ?? customer.phoneRaw} />
          {channel && <Detail term="Channel" value={channelLabel(channel)} />}
        </dl>
        <p>
          <Button variant="link" onClick={() => setEditing(true)}>
            {anonymous ? 'Identify this visitor (add a name, email or phone)' : 'Edit details'}
          </Button>
        </p>
      </>
    );
  }

  return (
    <section className="panel user-details" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel__title">
        User Details
      </h2>
      {body}
      {/* The HubSpot card loads at once, beside the customer's own details rather than after them. */}
      {!(data && !customer) && (
        <HubspotSection key={`${customerId}:${conversationId ?? ''}:${revision}`} customerId={customerId} conversationId={conversationId} />
      )}
    </section>
  );
}

function Detail({ term, value }: { term: string; value: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{value ? value : <span className="muted">Not known</span>}</dd>
    </>
  );
}
