import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import {
  createMockClient,
  graphqlError,
  MockProvider,
  silent,
  subscriptionSubject,
  variablesOf,
  type MockHandler,
  type MockHandlers,
} from '../../testing/mockClient';
import type { HubspotLookup } from './fragments';
import { UserDetails } from './UserDetails';

// user-event types a character at a time; on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: 20_000 });

const customer = { id: 'cus_1', name: 'Grace Hopper', email: 'grace@example.com', phone: '+447911123456', phoneRaw: '07911 123456' };

const contact: NonNullable<HubspotLookup['contact']> = {
  id: '901',
  name: 'Grace Hopper',
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'grace.hopper@navy.example.com',
  phone: '+14155550123',
  mobilePhone: '+447911123456',
  lifecycleStage: 'Sales Qualified Lead',
  owner: { id: 'own_1', name: 'Olivia Owner', email: 'olivia@acme.example' },
  url: 'https://app.hubspot.com/contacts/123/record/0-1/901',
  createdAt: null,
  lastActivityAt: null,
};

type Lookup = Pick<HubspotLookup, 'outcome'> & Partial<HubspotLookup>;

function lookup(l: Lookup): HubspotLookup {
  return {
    customerId: 'cus_1',
    contact: null,
    matchedBy: null,
    candidates: 0,
    errorCode: null,
    message: null,
    detail: null,
    conversationId: null,
    customerContactId: null,
    notThisPerson: 0,
    link: null,
    ...l,
  };
}

function renderPanel(hubspot: MockHandler<'HubspotContact'>, extra: MockHandlers = {}) {
  const mock = createMockClient({
    UserDetails: () => ({ data: { customer } }),
    HubspotContact: hubspot,
    HubspotContactUpdated: silent,
    ...extra,
  });
  render(
    <MockProvider client={mock.client}>
      <UserDetails customerId="cus_1" channel="sms" />
    </MockProvider>,
  );
  return mock;
}

const section = () => screen.getByRole('region', { name: 'HubSpot' });

/** The section's term → definition pairs, as a person reads them. */
function details(): Record<string, string> {
  const terms = within(section()).queryAllByRole('term');
  return Object.fromEntries(terms.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? '']));
}

