import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { ContactSearch, type SearchContact } from '../../features/outbound-search';
import { graphql } from '../../gql';
import type { CustomerInput, StartConversationInput } from '../../gql/graphql';
import { conflictOf, errorMessage, fieldErrors, type Conflict } from '../../shared/api';
import { channelLabel, channels } from '../../shared/lib/channels';
import { Banner, Button, Field } from '../../shared/ui';
import { navigate } from '../router';
import { reachableChannel, useContactToPick } from './pickFromUrl';
import './create-chat.css';

const StartConversation = graphql(`
  mutation StartConversation($input: StartConversationInput!) {
    startConversation(input: $input) {
      id
    }
  }
`);

// Whether the form offers (or requires) outbound HubSpot search.
const CreateChatOptions = graphql(`
  query CreateChatOptions {
    hubspotIntegration {
      state
      options {
        allowOutboundSearch
        requireOutboundMatch
      }
    }
  }
`);

type FieldName = 'channel' | 'email' | 'phone' | 'firstName' | 'lastName' | 'message' | 'hubspotContactId';
const fieldNames: FieldName[] = ['channel', 'email', 'phone', 'firstName', 'lastName', 'message', 'hubspotContactId'];
const contactFields = ['email', 'phone', 'firstName', 'lastName'] as const;

/** The ECONFLICT extension that carries the id of the existing customer the details match. */
export const conflictCustomerKey = 'customerId';

interface FormState {
  channel: string;
  email: string;
  phone: string;
  firstName: string;
  lastName: string;
  message: string;
}

type Errors = Partial<Record<FieldName, string>>;

const empty: FormState = { channel: channels[0], email: '', phone: '', firstName: '', lastName: '', message: '' };

/** What each channel cannot start without. */
const needs: Record<string, 'phone' | 'email' | undefined> = { sms: 'phone', whatsapp: 'phone', email: 'email' };

function channelNeed(channel: string): string | null {
  const need = needs[channel];
  if (need === 'phone') return `${channelLabel(channel)} needs the customer's phone number.`;
  if (need === 'email') return `${channelLabel(channel)} needs the customer's email address.`;
  return null;
}

// A sanity check only (one @, something on both sides, a dot in the domain); the gateway has the last word.
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The contact's number for a channel: the mobile one first where texts go to it (SMS, WhatsApp). */
function contactPhone(contact: SearchContact, channel: string): string {
  const mobileFirst = needs[channel] === 'phone';
  return (mobileFirst ? (contact.mobilePhone ?? contact.phone) : (contact.phone ?? contact.mobilePhone)) ?? '';
}

interface Mode {
  search: boolean;
  requireMatch: boolean;
}

/** Every problem the form can see before asking the server, all at once. */
function validate(form: FormState, mode: Mode, selected: SearchContact | null): { fields: Errors; other: string[] } {
  const fields: Errors = {};
  const other: string[] = [];
  if (mode.requireMatch && !selected) {
    fields.hubspotContactId = 'Select a HubSpot contact: this workspace only starts chats with contacts found in HubSpot.';
  }
  const email = form.email.trim();
  const phone = form.phone.trim();
  if (email && !emailShape.test(email)) fields.email = `"${email}" is not an email address such as name@example.com.`;
  const need = needs[form.channel];
  if (need === 'phone' && !phone) fields.phone = `${channelLabel(form.channel)} needs a phone number.`;
  if (need === 'email' && !email) fields.email = `${channelLabel(form.channel)} needs an email address.`;
  if (!need && !selected && !mode.requireMatch && !email && !phone && !form.firstName.trim() && !form.lastName.trim()) {
    other.push('Enter an email, a phone number or a name.');
  }
  if (form.message.trim() === '') fields.message = 'Enter the first message.';
  return { fields, other };
}

/** Create New Chat: starts an outbound conversation with a new customer, an existing one, or a HubSpot contact. */
export function CreateChatPage() {
  const [{ data, error }] = useQuery({ query: CreateChatOptions, requestPolicy: 'cache-and-network' });
  if (!data && !error) {
    return (
      <Page>
        <p className="muted">Loading…</p>
      </Page>
    );
  }
  const options = data?.hubspotIntegration.options;
  const search = options?.allowOutboundSearch ?? false;
  const mode: Mode = { search, requireMatch: search && (options?.requireOutboundMatch ?? false) };
  return (
    <Page>
      {!data && error && (
        <Banner tone="yellow" title="HubSpot search could not be loaded: enter the customer's details by hand.">
          {errorMessage(error)}
        </Banner>
      )}
      <CreateChatForm mode={mode} />
    </Page>
  );
}

function Page({ children }: { children: ReactNode }) {
  return (
    <main className="page page--narrow" aria-labelledby="new-chat-title">
      <h1 id="new-chat-title">Create New Chat</h1>
      {children}
    </main>
  );
}

