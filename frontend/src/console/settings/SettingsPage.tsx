import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { Role, WorkspaceSettingsInput } from '../../gql/graphql';
import { errorMessage, fieldErrors } from '../../shared/api';
import { Banner, Button, Field } from '../../shared/ui';

const WorkspaceSettingsQuery = graphql(`
  query WorkspaceSettings {
    workspace {
      id
      name
      defaultRegion
      timeZone
    }
  }
`);

// The result selects the same fields as the query, so urql's cache sees a Workspace change and refetches every
// query that shows one (the header's workspace name included).
const UpdateWorkspaceSettings = graphql(`
  mutation UpdateWorkspaceSettings($input: WorkspaceSettingsInput!) {
    updateWorkspaceSettings(input: $input) {
      id
      name
      defaultRegion
      timeZone
    }
  }
`);

type FieldName = 'name' | 'defaultRegion' | 'timeZone';
const fieldNames: FieldName[] = ['name', 'defaultRegion', 'timeZone'];

type Settings = Record<FieldName, string>;

const regionHint =
  'A two-letter ISO country code, e.g. GB or US. Phone numbers typed without a country code are read as numbers in this region, and that is the number HubSpot contacts are matched on. Times use the clock people use there (24-hour in GB, 12-hour in the US).';
const timeZoneHint =
  'Times in Agent Chat and in the transcripts written to HubSpot are shown in this zone. An IANA name, e.g. Europe/London or America/New_York (any letter case).';

/** Settings: the workspace's name, default phone region and time zone; only admins can change them. */
export function SettingsPage({ role }: { role: Role }) {
  const [{ data, error }, refetch] = useQuery({ query: WorkspaceSettingsQuery });
  const workspace = data?.workspace;

  let body: ReactNode;
  if (!workspace && error) {
    body = (
      <Banner
        tone="red"
        title="Workspace settings could not be loaded."
        actions={<Button onClick={() => refetch({ requestPolicy: 'network-only' })}>Try again</Button>}
      >
        {errorMessage(error)}
      </Banner>
    );
  } else if (!workspace) {
    body = <p className="muted">Loading settings…</p>;
  } else if (role === 'ADMIN') {
    body = <SettingsForm key={workspace.id} initial={workspace} />;
  } else {
    body = <ReadOnlySettings settings={workspace} />;
  }

  return (
    <main className="page page--narrow" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {body}
    </main>
  );
}

function ReadOnlySettings({ settings }: { settings: Settings }) {
  return (
    <section className="card" aria-labelledby="settings-workspace-title">
      <h2 id="settings-workspace-title">Workspace</h2>
      <p>Only administrators can change workspace settings. Ask an administrator of your workspace if something here needs to change.</p>
      <dl className="details">
        <dt>Workspace name</dt>
        <dd>{settings.name}</dd>
        <dt>Default phone region</dt>
        <dd>{settings.defaultRegion}</dd>
        <dt>Time zone</dt>
        <dd>{settings.timeZone}</dd>
      </dl>
      <p className="muted">Phone numbers typed without a country code are read as numbers in the default phone region.</p>
    </section>
  );
}

function SettingsForm({ initial }: { initial: Settings }) {
  // What the server last said, to send only what changed; the form starts from it.
  const [saved, setSaved] = useState<Settings>({ name: initial.name, defaultRegion: initial.defaultRegion, timeZone: initial.timeZone });
  const [form, setForm] = useState<Settings>(saved);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  // What the last Save did: saved the changes, or found nothing to save.
  const [outcome, setOutcome] = useState<'saved' | 'unchanged' | null>(null);
  const [{ fetching }, update] = useMutation(UpdateWorkspaceSettings);

  const set = (name: FieldName) => (event: { target: { value: string } }) => {
    setForm({ ...form, [name]: event.target.value });
    if (errors[name]) setErrors({ ...errors, [name]: undefined });
    setOutcome(null);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setOutcome(null);
    setFormErrors([]);
    const input: WorkspaceSettingsInput = {};
    for (const name of fieldNames) {
      const value = form[name].trim();
      if (value !== saved[name]) input[name] = value;
    }
    if (Object.keys(input).length === 0) {
      setErrors({});
      setOutcome('unchanged');
      return;
    }
    const result = await update({ input });
    const next = result.data?.updateWorkspaceSettings;
    if (next) {
      const values = { name: next.name, defaultRegion: next.defaultRegion, timeZone: next.timeZone };
      setSaved(values);
      setForm(values);
      setErrors({});
      setOutcome('saved');
      return;
    }
    const { fields, other } = fieldErrors(result.error, fieldNames);
    setErrors(fields);
    setFormErrors(other);
  }

  return (
    <form className="card form" aria-labelledby="settings-workspace-title" onSubmit={submit} noValidate>
      <h2 id="settings-workspace-title">Workspace</h2>
      {formErrors.length > 0 && (
        <Banner tone="red" role="alert" title="The settings could not be saved.">
          {formErrors.join(' ')}
        </Banner>
      )}
      {outcome === 'saved' && <Banner tone="green" title="Settings saved." />}
      {outcome === 'unchanged' && <Banner tone="blue" title="No changes to save." />}
      <Field label="Workspace name" error={errors.name}>
        <input autoComplete="off" maxLength={200} value={form.name} onChange={set('name')} />
      </Field>
      <div className="form__row">
        <Field label="Default phone region" error={errors.defaultRegion} hint={regionHint}>
          <input
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            value={form.defaultRegion}
            onChange={(event) => set('defaultRegion')({ target: { value: event.target.value.toUpperCase() } })}
          />
        </Field>
        <Field label="Time zone" error={errors.timeZone} hint={timeZoneHint}>
          <input autoComplete="off" spellCheck={false} value={form.timeZone} onChange={set('timeZone')} />
        </Field>
      </div>
      <div className="form__actions">
        <Button type="submit" variant="primary" busy={fetching}>
          Save settings
        </Button>
      </div>
    </form>
  );
}
