import { createRequest } from '@urql/core';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useClient } from 'urql';
import { pipe, subscribe } from 'wonka';
import { graphql } from '../../gql';
import type { SearchHubspotContactsQuery } from '../../gql/graphql';
import { errorCode, errorMessage } from '../../shared/api';
import { formatDate } from '../../shared/lib/format';
import { Button, EmailAddress, ExternalLink, Field } from '../../shared/ui';
import './contact-search.css';

// What a picked contact carries, wherever it was picked from (search here, or the console's #/new link).
graphql(`
  fragment SearchContactFields on HubspotContact {
    id
    name
    firstName
    lastName
    email
    phone
    mobilePhone
    url
    createdAt
    lifecycleStage
    owner {
      id
      name
      email
    }
  }
`);

const SearchHubspotContacts = graphql(`
  query SearchHubspotContacts($query: String!) {
    searchHubspotContacts(query: $query) {
      ...SearchContactFields
    }
  }
`);

/** A contact as outbound search returns it. */
export type SearchContact = SearchHubspotContactsQuery['searchHubspotContacts'][number];

/** How long typing must pause before a search is sent. */
export const searchDelayMs = 300;
/** Shorter queries are not sent (the gateway would answer nothing anyway). */
export const minQueryLength = 2;
const maxResults = 5;

export interface ContactSearchProps {
  /** Called when the agent picks a result (click, or Enter on the highlighted one). */
  onSelect: (contact: SearchContact) => void;
  /** The contact picked so far, shown under the field. */
  selected?: SearchContact | null;
  /** Offers "Clear selection" when given. */
  onClear?: () => void;
  label?: string;
  hint?: ReactNode;
  /** An error of the host form about the selection, e.g. that one is required. */
  error?: string | null;
  disabled?: boolean;
}

type Status = 'idle' | 'searching' | 'done' | 'error';

/**
 * "Search HubSpot contacts": an ARIA combobox that searches HubSpot after a pause in typing, cancels a search
 * that a newer one supersedes, keeps the last results on screen until the next ones arrive (no flicker) and
 * lists up to five contacts with name, email and phone. The ↗ on a result opens it in HubSpot without picking it.
 */
