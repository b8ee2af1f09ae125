import { useId, useState, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { errorCode, errorMessage } from '../../shared/api';
import { formatDate } from '../../shared/lib/format';
import { Banner, Button, ExternalLink } from '../../shared/ui';
import type { HubspotContactCard, HubspotLookup } from './fragments';

const ChangeHubspotContact = graphql(`
  mutation ChangeHubspotContact($customerId: ID!, $hubspotContactId: ID!) {
    changeHubspotContact(customerId: $customerId, hubspotContactId: $hubspotContactId) {
      ...HubspotContactLookupFields
    }
  }
`);

const UnlinkHubspotContact = graphql(`
  mutation UnlinkHubspotContact($customerId: ID!) {
    unlinkHubspotContact(customerId: $customerId) {
      ...HubspotContactLookupFields
    }
  }
`);

const HubspotContactCandidates = graphql(`
  query HubspotContactCandidates($customerId: ID!) {
    hubspotContactCandidates(customerId: $customerId) {
      ...HubspotContactFields
    }
  }
`);

const SearchHubspotForChange = graphql(`
  query SearchHubspotForChange($query: String!) {
    searchHubspotContacts(query: $query) {
      ...HubspotContactFields
    }
  }
`);

export function contactName(contact: HubspotContactCard): string {
  return contact.name ?? ([contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || `contact ${contact.id}`);
}

/** What tells duplicates apart: "Created 1 Mar 2021 · Owner Marcus Lee · Lead · Last activity 3 Dec 2026". */
export function contactFacts(contact: HubspotContactCard): string {
  const facts: string[] = [];
  if (contact.createdAt) facts.push(`Created ${formatDate(contact.createdAt)}`);
  if (contact.owner?.name || contact.owner?.email) facts.push(`Owner ${contact.owner.name ?? contact.owner.email}`);
  else facts.push('No owner');
  if (contact.lifecycleStage) facts.push(contact.lifecycleStage);
  if (contact.lastActivityAt) facts.push(`Last activity ${formatDate(contact.lastActivityAt)}`);
  return facts.join(' · ');
}

/** How the shown contact was chosen, in words: "Linked: matched by email (bob@example.com)". */
export function LinkProvenance({ lookup }: { lookup: HubspotLookup }) {
  if (!lookup.link || !lookup.contact) return null;
  if (lookup.conversationId) {
    return (
      <p className="hubspot-link__how">
        This chat is written to {contactName(lookup.contact)} in HubSpot: {lookup.link.description} when the chat was started.
      </p>
    );
  }
  return <p className="hubspot-link__how">Linked: {lookup.link.description}.</p>;
}

interface LinkActionsProps {
  lookup: HubspotLookup;
  customerId: string;
  /** Called with the new card after a change, so the section shows it at once. */
  onChanged: () => void;
}

/**
 * Change contact, Unlink (not this person) and, beside a chat started from a HubSpot pick, making the picked
 * contact the customer's own from now on. Links are made by the gateway, which reads the contact in HubSpot.
 */
export function LinkActions({ lookup, customerId, onChanged }: LinkActionsProps) {
  const [choosing, setChoosing] = useState(false);
  const [note, setNote] = useState<ReactNode>(null);
  const [{ fetching: changing, error: changeError }, change] = useMutation(ChangeHubspotContact);
  const [{ fetching: unlinking, error: unlinkError }, unlink] = useMutation(UnlinkHubspotContact);
  const contact = lookup.contact;
  const shownIsCustomers = !lookup.conversationId && contact !== null;
  const pickIsCustomers = lookup.conversationId !== null && contact !== null && lookup.customerContactId === contact.id;

  async function choose(target: HubspotContactCard) {
    const result = await change({ customerId, hubspotContactId: target.id });
    if (result.data) {
      setChoosing(false);
      setNote(`${contactName(target)} is now this customer's HubSpot contact.`);
      onChanged();
    }
  }

  async function notThisPerson() {
    if (!contact) return;
    const result = await unlink({ customerId });
    if (result.data) {
      setNote(`Unlinked ${contactName(contact)}: Convrs will not match this customer to that contact again unless someone links it.`);
      onChanged();
    }
  }

  const error = changeError ?? unlinkError;
  return (
    <div className="hubspot-link">
      {note && <p role="status" className="hubspot-link__note">{note}</p>}
      {error && (
        <Banner tone="red" role="alert" title="The HubSpot link was not changed.">
          {errorMessage(error)}
        </Banner>
      )}
      {lookup.conversationId && contact && !pickIsCustomers && (
        <p className="hubspot-link__offer">
          <Button busy={changing} onClick={() => choose(contact)}>
            Make {contactName(contact)} this customer's contact from now on
          </Button>
        </p>
      )}
      <div className="hubspot-link__actions">
        <Button aria-expanded={choosing} onClick={() => setChoosing(!choosing)}>
          {contact || lookup.notThisPerson > 0 ? 'Change contact' : 'Choose a contact'}
        </Button>
        {shownIsCustomers && (
          <Button variant="danger" busy={unlinking} onClick={notThisPerson} title="Not this person: Convrs will not match this customer to this contact again">
            Unlink (not this person)
          </Button>
        )}
      </div>
      {choosing && (
        <ChooseContact customerId={customerId} currentId={lookup.conversationId ? lookup.customerContactId : (contact?.id ?? null)} busy={changing} onChoose={choose} onCancel={() => setChoosing(false)} />
      )}
    </div>
  );
}

interface ChooseContactProps {
  customerId: string;
  currentId: string | null;
  busy: boolean;
  onChoose: (contact: HubspotContactCard) => void;
  onCancel: () => void;
}

/** The contacts sharing the customer's email or phone, and a HubSpot search, to choose the customer's contact. */
function ChooseContact({ customerId, currentId, busy, onChoose, onCancel }: ChooseContactProps) {
  const headingId = useId();
  const searchId = useId();
  const [query, setQuery] = useState('');
  const [{ data, fetching, error }] = useQuery({ query: HubspotContactCandidates, variables: { customerId }, requestPolicy: 'network-only' });
  const trimmed = query.trim();
  const [search] = useQuery({ query: SearchHubspotForChange, variables: { query: trimmed }, pause: trimmed.length < 2 });
  const candidates = data?.hubspotContactCandidates ?? [];

  return (
    <section className="hubspot-choose" aria-labelledby={headingId}>
      <h4 id={headingId} className="hubspot-choose__title">
        Choose this customer's HubSpot contact
      </h4>
      <p className="muted">Contacts with this customer's email or phone number, oldest first:</p>
      {fetching && !data && <p className="muted">Loading…</p>}
      {error && <p className="field__error">{errorMessage(error)}</p>}
      {data && candidates.length === 0 && <p className="muted">No HubSpot contact has this customer's email or phone number.</p>}
      <ContactChoices contacts={candidates} currentId={currentId} busy={busy} onChoose={onChoose} label="Contacts sharing this customer's details" />
      <label className="field__label" htmlFor={searchId}>
        Search HubSpot
      </label>
      <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name, email or phone" autoComplete="off" />
      {search.error && (
        <p className="field__error">
          {errorCode(search.error) === 'EFORBIDDEN'
            ? 'Searching HubSpot is off for this workspace (an administrator can allow it under Integrations). Choose among the contacts above.'
            : errorMessage(search.error)}
        </p>
      )}
      {trimmed.length >= 2 && search.data && search.data.searchHubspotContacts.length === 0 && <p className="muted">No HubSpot contact matches "{trimmed}".</p>}
      {search.data && (
        <ContactChoices contacts={search.data.searchHubspotContacts} currentId={currentId} busy={busy} onChoose={onChoose} label="Search results" />
      )}
      <p>
        <Button variant="link" onClick={onCancel}>
          Cancel
        </Button>
      </p>
    </section>
  );
}

function ContactChoices({ contacts, currentId, busy, onChoose, label }: { contacts: HubspotContactCard[]; currentId: string | null; busy: boolean; onChoose: (c: HubspotContactCard) => void; label: string }) {
  if (contacts.length === 0) return null;
  return (
    <ul className="hubspot-choose__list" aria-label={label}>
      {contacts.map((c) => {
        const name = contactName(c);
        return (
          <li key={c.id} className="hubspot-choose__item">
            <p className="hubspot-choose__name">
              {name} <ExternalLink href={c.url} label={`Open ${name} in HubSpot`} />
              {c.id === currentId && <span className="muted"> (current)</span>}
            </p>
            {c.email && <p className="hubspot-choose__detail">{c.email}</p>}
            <p className="hubspot-choose__detail muted">{contactFacts(c)}</p>
            {c.id !== currentId && (
              <Button busy={busy} aria-label={`Choose ${name} (${contactFacts(c)})`} onClick={() => onChoose(c)}>
                Choose
              </Button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