function CreateChatForm({ mode }: { mode: Mode }) {
  const [form, setForm] = useState<FormState>(empty);
  const fromUrl = useContactToPick(mode.search);
  const [selected, setSelected] = useState<SearchContact | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  // The picked contact the conflict was about: the chat can start with the existing customer and still be
  // written to that contact; linkCustomer also makes it the customer's contact from now on.
  const [conflictPick, setConflictPick] = useState<SearchContact | null>(null);
  const [linkCustomer, setLinkCustomer] = useState(false);
  const [{ fetching }, start] = useMutation(StartConversation);
  const emailRef = useRef<HTMLInputElement>(null);

  // Details come from the HubSpot contact while one is selected (the gateway reads the contact itself), and
  // only from one when the workspace requires a match.
  const locked = mode.requireMatch || selected !== null;
  // A picked contact without a usable phone number (none in HubSpot, or one the gateway found invalid): the agent
  // may type the number to reach them on; the same for a missing email. The contact still comes from HubSpot.
  const [phoneUnlocked, setPhoneUnlocked] = useState(false);
  const typeable = (name: (typeof contactFields)[number]): boolean => {
    if (!locked) return true;
    if (!selected) return false;
    if (name === 'phone') return phoneUnlocked || (!selected.phone && !selected.mobilePhone);
    if (name === 'email') return !selected.email;
    return false;
  };

  const set = (name: keyof FormState) => (event: { target: { value: string } }) => {
    const next = { ...form, [name]: event.target.value };
    // A picked contact's number follows the channel: the mobile one for SMS and WhatsApp.
    if (name === 'channel' && selected) next.phone = contactPhone(selected, next.channel);
    setForm(next);
    if (errors[name]) setErrors({ ...errors, [name]: undefined });
    setConflict(null);
  };

  function select(contact: SearchContact, channel = form.channel) {
    setSelected(contact);
    setPhoneUnlocked(false);
    setForm({ ...form, channel, email: contact.email ?? '', phone: contactPhone(contact, channel), firstName: contact.firstName ?? '', lastName: contact.lastName ?? '' });
    setErrors({ ...errors, hubspotContactId: undefined, email: undefined, phone: undefined, firstName: undefined, lastName: undefined });
    setFormErrors([]);
    setConflict(null);
  }

  function clearSelection() {
    setSelected(null);
    setForm({ ...form, email: '', phone: '', firstName: '', lastName: '' });
    setConflict(null);
  }

  // The contact the URL names (HubSpot's Start chat in Convrs) is picked once HubSpot returned it, on a channel
  // that reaches them.
  const urlContact = fromUrl.contact;
  useEffect(() => {
    if (urlContact) select(urlContact, reachableChannel(urlContact, form.channel) ?? form.channel);
    // Only when the contact arrives: later edits are the agent's.
  }, [urlContact]);
  const unreachable = urlContact && selected?.id === urlContact.id && !reachableChannel(urlContact, form.channel);

  async function send(input: StartConversationInput) {
    const result = await start({ input });
    if (result.data) {
      navigate(`/chat/${result.data.startConversation.id}`);
      return;
    }
    const found = conflictOf(result.error, conflictCustomerKey);
    const { fields, other } = fieldErrors(result.error, fieldNames);
    // The field that matched is marked too, so it is read out with the control.
    if (found?.field && (fieldNames as string[]).includes(found.field)) {
      fields[found.field as FieldName] ??= 'This belongs to an existing customer (see above).';
    }
    setErrors(fields);
    if (fields.phone && input.hubspotContactId) setPhoneUnlocked(true);
    setConflict(found);
    setConflictPick(found && input.hubspotContactId && selected?.id === input.hubspotContactId ? selected : null);
    setLinkCustomer(false);
    setFormErrors(found ? other.filter((m) => m !== found.message) : other);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setConflict(null);
    const checked = validate(form, mode, selected);
    setErrors(checked.fields);
    setFormErrors(checked.other);
    if (Object.keys(checked.fields).length > 0 || checked.other.length > 0) return;

    const customer: CustomerInput = {};
    for (const name of contactFields) {
      const value = form[name].trim();
      if (value) customer[name] = value;
    }
    const input: StartConversationInput = { channel: form.channel, customer, message: form.message.trim() };
    if (selected) input.hubspotContactId = selected.id;
    await send(input);
  }

  async function startWithExisting(customerId: string) {
    setConflict(null);
    const input: StartConversationInput = { channel: form.channel, customerId, message: form.message.trim() };
    if (conflictPick) {
      input.hubspotContactId = conflictPick.id;
      if (linkCustomer) input.linkCustomer = true;
    }
    await send(input);
  }

  const need = channelNeed(form.channel);
  const lockedHint = mode.requireMatch
    ? 'Only HubSpot contacts can be used here: search and select one above.'
    : 'Filled from the selected HubSpot contact. Clear the selection to type details by hand.';
  const detail = (name: (typeof contactFields)[number]) => ({
    value: form[name],
    onChange: set(name),
    readOnly: !typeable(name),
    autoComplete: 'off',
  });
  const typeHint = (name: 'email' | 'phone') =>
    name === 'phone'
      ? 'This contact has no valid phone number in HubSpot: type the number to reach them on (with the country code, or a number from the workspace\'s region).'
      : 'This contact has no email address in HubSpot: type the address to reach them on.';
  const hintFor = (name: 'email' | 'phone', own: string | undefined) => (locked && typeable(name) ? typeHint(name) : locked ? lockedHint : own);

  return (
    <form className="card form new-chat" onSubmit={submit} noValidate aria-label="New chat">
      {fromUrl.id && !mode.search && (
        <Banner tone="yellow" title="The HubSpot contact is not picked: this workspace does not allow HubSpot searching in outbound.">
          Enter the customer's details by hand, or ask an admin to turn on Allow HubSpot searching in outbound.
        </Banner>
      )}
      {fromUrl.id && mode.search && fromUrl.error && (
        <Banner tone="red" role="alert" title="The HubSpot contact could not be picked.">
          {errorMessage(fromUrl.error)}
        </Banner>
      )}
      {fromUrl.id && mode.search && fromUrl.fetching && <p className="muted">Reading the contact from HubSpot…</p>}
      {unreachable && (
        <Banner tone="yellow" title="This contact has no email address or phone number in HubSpot: no channel can reach them." />
      )}
      {formErrors.length > 0 && (
        <Banner tone="red" role="alert" title="The chat could not be started.">
          {formErrors.join(' ')}
        </Banner>
      )}
      {Object.values(errors).filter(Boolean).length > 1 && formErrors.length === 0 && (
        <Banner tone="red" role="alert" title={`${Object.values(errors).filter(Boolean).length} fields need attention.`} />
      )}
      {conflict && conflictPick && (
        <Banner
          tone="yellow"
          role="alert"
          title={conflict.message}
          actions={
            <>
              {conflict.id && (
                <Button variant="primary" busy={fetching} onClick={() => startWithExisting(conflict.id!)}>
                  Start the chat
                </Button>
              )}
              <Button
                onClick={() => {
                  setConflict(null);
                  clearSelection();
                }}
              >
                Choose another contact
              </Button>
            </>
          }
        >
          <p>The chat starts with the existing customer; its transcript goes to the contact you picked.</p>
          <label className="new-chat__link-customer">
            <input type="checkbox" checked={linkCustomer} onChange={(e) => setLinkCustomer(e.target.checked)} /> Also make{' '}
            {[conflictPick.firstName, conflictPick.lastName].filter(Boolean).join(' ') || conflictPick.email || 'this contact'} this customer's HubSpot
            contact from now on
          </label>
        </Banner>
      )}
      {conflict && !conflictPick && (
        <Banner
          tone="yellow"
          role="alert"
          title={conflict.message}
          actions={
            <>
              {conflict.id && (
                <Button variant="primary" busy={fetching} onClick={() => startWithExisting(conflict.id!)}>
                  Use this customer
                </Button>
              )}
              <Button
                onClick={() => {
                  setConflict(null);
                  emailRef.current?.focus();
                }}
              >
                Correct the details
              </Button>
            </>
          }
        >
          {conflict.id
            ? 'Start the chat with that existing customer (their stored details stay as they are), or correct the details.'
            : 'Correct the details to start the chat with a new customer.'}
        </Banner>
      )}
      <Field label="Channel" error={errors.channel} hint={need}>
        <select value={form.channel} onChange={set('channel')}>
          {channels.map((c) => (
            <option key={c} value={c}>
              {channelLabel(c)}
            </option>
          ))}
        </select>
      </Field>
      {mode.search && (
        <ContactSearch
          onSelect={select}
          selected={selected}
          onClear={clearSelection}
          error={errors.hubspotContactId}
          hint={
            mode.requireMatch
              ? 'Required: this workspace only starts chats with HubSpot contacts.'
              : 'Pick a HubSpot contact to fill the details and link the chat to it, or enter the details by hand.'
          }
        />
      )}
      <div className="form__row">
        <Field label="Email" error={errors.email} hint={hintFor('email', needs[form.channel] === 'email' ? 'Required for this channel.' : undefined)}>
          <input ref={emailRef} type="email" aria-required={needs[form.channel] === 'email'} {...detail('email')} />
        </Field>
        <Field
          label="Phone"
          error={errors.phone}
          hint={hintFor('phone', `${needs[form.channel] === 'phone' ? 'Required for this channel. ' : ''}With the country code, or a number from the workspace's region.`)}
        >
          <input type="tel" aria-required={needs[form.channel] === 'phone'} {...detail('phone')} />
        </Field>
      </div>
      <div className="form__row">
        <Field label="First name" error={errors.firstName}>
          <input {...detail('firstName')} />
        </Field>
        <Field label="Last name" error={errors.lastName}>
          <input {...detail('lastName')} />
        </Field>
      </div>
      <Field label="First message" error={errors.message}>
        <textarea rows={4} value={form.message} onChange={set('message')} />
      </Field>
      <div className="form__actions">
        <Button type="submit" variant="primary" busy={fetching}>
          Start chat
        </Button>
      </div>
    </form>
  );
}