export function ContactSearch({ onSelect, selected = null, onClear, label = 'Search HubSpot contacts', hint, error, disabled }: ContactSearchProps) {
  const client = useClient();
  const id = useId();
  const listId = `${id}-list`;
  const statusId = `${id}-status`;
  const [text, setText] = useState('');
  const [results, setResults] = useState<SearchContact[]>([]);
  const [status, setStatus] = useState<Status>('idle');
  const [searchError, setSearchError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  const popupRef = useRef<HTMLDivElement>(null);
  /** Closes the list unless focus moved to the input or into the list (the highlighted result's ↗). */
  const closeUnlessInside = (next: EventTarget | null) => {
    if (next instanceof Node && (next === inputRef.current || popupRef.current?.contains(next))) return;
    setOpen(false);
  };

  const query = text.trim();
  const tooShort = query.length < minQueryLength;

  useEffect(() => {
    if (query.length < minQueryLength) {
      setResults([]);
      setStatus('idle');
      setSearchError(null);
      setActive(-1);
      return;
    }
    let unsubscribe: (() => void) | null = null;
    const timer = setTimeout(() => {
      setStatus('searching');
      // network-only: a contact edited in HubSpot a minute ago must not come from this page's cache.
      ({ unsubscribe } = pipe(
        client.executeQuery(createRequest(SearchHubspotContacts, { query }), { requestPolicy: 'network-only' }),
        subscribe((result) => {
          if (result.error) {
            setResults([]);
            setSearchError(searchErrorWords(result.error));
            setStatus('error');
          } else if (result.data) {
            setResults(result.data.searchHubspotContacts.slice(0, maxResults));
            setSearchError(null);
            setStatus('done');
          }
          setActive(-1);
        }),
      ));
    }, searchDelayMs);
    // A newer query (or unmounting) cancels the pending timer and the search in flight, whose answer is dropped.
    return () => {
      clearTimeout(timer);
      unsubscribe?.();
    };
  }, [client, query]);

  const expanded = open && !tooShort && results.length > 0;

  function choose(contact: SearchContact) {
    onSelect(contact);
    setText('');
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const n = results.length;
    switch (event.key) {
      case 'ArrowDown':
        if (tooShort || n === 0) return;
        event.preventDefault();
        setOpen(true);
        setActive((a) => (!expanded || a >= n - 1 ? 0 : a + 1));
        return;
      case 'ArrowUp':
        if (tooShort || n === 0) return;
        event.preventDefault();
        setOpen(true);
        setActive((a) => (!expanded || a <= 0 ? n - 1 : a - 1));
        return;
      case 'Enter':
        // With the list open, Enter picks (or does nothing) rather than submitting the surrounding form.
        if (!expanded) return;
        event.preventDefault();
        if (active >= 0 && active < n) choose(results[active]);
        return;
      case 'Escape':
        if (expanded) {
          event.preventDefault();
          event.stopPropagation();
          setOpen(false);
          setActive(-1);
        } else if (text !== '') {
          event.preventDefault();
          setText('');
        }
        return;
      case 'Tab':
        // Tab from a highlighted result goes to its ↗ (open in HubSpot); otherwise on out of the list.
        if (!expanded || active < 0 || event.shiftKey) setOpen(false);
        return;
    }
  }

  let statusText: ReactNode = null;
  if (text !== '' && tooShort) statusText = `Type at least ${minQueryLength} characters to search.`;
  else if (status === 'searching' && results.length === 0) statusText = 'Searching HubSpot…';
  else if (status === 'error') statusText = searchError;
  else if (status === 'done' && results.length === 0) statusText = `No HubSpot contact matches “${query}”.`;
  else if (status === 'done') statusText = results.length === 1 ? '1 HubSpot contact found.' : `${results.length} HubSpot contacts found.`;

  return (
    <div className="contact-search">
      <Field label={label} hint={hint} error={error}>
        <input
          ref={inputRef}
          type="search"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          placeholder="Name, email or phone"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={expanded && active >= 0 ? `${id}-option-${active}` : undefined}
          value={text}
          disabled={disabled}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          onFocus={() => setOpen(true)}
          onBlur={(event) => closeUnlessInside(event.relatedTarget)}
        />
      </Field>
      <div className="contact-search__popup" ref={popupRef}>
        <ul id={listId} role="listbox" aria-label="HubSpot contacts" className="contact-search__list" hidden={!expanded}>
          {results.map((contact, i) => {
            const name = contactName(contact);
            const phone = contact.phone ?? contact.mobilePhone;
            return (
              <li
                key={contact.id}
                id={`${id}-option-${i}`}
                role="option"
                aria-selected={i === active}
                aria-label={[name, contact.email, phone, facts(contact)].filter(Boolean).join(', ')}
                className={i === active ? 'contact-search__option contact-search__option--active' : 'contact-search__option'}
                // Keep the focus in the input, so the list stays open until the click lands.
                onMouseDown={(event) => event.preventDefault()}
                onMouseMove={() => active !== i && setActive(i)}
                onClick={() => choose(contact)}
              >
                <span className="contact-search__main">
                  <span className="contact-search__name">{name}</span>
                  {contact.email && (
                    <span className="contact-search__meta">
                      <EmailAddress address={contact.email} />
                    </span>
                  )}
                  {phone && <span className="contact-search__meta">{phone}</span>}
                  {facts(contact) && <span className="contact-search__meta contact-search__facts">{facts(contact)}</span>}
                </span>
                {/* Reachable by Tab from the highlighted result; Escape goes back to the search field. */}
                <span
                  onKeyDown={(event) => {
                    if (event.key === 'Escape') {
                      event.preventDefault();
                      inputRef.current?.focus();
                    }
                  }}
                  onBlur={(event) => closeUnlessInside(event.relatedTarget)}
                >
                  <ExternalLink
                    href={contact.url}
                    label={`Open ${name} in HubSpot`}
                    tabIndex={i === active ? 0 : -1}
                    className="contact-search__open"
                    onClick={(event) => event.stopPropagation()}
                  />
                </span>
              </li>
            );
          })}
        </ul>
      </div>
      <p id={statusId} role="status" className={status === 'error' ? 'contact-search__status contact-search__status--error' : 'contact-search__status'}>
        {statusText}
      </p>
      {selected && (
        <div className="contact-search__selected" role="group" aria-label="Selected HubSpot contact">
          <span>
            <strong>{contactName(selected)}</strong>{' '}
            <ExternalLink href={selected.url} label={`Open ${contactName(selected)} in HubSpot`} />
            {selected.email && (
              <>
                {' · '}
                <EmailAddress address={selected.email} />
              </>
            )}
            {(selected.phone ?? selected.mobilePhone) && ` · ${selected.phone ?? selected.mobilePhone}`}
          </span>
          {onClear && (
            <Button
              variant="link"
              onClick={() => {
                onClear();
                inputRef.current?.focus();
              }}
            >
              Clear selection
            </Button>
          )}
        </div>
      )}
    </div>
  );
}

/** The contact's name, else its email, else its id: a result always has something to read. */
export function contactName(contact: Pick<SearchContact, 'id' | 'name' | 'firstName' | 'lastName' | 'email'>): string {
  return contact.name || [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || `Contact ${contact.id}`;
}

const errorWords: Record<string, string> = {
  EFORBIDDEN: 'HubSpot search is turned off for this workspace (Allow HubSpot searching in outbound).',
  ERATELIMITED: 'HubSpot is limiting how often Convrs may search. Try again in a minute.',
  EUNAVAILABLE: 'HubSpot is not answering. Try again shortly, or enter the details by hand.',
};

function searchErrorWords(error: Parameters<typeof errorMessage>[0]): string {
  const message = errorMessage(error);
  if (message) return `The search failed: ${message}`;
  const code = errorCode(error);
  return (code && errorWords[code]) || 'The search failed.';
}

/** What tells duplicates apart: "Created 1 Mar 2021 · Owner Marcus Lee · Lead" (what HubSpot has of it). */
function facts(contact: SearchContact): string {
  const out: string[] = [];
  if (contact.createdAt) out.push(`Created ${formatDate(contact.createdAt)}`);
  if (contact.owner?.name || contact.owner?.email) out.push(`Owner ${contact.owner.name ?? contact.owner.email}`);
  if (contact.lifecycleStage) out.push(contact.lifecycleStage);
  return out.join(' · ');
}
