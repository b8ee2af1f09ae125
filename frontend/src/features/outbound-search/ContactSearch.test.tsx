import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { make } from 'wonka';
import { createMockClient, graphqlError, MockProvider, variablesOf, type MockHandlers } from '../../testing/mockClient';
import { useFakeTimers } from '../../testing/fakeTimers';
import { ContactSearch, searchDelayMs, type SearchContact } from './ContactSearch';

// user-event types a character at a time; on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: 20_000 });

function person(id: string, name: string, email: string | null, phone: string | null): SearchContact {
  const [firstName, lastName] = name.split(' ');
  return { id, name, firstName, lastName, email, phone, mobilePhone: null, url: `https://app.hubspot.com/contacts/1/record/0-1/${id}`, createdAt: null, lifecycleStage: null, owner: null };
}

const bob = person('101', 'Bob Smith', 'bob@example.com', '+14155550101');
const bobby = person('102', 'Bobby Tables', 'bobby@school.example', null);
const bobbie = person('103', 'Bobbie Brown', null, '+447911123456');

let realTimers: () => void;
beforeEach(() => {
  realTimers = useFakeTimers();
});
afterEach(() => realTimers());

/** Lets the debounce run out (and React render what follows). */
async function pause(ms: number) {
  await act(async () => {
    vi.advanceTimersByTime(ms);
  });
}

function renderSearch(handlers: MockHandlers) {
  const mock = createMockClient(handlers);
  const onSelect = vi.fn();
  const onSubmit = vi.fn((event: { preventDefault(): void }) => event.preventDefault());
  render(
    <MockProvider client={mock.client}>
      <form onSubmit={onSubmit}>
        <ContactSearch onSelect={onSelect} />
      </form>
    </MockProvider>,
  );
  const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
  const input = screen.getByRole('combobox', { name: 'Search HubSpot contacts' });
  const searches = () => variablesOf(mock.executeQuery, 'SearchHubspotContacts').map((v) => v.query);
  return { mock, user, input, onSelect, onSubmit, searches };
}

const found = (...contacts: SearchContact[]) => () => ({ data: { searchHubspotContacts: contacts } });

