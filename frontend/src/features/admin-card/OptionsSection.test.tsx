import type { OperationResult } from '@urql/core';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { makeSubject } from 'wonka';
import type { Integration } from './fragments';
import { OptionsSection } from './OptionsSection';
import { enabled } from './testFixtures';
import { createMockClient, graphqlError, MockProvider, variablesOf, type MockHandlers } from '../../testing/mockClient';

type Options = Integration['options'];

const off: Options = { allowOutboundSearch: false, requireOutboundMatch: false };
const search: Options = { allowOutboundSearch: true, requireOutboundMatch: false };
const matchOnly: Options = { allowOutboundSearch: true, requireOutboundMatch: true };

const stored = (options: Options): Integration => ({ ...enabled, options });

/**
 * The Options section as the card renders it: `options` are the stored ones, which the card replaces when a save
 * answers or the hubspotIntegrationChanged subscription delivers another tab's save (`changeElsewhere`).
 */
function renderOptions(options: Options, handlers: MockHandlers = {}) {
  const mock = createMockClient(handlers);
  const onSaved = vi.fn((integration: Integration) => view.rerender(section(integration.options)));
  const section = (current: Options) => (
    <MockProvider client={mock.client}>
      <OptionsSection options={current} onSaved={onSaved} />
    </MockProvider>
  );
  const view = render(section(options));
  return { mock, onSaved, changeElsewhere: (next: Options) => act(() => view.rerender(section(next))) };
}

const allowBox = () => screen.getByRole('checkbox', { name: 'Allow HubSpot searching in outbound' });
const requireBox = () => screen.getByRole('checkbox', { name: 'Only allow HubSpot matches in outbound' });
const saveButton = () => screen.getByRole('button', { name: 'Save Options' });
const savedNote = () => screen.queryByText('Options saved');
const notice = () => screen.queryByText('The options were changed elsewhere');

async function saveThroughDialog(user: ReturnType<typeof userEvent.setup>, confirm = 'Save') {
  await user.click(saveButton());
  await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: confirm }));
}

