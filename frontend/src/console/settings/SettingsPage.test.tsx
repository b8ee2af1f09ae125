import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createMockClient, graphqlError, MockProvider, silent, variablesOf, type MockHandlers } from '../../testing/mockClient';
import { json, mockFetch } from '../../testing/mockFetch';
import { App } from '../App';
import { SettingsPage } from './SettingsPage';

const workspace = { id: 'ws_1', name: 'Acme Support', defaultRegion: 'GB', timeZone: 'Europe/London' };

function renderPage(role: 'ADMIN' | 'AGENT', handlers: MockHandlers = {}) {
  const mock = createMockClient({ WorkspaceSettings: () => ({ data: { workspace } }), ...handlers });
  render(
    <MockProvider client={mock.client}>
      <SettingsPage role={role} />
    </MockProvider>,
  );
  return mock;
}

describe('SettingsPage', () => {
  it('shows an admin the current settings and saves the fields that changed', async () => {
    const user = userEvent.setup();
    const mock = renderPage('ADMIN', {
      UpdateWorkspaceSettings: () => ({ data: { updateWorkspaceSettings: { ...workspace, name: 'Acme Care', defaultRegion: 'US' } } }),
    });

    expect(screen.getByLabelText('Workspace name')).toHaveValue('Acme Support');
    expect(screen.getByLabelText('Default phone region')).toHaveValue('GB');
    expect(screen.getByLabelText('Default phone region')).toHaveAccessibleDescription(/without a country code are read as numbers in this region/);
    expect(screen.getByLabelText('Time zone')).toHaveValue('Europe/London');
    expect(screen.getByLabelText('Time zone')).toHaveAccessibleDescription(/e\.g\. Europe\/London/);

    await user.clear(screen.getByLabelText('Workspace name'));
    await user.type(screen.getByLabelText('Workspace name'), 'Acme Care ');
    await user.clear(screen.getByLabelText('Default phone region'));
    await user.type(screen.getByLabelText('Default phone region'), 'us');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(variablesOf(mock.executeMutation, 'UpdateWorkspaceSettings')).toEqual([{ input: { name: 'Acme Care', defaultRegion: 'US' } }]);
    expect(await screen.findByRole('status')).toHaveTextContent('Settings saved.');
    expect(screen.getByLabelText('Workspace name')).toHaveValue('Acme Care');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    // Editing again hides the old confirmation.
    await user.type(screen.getByLabelText('Time zone'), 'x');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('says there is nothing to save when nothing changed, and sends nothing', async () => {
    const user = userEvent.setup();
    const mock = renderPage('ADMIN');
    // Spaces around a value are not a change.
    await user.type(screen.getByLabelText('Workspace name'), ' ');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByRole('status')).toHaveTextContent('No changes to save.');
    expect(screen.queryByText('Settings saved.')).not.toBeInTheDocument();
    expect(variablesOf(mock.executeMutation, 'UpdateWorkspaceSettings')).toEqual([]);
  });

  it('sends a time zone as typed and shows the name the gateway stored (any letter case is accepted)', async () => {
    const user = userEvent.setup();
    const mock = renderPage('ADMIN', {
      UpdateWorkspaceSettings: () => ({ data: { updateWorkspaceSettings: { ...workspace, timeZone: 'America/New_York' } } }),
    });
    await user.clear(screen.getByLabelText('Time zone'));
    await user.type(screen.getByLabelText('Time zone'), 'america/new_york');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(variablesOf(mock.executeMutation, 'UpdateWorkspaceSettings')).toEqual([{ input: { timeZone: 'america/new_york' } }]);
    expect(await screen.findByRole('status')).toHaveTextContent('Settings saved.');
    expect(screen.getByLabelText('Time zone')).toHaveValue('America/New_York');
  });

  it('shows the server error next to the field it names', async () => {
    const user = userEvent.setup();
    renderPage('ADMIN', {
      UpdateWorkspaceSettings: () => ({ error: graphqlError('"Mars/Olympus" is not a time zone such as Europe/London.', 'EINVALID', 'timeZone') }),
    });
    await user.clear(screen.getByLabelText('Time zone'));
    await user.type(screen.getByLabelText('Time zone'), 'Mars/Olympus');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    const timeZone = screen.getByLabelText('Time zone');
    expect(await screen.findByText('"Mars/Olympus" is not a time zone such as Europe/London.')).toBeInTheDocument();
    expect(timeZone).toHaveAttribute('aria-invalid', 'true');
    expect(timeZone).toHaveAccessibleDescription(/"Mars\/Olympus" is not a time zone such as Europe\/London\./);
    expect(screen.getByLabelText('Default phone region')).not.toHaveAttribute('aria-invalid');
    expect(screen.getByLabelText('Workspace name')).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();

    // Correcting the field clears its error.
    await user.type(timeZone, 'x');
    expect(timeZone).not.toHaveAttribute('aria-invalid');
  });

  it('shows every invalid field at once', async () => {
    const user = userEvent.setup();
    renderPage('ADMIN', {
      UpdateWorkspaceSettings: () => ({
        error: new CombinedError({
          graphQLErrors: [
            new GraphQLError('"XX" is not a two-letter country code such as GB.', { extensions: { code: 'EINVALID', field: 'defaultRegion' } }),
            new GraphQLError('"Mars/Olympus" is not a time zone such as Europe/London.', { extensions: { code: 'EINVALID', field: 'timeZone' } }),
            new GraphQLError('Enter a workspace name.', { extensions: { code: 'EINVALID', field: 'name' } }),
          ],
        }),
      }),
    });
    await user.clear(screen.getByLabelText('Workspace name'));
    await user.type(screen.getByLabelText('Workspace name'), ' ');
    await user.clear(screen.getByLabelText('Default phone region'));
    await user.type(screen.getByLabelText('Default phone region'), 'xx');
    await user.clear(screen.getByLabelText('Time zone'));
    await user.type(screen.getByLabelText('Time zone'), 'Mars/Olympus');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByText('Enter a workspace name.')).toBeInTheDocument();
    expect(screen.getByLabelText('Workspace name')).toHaveAccessibleDescription('Enter a workspace name.');
    expect(screen.getByLabelText('Default phone region')).toHaveAccessibleDescription(/"XX" is not a two-letter country code such as GB\./);
    expect(screen.getByLabelText('Time zone')).toHaveAccessibleDescription(/"Mars\/Olympus" is not a time zone such as Europe\/London\./);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows errors that name no field above the form', async () => {
    const user = userEvent.setup();
    renderPage('ADMIN', {
      UpdateWorkspaceSettings: () => ({ error: graphqlError('Only administrators can do that.', 'EFORBIDDEN') }),
    });
    await user.clear(screen.getByLabelText('Workspace name'));
    await user.type(screen.getByLabelText('Workspace name'), 'Acme Care');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The settings could not be saved.');
    expect(alert).toHaveTextContent('Only administrators can do that.');
    expect(screen.getByLabelText('Workspace name')).not.toHaveAttribute('aria-invalid');
  });

  it('shows an agent the settings read-only, without a Save button', () => {
    renderPage('AGENT');
    expect(screen.getByText(/Only administrators can change workspace settings/)).toBeInTheDocument();
    expect(screen.getAllByRole('term').map((e) => e.textContent)).toEqual(['Workspace name', 'Default phone region', 'Time zone']);
    expect(screen.getAllByRole('definition').map((e) => e.textContent)).toEqual(['Acme Support', 'GB', 'Europe/London']);
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
  });

  it('says it is loading until the settings arrive', () => {
    renderPage('ADMIN', { WorkspaceSettings: silent });
    expect(screen.getByText('Loading settings…')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
  });

  it('says when the settings could not be loaded and offers to try again', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderPage('ADMIN', {
      WorkspaceSettings: () => (++calls === 1 ? { error: graphqlError('Convrs is unavailable right now.', 'EUNAVAILABLE') } : { data: { workspace } }),
    });
    const banner = await screen.findByRole('status');
    expect(banner).toHaveTextContent('Workspace settings could not be loaded.');
    expect(banner).toHaveTextContent('Convrs is unavailable right now.');

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Workspace name')).toHaveValue('Acme Support');
  });
});

