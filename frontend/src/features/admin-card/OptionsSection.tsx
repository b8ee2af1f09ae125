import { useId, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { errorMessage } from '../../shared/api';
import { Banner, Button, Dialog } from '../../shared/ui';
import type { Integration } from './fragments';

const SaveHubspotOptions = graphql(`
  mutation SaveHubspotOptions($input: HubspotOptionsInput!) {
    saveHubspotOptions(input: $input) {
      ...HubspotIntegrationFields
    }
  }
`);

type Options = Integration['options'];

function describe({ allowOutboundSearch, requireOutboundMatch }: Options): string {
  if (allowOutboundSearch && requireOutboundMatch)
    return 'Create New Chat will show a HubSpot search box, and agents must pick a HubSpot contact before they can start an outbound chat.';
  if (allowOutboundSearch)
    return 'Create New Chat will show a HubSpot search box. Agents can pick a match, which links the new chat to that contact from its first message, or enter the contact details by hand.';
  return 'Create New Chat will not search HubSpot. While syncing is active, each closed chat is still written to its matching (or a new) HubSpot contact.';
}

/**
 * The outbound search options, saved after a confirmation. The form keeps the admin's unsaved edits: when the
 * stored options change elsewhere (another tab, another admin) it takes them only if there is nothing to lose,
 * and otherwise says so and offers to reload them; saving over them is a choice the dialog names.
 */
export function OptionsSection({ options, onSaved }: { options: Options; onSaved: (integration: Integration) => void }) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // The stored options the draft started from, and the draft itself.
  const [base, setBase] = useState(options);
  const [draft, setDraft] = useState(options);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [{ fetching }, save] = useMutation(SaveHubspotOptions);
  const edited = key(draft) !== key(base);

  // The stored options changed (saved here, or elsewhere): with no edits to lose, or edits that match them
  // (this card's own save, announced before its answer), the form shows them.
  if (key(options) !== key(base) && (!edited || key(options) === key(draft))) {
    setBase(options);
    if (key(options) !== key(draft)) {
      setDraft(options);
      setSaved(false);
    }
  }
  const changedElsewhere = key(options) !== key(base);

  function edit(next: Options) {
    setDraft(next);
    setSaved(false);
  }

  function reload() {
    setBase(options);
    setDraft(options);
    setSaved(false);
  }

  async function confirm() {
    const result = await save({ input: { allowOutboundSearch: draft.allowOutboundSearch, requireOutboundMatch: draft.requireOutboundMatch } });
    if (!result.data) {
      setSaveError(errorMessage(result.error));
      return;
    }
    const stored = result.data.saveHubspotOptions;
    setBase(stored.options);
    setDraft(stored.options);
    setSaved(true);
    setConfirming(false);
    onSaved(stored);
  }

  return (
    <section className="card__section" aria-labelledby={headingId}>
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        Options
      </h3>
      {changedElsewhere && (
        <Banner
          tone="yellow"
          title="The options were changed elsewhere"
          actions={<Button onClick={reload}>Reload options</Button>}
        >
          <p>
            Now saved: {describe(options)} Your edits below are not saved. <strong>Reload options</strong> shows the
            saved ones and drops your edits.
          </p>
        </Banner>
      )}
      <fieldset className="checks">
        <legend>Outbound chats</legend>
        <Check
          label="Allow HubSpot searching in outbound"
          hint="Adds a search box to Create New Chat. Agents can pick a match or enter details by hand."
          checked={draft.allowOutboundSearch}
          onChange={(checked) =>
            edit({
              allowOutboundSearch: checked,
              // Requiring a match means nothing without the search box.
              requireOutboundMatch: checked && draft.requireOutboundMatch,
            })
          }
        />
        <Check
          label="Only allow HubSpot matches in outbound"
          hint="Agents must pick a HubSpot contact; hand-typed contacts cannot start a chat. Needs the option above."
          checked={draft.requireOutboundMatch}
          disabled={!draft.allowOutboundSearch}
          onChange={(checked) => edit({ ...draft, requireOutboundMatch: checked })}
        />
      </fieldset>
      <div className="options__save">
        {/* Nothing to save: the button is disabled until the form differs from the saved options. */}
        <Button
          disabled={!edited}
          onClick={() => {
            setSaveError(null);
            setConfirming(true);
          }}
        >
          Save Options
        </Button>
        <p className="options__saved" aria-live="polite">
          {saved ? 'Options saved' : ''}
        </p>
      </div>
      {confirming && (
        <Dialog
          title={changedElsewhere ? 'Replace the options changed elsewhere?' : 'Save HubSpot options?'}
          confirmLabel={changedElsewhere ? 'Save anyway' : 'Save'}
          busy={fetching}
          error={saveError}
          fallbackFocus={heading}
          onConfirm={confirm}
          onCancel={() => setConfirming(false)}
        >
          {changedElsewhere && <p>Since you started editing, the options were saved elsewhere: {describe(options)}</p>}
          <p>
            {changedElsewhere && 'Yours replace them: '}
            {describe(draft)}
          </p>
        </Dialog>
      )}
    </section>
  );
}

interface CheckProps {
  label: string;
  hint: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}

function Check({ label, hint, checked, disabled = false, onChange }: CheckProps) {
  const id = useId();
  return (
    <div className="check">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} aria-describedby={`${id}-hint`} onChange={(e) => onChange(e.target.checked)} />
      <div>
        <label htmlFor={id}>{label}</label>
        <small id={`${id}-hint`}>{hint}</small>
      </div>
    </div>
  );
}

function key(options: Options): string {
  return `${options.allowOutboundSearch}/${options.requireOutboundMatch}`;
}