describe('HubSpot section of User Details', () => {
  it('asks for the chat customer’s contact as soon as the panel opens and says it is loading', () => {
    const mock = renderPanel(silent);
    expect(within(section()).getByText('Loading the HubSpot contact…')).toBeInTheDocument();
    expect(variablesOf(mock.executeQuery, 'HubspotContact')).toEqual([{ customerId: 'cus_1' }]);
    expect(variablesOf(mock.executeSubscription, 'HubspotContactUpdated')).toEqual([{ customerId: 'cus_1' }]);
  });

  it('shows every field of a found contact and links its name to the record in a new tab', () => {
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'FOUND', contact, matchedBy: 'EMAIL', candidates: 1 }) } }));
    expect(within(section()).getByText('Grace Hopper')).toBeInTheDocument();
    const link = within(section()).getByRole('link', { name: 'Open Grace Hopper in HubSpot (opens in a new tab)' });
    expect(link).toHaveAttribute('href', contact.url);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(link).toHaveTextContent('↗');
    expect(details()).toEqual({
      Email: 'grace.hopper@navy.example.com',
      Phone: '+14155550123',
      'Mobile phone': '+447911123456',
      'Lifecycle stage': 'Sales Qualified Lead',
      Owner: 'Olivia Owner' + 'olivia@acme.example',
    });
  });

  it('shows only the fields the record has', () => {
    const sparse = { ...contact, email: null, phone: null, mobilePhone: '+447911123456', lifecycleStage: null, owner: null };
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'FOUND', contact: sparse, matchedBy: 'PHONE', candidates: 1 }) } }));
    expect(details()).toEqual({ 'Mobile phone': '+447911123456' });
    expect(within(section()).queryByText('Not known')).not.toBeInTheDocument();
  });

  it('shows an owner with only an email, and a lifecycle stage HubSpot has no label for as it is', () => {
    const c = { ...contact, lifecycleStage: 'custom_stage_7', owner: { id: 'own_2', name: null, email: 'sam@acme.example' } };
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'FOUND', contact: c }) } }));
    expect(details()['Lifecycle stage']).toBe('custom_stage_7');
    expect(details().Owner).toBe('sam@acme.example');
  });

  it('keeps a long e-mail address whole inside each domain label (it may wrap only before a dot or after the @)', () => {
    const long = { ...contact, email: 'firstname.middlename.lastname@subdomain.very-long-company-name.example.co.uk' };
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'FOUND', contact: long }) } }));
    const dd = within(section()).getByText('Email').nextElementSibling!;
    expect(dd.textContent).toBe(long.email);
    // Each domain label is one unbreakable piece; the break opportunities (<wbr>) sit after the @ and before dots.
    const labels = [...dd.querySelectorAll('.email__label')].map((e) => e.textContent);
    expect(labels).toEqual(['subdomain', 'very-long-company-name', 'example', 'co', 'uk']);
    expect(dd.querySelectorAll('wbr')).toHaveLength(5);
  });

  it('says that several contacts share the email, how many, and that the oldest is shown', () => {
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'MULTIPLE_MATCHES', contact, matchedBy: 'EMAIL', candidates: 3 }) } }));
    expect(within(section()).getByRole('status')).toHaveTextContent(
      'Several HubSpot contacts share this email (3).Showing the oldest, the one transcripts go to.',
    );
    expect(within(section()).getByRole('link', { name: /Open Grace Hopper in HubSpot/ })).toBeInTheDocument();
  });

  it('says "phone number" when several contacts share the phone', () => {
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'MULTIPLE_MATCHES', contact, matchedBy: 'PHONE', candidates: 2 }) } }));
    expect(within(section()).getByText('Several HubSpot contacts share this phone number (2).')).toBeInTheDocument();
  });

  it.each<[HubspotLookup['outcome'], RegExp]>([
    ['NO_MATCH', /No HubSpot contact has this customer's email or phone number/],
    ['ANONYMOUS', /This customer is anonymous/],
    ['NOT_ENABLED', /HubSpot is not enabled for this workspace/],
  ])('explains the %s outcome in words', (outcome, words) => {
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome }) } }));
    expect(within(section()).getByText(words)).toBeInTheDocument();
    expect(within(section()).queryByRole('link')).not.toBeInTheDocument();
  });

  it('shows why HubSpot is unavailable, the code in words when there is no message, and tries again', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderPanel(() =>
      ++calls === 1
        ? { data: { hubspotContact: lookup({ outcome: 'UNAVAILABLE', errorCode: 'ERATELIMITED' }) } }
        : { data: { hubspotContact: lookup({ outcome: 'FOUND', contact }) } },
    );
    const banner = within(section()).getByRole('status');
    expect(banner).toHaveTextContent('HubSpot could not be asked right now.');
    expect(banner).toHaveTextContent('HubSpot is limiting how often Convrs may ask; try again in a minute.');

    await user.click(within(section()).getByRole('button', { name: 'Try again' }));
    expect(await within(section()).findByRole('link', { name: /Open Grace Hopper/ })).toBeInTheDocument();
  });

  it('prefers the gateway’s message for an unavailable HubSpot, and names an unknown code', () => {
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'UNAVAILABLE', errorCode: 'EUNAVAILABLE', message: 'HubSpot answered 503.' }) } }));
    expect(within(section()).getByText('HubSpot answered 503.')).toBeInTheDocument();
  });

  it('says what HubSpot refused, with HubSpot’s own answer behind Details when the gateway sends it (admins)', async () => {
    const user = userEvent.setup();
    const words = 'HubSpot refused Convrs’s question about this customer as invalid (the customer’s email or phone number may be malformed).';
    renderPanel(() => ({
      data: {
        hubspotContact: lookup({
          outcome: 'UNAVAILABLE',
          errorCode: 'EUNAVAILABLE',
          message: words,
          detail: 'HubSpot answered 400 VALIDATION_ERROR: Invalid input (correlation ID 77aa)',
        }),
      },
    }));
    expect(within(section()).getByText(words)).toBeInTheDocument();
    expect(within(section()).queryByText(/could not be reached/)).not.toBeInTheDocument();
    const detail = within(section()).getByText(/correlation ID 77aa/);
    expect(detail).not.toBeVisible();
    await user.click(within(section()).getByText('Details'));
    expect(detail).toBeVisible();
  });

  it('names an unknown error code rather than showing nothing', () => {
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'UNAVAILABLE', errorCode: 'EWEIRD' }) } }));
    expect(within(section()).getByText('HubSpot could not be asked (EWEIRD).')).toBeInTheDocument();
  });

  it('shows the error when the card itself cannot be loaded, never a blank', () => {
    renderPanel(() => ({ error: graphqlError('Convrs is unavailable right now.', 'EUNAVAILABLE') }));
    expect(within(section()).getByRole('status')).toHaveTextContent('The HubSpot contact could not be loaded.Convrs is unavailable right now.');
    expect(within(section()).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('updates live when the contact changes in HubSpot, without asking again', () => {
    const live = subscriptionSubject();
    const mock = renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'FOUND', contact }) } }), {
      HubspotContactUpdated: () => live.source,
    });
    expect(details()['Lifecycle stage']).toBe('Sales Qualified Lead');

    act(() => live.next({ hubspotContactUpdated: lookup({ outcome: 'FOUND', contact: { ...contact, lifecycleStage: 'Customer' } }) }));
    expect(details()['Lifecycle stage']).toBe('Customer');

    // The integration was disabled meanwhile.
    act(() => live.next({ hubspotContactUpdated: lookup({ outcome: 'NOT_ENABLED' }) }));
    expect(within(section()).getByText(/HubSpot is not enabled/)).toBeInTheDocument();
    expect(variablesOf(mock.executeQuery, 'HubspotContact')).toHaveLength(1);
  });

  it('ignores a live update about another customer', () => {
    const live = subscriptionSubject();
    renderPanel(() => ({ data: { hubspotContact: lookup({ outcome: 'FOUND', contact }) } }), { HubspotContactUpdated: () => live.source });
    act(() => live.next({ hubspotContactUpdated: { ...lookup({ outcome: 'NO_MATCH' }), customerId: 'cus_2' } }));
    expect(details()['Lifecycle stage']).toBe('Sales Qualified Lead');
  });
});