describe('Save Options', () => {
  it('is disabled while the form matches the saved options, and enabled by an edit', async () => {
    const user = userEvent.setup();
    renderOptions(off);
    expect(saveButton()).toBeDisabled();
    await user.click(allowBox());
    expect(saveButton()).toBeEnabled();
    await user.click(allowBox());
    expect(saveButton()).toBeDisabled();
  });

  it('confirms "Options saved" in a polite live region after the save succeeds, and clears it on the next edit', async () => {
    const user = userEvent.setup();
    const { mock } = renderOptions(off, { SaveHubspotOptions: () => ({ data: { saveHubspotOptions: stored(search) } }) });
    const live = document.querySelector('[aria-live="polite"]');
    expect(live).toBeInTheDocument();
    expect(live).toHaveTextContent('');

    await user.click(allowBox());
    await saveThroughDialog(user);
    expect(variablesOf(mock.executeMutation, 'SaveHubspotOptions')).toEqual([{ input: search }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(live).toHaveTextContent('Options saved');
    expect(allowBox()).toBeChecked();
    expect(saveButton()).toBeDisabled();
    // The Save Options button is disabled now: focus goes to the section's heading, not the page body.
    expect(screen.getByRole('heading', { name: 'Options' })).toHaveFocus();

    await user.click(requireBox());
    expect(savedNote()).not.toBeInTheDocument();
    expect(saveButton()).toBeEnabled();
  });

  it('says nothing until the save answers', async () => {
    const user = userEvent.setup();
    const answer = makeSubject<Partial<OperationResult>>();
    renderOptions(off, { SaveHubspotOptions: () => answer.source });
    await user.click(allowBox());
    await saveThroughDialog(user);
    expect(within(screen.getByRole('dialog')).getByRole('button', { name: 'Working…' })).toBeDisabled();
    expect(savedNote()).not.toBeInTheDocument();
    await act(async () => answer.next({ data: { saveHubspotOptions: stored(search) }, stale: false, hasNext: false }));
    expect(savedNote()).toBeInTheDocument();
  });

  it('a failed save shows the error, says nothing is saved and keeps the edits', async () => {
    const user = userEvent.setup();
    renderOptions(off, { SaveHubspotOptions: () => ({ error: graphqlError('The database is not reachable.', 'EUNAVAILABLE') }) });
    await user.click(allowBox());
    await user.click(requireBox());
    await saveThroughDialog(user);
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('alert')).toHaveTextContent('The database is not reachable.');
    expect(savedNote()).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(allowBox()).toBeChecked();
    expect(requireBox()).toBeChecked();
    expect(saveButton()).toBeEnabled();
    // Opened again, the dialog does not show the old error before the retry.
    await user.click(saveButton());
    expect(within(screen.getByRole('dialog')).queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('Options changed elsewhere', () => {
  it('with no edits here, the form just shows the new options', () => {
    const { changeElsewhere } = renderOptions(off);
    changeElsewhere(matchOnly);
    expect(allowBox()).toBeChecked();
    expect(requireBox()).toBeChecked();
    expect(notice()).not.toBeInTheDocument();
    expect(saveButton()).toBeDisabled();
  });

  it('with unsaved edits, keeps them and says the options changed; Reload options takes the new ones', async () => {
    const user = userEvent.setup();
    const { mock, changeElsewhere } = renderOptions(off);
    await user.click(allowBox());
    changeElsewhere(matchOnly);

    const banner = notice()!.closest<HTMLElement>('[role="status"]')!;
    expect(banner).toHaveTextContent('agents must pick a HubSpot contact');
    expect(allowBox()).toBeChecked();
    expect(requireBox()).not.toBeChecked();

    await user.click(within(banner).getByRole('button', { name: 'Reload options' }));
    expect(notice()).not.toBeInTheDocument();
    expect(allowBox()).toBeChecked();
    expect(requireBox()).toBeChecked();
    expect(saveButton()).toBeDisabled();
    expect(mock.executeMutation).not.toHaveBeenCalled();
  });

  it('saving over them is an explicit choice: the dialog names it, "Save anyway" saves the edits', async () => {
    const user = userEvent.setup();
    const { mock, changeElsewhere } = renderOptions(off, {
      SaveHubspotOptions: () => ({ data: { saveHubspotOptions: stored(search) } }),
    });
    await user.click(allowBox());
    changeElsewhere(matchOnly);

    await user.click(saveButton());
    const dialog = screen.getByRole('dialog', { name: 'Replace the options changed elsewhere?' });
    expect(dialog).toHaveTextContent('the options were saved elsewhere');
    expect(within(dialog).queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Save anyway' }));

    expect(variablesOf(mock.executeMutation, 'SaveHubspotOptions')).toEqual([{ input: search }]);
    expect(notice()).not.toBeInTheDocument();
    expect(savedNote()).toBeInTheDocument();
    expect(requireBox()).not.toBeChecked();
  });

  it('edits that match the new options are not a conflict (this card’s own save, announced before its answer)', async () => {
    const user = userEvent.setup();
    const answer = makeSubject<Partial<OperationResult>>();
    const { changeElsewhere } = renderOptions(off, { SaveHubspotOptions: () => answer.source });
    await user.click(allowBox());
    await saveThroughDialog(user);
    changeElsewhere(search);
    expect(notice()).not.toBeInTheDocument();
    await act(async () => answer.next({ data: { saveHubspotOptions: stored(search) }, stale: false, hasNext: false }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(savedNote()).toBeInTheDocument();
    expect(allowBox()).toBeChecked();
  });

  it('a change elsewhere clears "Options saved": the form no longer shows what this card saved', async () => {
    const user = userEvent.setup();
    const { changeElsewhere } = renderOptions(off, { SaveHubspotOptions: () => ({ data: { saveHubspotOptions: stored(search) } }) });
    await user.click(allowBox());
    await saveThroughDialog(user);
    expect(savedNote()).toBeInTheDocument();
    changeElsewhere(matchOnly);
    expect(savedNote()).not.toBeInTheDocument();
    expect(requireBox()).toBeChecked();
  });
});