// With the real urql client (against a fake network), a save refreshes the workspace name in the header.
describe('Settings in the console', () => {
  it('updates the header after an admin renames the workspace', async () => {
    const user = userEvent.setup();
    window.localStorage.setItem('convrs.session', 'tok_ada');
    window.location.hash = '#/settings';
    let name = 'Acme Support';
    const ws = () => ({ __typename: 'Workspace', id: 'ws_1', name, defaultRegion: 'GB', timeZone: 'Europe/London' });
    const operations: string[] = [];
    mockFetch({
      'POST /query': async (request) => {
        const body = (await request.json()) as { operationName: string; variables: { input?: { name?: string } } };
        operations.push(body.operationName);
        switch (body.operationName) {
          case 'Me':
            return json({
              data: {
                me: { __typename: 'Staff', id: 'stf_ada', name: 'Ada Admin', email: 'ada@convrs.test', role: 'ADMIN' },
                workspace: { __typename: 'Workspace', id: 'ws_1', name },
              },
            });
          case 'WorkspaceSettings':
            return json({ data: { workspace: ws() } });
          case 'UpdateWorkspaceSettings':
            name = body.variables.input?.name ?? name;
            return json({ data: { updateWorkspaceSettings: ws() } });
          default:
            return json({ errors: [{ message: `unexpected ${body.operationName}` }] }, 400);
        }
      },
    });
    render(<App />);

    const banner = await screen.findByRole('banner');
    expect(await within(banner).findByText('Acme Support')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
    const field = await screen.findByLabelText('Workspace name');
    await user.clear(field);
    await user.type(field, 'Acme Care');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(await within(banner).findByText('Acme Care')).toBeInTheDocument();
    expect(operations).toContain('UpdateWorkspaceSettings');
  });
});