describe('Search HubSpot contacts', () => {
  it('shows what tells duplicates apart, and Tab from a highlighted result reaches its ↗', async () => {
    const robert = { ...person('104', 'Robert Smith', 'bob@example.com', null), createdAt: '2023-06-10T09:00:00Z', lifecycleStage: 'Subscriber' };
    const older = { ...bob, createdAt: '2021-03-01T09:00:00Z', lifecycleStage: 'Lead', owner: { id: 'o1', name: 'Marcus Lee', email: null } };
    const { user, input } = renderSearch({ SearchHubspotContacts: found(older, robert) });
    await user.type(input, 'smith');
    await pause(searchDelayMs);
    const options = within(screen.getByRole('listbox', { name: 'HubSpot contacts' })).getAllByRole('option');
    expect(options[0]).toHaveTextContent(/Created .*2021 · Owner Marcus Lee · Lead/);
    expect(options[1]).toHaveTextContent(/Created .*2023 · Subscriber/);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    await user.tab();
    expect(within(options[1]).getByRole('link', { name: 'Open Robert Smith in HubSpot (opens in a new tab)' })).toHaveFocus();
    expect(input).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{Escape}');
    expect(input).toHaveFocus();
  });

  it('searches once typing pauses, and lists name, email and phone of each result', async () => {
    const { user, input, searches } = renderSearch({ SearchHubspotContacts: found(bob, bobby, bobbie) });
    await user.type(input, 'bob');
    expect(searches()).toEqual([]);
    await pause(searchDelayMs - 1);
    expect(searches()).toEqual([]);
    await pause(1);
    expect(searches()).toEqual(['bob']);

    expect(input).toHaveAttribute('aria-expanded', 'true');
    const options = within(screen.getByRole('listbox', { name: 'HubSpot contacts' })).getAllByRole('option');
    expect(options.map((o) => o.getAttribute('aria-label'))).toEqual([
      'Bob Smith, bob@example.com, +14155550101',
      'Bobby Tables, bobby@school.example',
      'Bobbie Brown, +447911123456',
    ]);
    expect(options[0]).toHaveTextContent('Bob Smith');
    expect(options[0]).toHaveTextContent('bob@example.com');
    expect(options[0]).toHaveTextContent('+14155550101');
    expect(screen.getByRole('status')).toHaveTextContent('3 HubSpot contacts found.');
  });

  it('sends nothing for fewer than 2 characters and says why', async () => {
    const { user, input, searches } = renderSearch({});
    await user.type(input, ' b ');
    await pause(2000);
    expect(searches()).toEqual([]);
    expect(screen.getByRole('status')).toHaveTextContent('Type at least 2 characters to search.');
  });

  it('sends at most 2 searches while a 12-character name is typed at 8 keys per second', async () => {
    const { mock, input, searches } = renderSearch({ SearchHubspotContacts: found(bob) });
    const typist = userEvent.setup({ delay: 1000 / 8, advanceTimers: vi.advanceTimersByTime });
    await typist.type(input, 'Bob Smithson');
    await pause(searchDelayMs * 3);
    expect(searches().length).toBeGreaterThanOrEqual(1);
    expect(searches().length).toBeLessThanOrEqual(2);
    expect(searches().at(-1)).toBe('Bob Smithson');
    expect(mock.executeQuery).toHaveBeenCalledTimes(searches().length);
  });

  it('shows at most five results', async () => {
    const many = Array.from({ length: 7 }, (_, i) => person(`${i}`, `Bob Number${i}`, `bob${i}@example.com`, null));
    const { user, input } = renderSearch({ SearchHubspotContacts: found(...many) });
    await user.type(input, 'bob');
    await pause(searchDelayMs);
    expect(screen.getAllByRole('option')).toHaveLength(5);
  });

  it('cancels a search that a newer one supersedes and keeps the old results on screen meanwhile (no flicker)', async () => {
    const pending = new Map<string, { answer: (contacts: SearchContact[]) => void; cancelled: boolean }>();
    const { user, input, searches } = renderSearch({
      SearchHubspotContacts: ({ query }) =>
        make((observer) => {
          const entry = {
            cancelled: false,
            answer: (contacts: SearchContact[]) => observer.next({ data: { searchHubspotContacts: contacts }, stale: false, hasNext: false } as never),
          };
          pending.set(query as string, entry);
          return () => {
            entry.cancelled = true;
          };
        }),
    });

    await user.type(input, 'bo');
    await pause(searchDelayMs);
    expect(screen.getByRole('status')).toHaveTextContent('Searching HubSpot…');
    await act(async () => pending.get('bo')!.answer([bob, bobby, bobbie]));
    expect(screen.getAllByRole('option')).toHaveLength(3);

    await user.type(input, 'bb');
    await pause(searchDelayMs);
    expect(searches()).toEqual(['bo', 'bobb']);
    // While "bobb" is on its way the list still shows the last answer, and says nothing of searching.
    expect(screen.getAllByRole('option')).toHaveLength(3);
    expect(screen.getByRole('status')).not.toHaveTextContent('Searching');

    await user.type(input, 'y');
    expect(pending.get('bobb')!.cancelled).toBe(true);
    await pause(searchDelayMs);
    await act(async () => {
      pending.get('bobby')!.answer([bobby]);
      // The superseded search answering late changes nothing.
      pending.get('bobb')!.answer([bobbie]);
    });
    expect(screen.getAllByRole('option').map((o) => o.getAttribute('aria-label'))).toEqual(['Bobby Tables, bobby@school.example']);
    expect(pending.get('bo')!.cancelled).toBe(true);
    expect(pending.get('bobby')!.cancelled).toBe(false);
  });

  it('moves through the results with the arrow keys and picks one with Enter, without submitting the form', async () => {
    const { user, input, onSelect, onSubmit } = renderSearch({ SearchHubspotContacts: found(bob, bobby, bobbie) });
    await user.type(input, 'bob');
    await pause(searchDelayMs);
    const options = () => screen.getAllByRole('option');

    await user.keyboard('{ArrowDown}');
    expect(options()[0]).toHaveAttribute('aria-selected', 'true');
    expect(input).toHaveAttribute('aria-activedescendant', options()[0].id);
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(options()[0]).toHaveAttribute('aria-selected', 'true'); // wraps around
    await user.keyboard('{ArrowUp}');
    expect(options()[2]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowUp}');
    expect(input).toHaveAttribute('aria-activedescendant', options()[1].id);

    await user.keyboard('{Enter}');
    expect(onSelect).toHaveBeenCalledExactlyOnceWith(bobby);
    expect(onSubmit).not.toHaveBeenCalled();
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(input).toHaveValue('');
    expect(input).toHaveFocus();
  });

  it('closes the list with Escape, reopens it with the arrows, and clears the field with a second Escape', async () => {
    const { user, input, onSelect, searches } = renderSearch({ SearchHubspotContacts: found(bob) });
    await user.type(input, 'bob');
    await pause(searchDelayMs);
    await user.keyboard('{Escape}');
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(input).toHaveValue('bob');
    await user.keyboard('{ArrowDown}');
    expect(input).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('option')).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Escape}{Escape}');
    expect(input).toHaveValue('');
    expect(onSelect).not.toHaveBeenCalled();
    expect(searches()).toEqual(['bob']);
  });

  it('picks a result with the mouse', async () => {
    const { user, input, onSelect } = renderSearch({ SearchHubspotContacts: found(bob, bobby) });
    await user.type(input, 'bob');
    await pause(searchDelayMs);
    await user.click(screen.getByRole('option', { name: /Bobby Tables/ }));
    expect(onSelect).toHaveBeenCalledExactlyOnceWith(bobby);
    expect(input).toHaveFocus();
  });

  it('opens a result in HubSpot in a new tab with ↗, without picking it', async () => {
    const { user, input, onSelect } = renderSearch({ SearchHubspotContacts: found(bob) });
    await user.type(input, 'bob');
    await pause(searchDelayMs);
    const link = within(screen.getByRole('option')).getByRole('link', { name: 'Open Bob Smith in HubSpot (opens in a new tab)' });
    expect(link).toHaveAttribute('href', bob.url);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    // jsdom cannot open tabs: the click is caught on its way to the link (the browser would follow it).
    const clicked: EventTarget[] = [];
    const catchClick = (event: Event) => {
      clicked.push(event.target!);
      event.preventDefault();
    };
    document.addEventListener('click', catchClick, { capture: true });
    await user.click(link);
    document.removeEventListener('click', catchClick, { capture: true });
    expect(clicked).toEqual([link]);
    expect(onSelect).not.toHaveBeenCalled();
    expect(screen.getByRole('option')).toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    const { user, input } = renderSearch({ SearchHubspotContacts: found() });
    await user.type(input, 'zed');
    await pause(searchDelayMs);
    expect(screen.getByRole('status')).toHaveTextContent('No HubSpot contact matches “zed”.');
    expect(input).toHaveAttribute('aria-expanded', 'false');
  });

  it('shows an error in words', async () => {
    const { user, input } = renderSearch({
      SearchHubspotContacts: () => ({ error: graphqlError('HubSpot search is turned off for this workspace.', 'EFORBIDDEN') }),
    });
    await user.type(input, 'bob');
    await pause(searchDelayMs);
    expect(screen.getByRole('status')).toHaveTextContent('The search failed: HubSpot search is turned off for this workspace.');
  });

  it('shows the chosen contact with a way to clear it', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { client } = createMockClient({});
    function Host() {
      const [selected, setSelected] = useState<SearchContact | null>(bob);
      return <ContactSearch onSelect={setSelected} selected={selected} onClear={() => setSelected(null)} />;
    }
    render(
      <MockProvider client={client}>
        <Host />
      </MockProvider>,
    );
    const chosen = screen.getByRole('group', { name: 'Selected HubSpot contact' });
    expect(chosen).toHaveTextContent('Bob Smith');
    expect(chosen).toHaveTextContent('bob@example.com');
    expect(within(chosen).getByRole('link', { name: /Open Bob Smith in HubSpot/ })).toHaveAttribute('target', '_blank');
    await user.click(within(chosen).getByRole('button', { name: 'Clear selection' }));
    expect(screen.queryByRole('group', { name: 'Selected HubSpot contact' })).not.toBeInTheDocument();
    expect(screen.getByRole('combobox')).toHaveFocus();
  });
});
