import { useState, type RefObject } from 'react';
import type { CombinedError } from '@urql/core';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { errorMessage } from '../../shared/api';
import { Button, Dialog } from '../../shared/ui';
import type { Integration } from './fragments';

const EnableHubspot = graphql(`
  mutation EnableHubspot {
    enableHubspot {
      ...HubspotIntegrationFields
    }
  }
`);

const DisableHubspot = graphql(`
  mutation DisableHubspot {
    disableHubspot {
      ...HubspotIntegrationFields
    }
  }
`);

interface SyncControlsProps {
  integration: Integration;
  onChange: (integration: Integration) => void;
  /** The card's heading: focus goes there when a dialog closes and its button is gone (Enable once enabled). */
  cardHeading: RefObject<HTMLElement | null>;
}

/**
 * Enable (while connected but not syncing) and Disable, each after a confirmation, at the card's foot. The help
 * page calls the button Disable and the action "Disable / Disconnect": its dialog says both.
 */
export function SyncControls({ integration, onChange, cardHeading }: SyncControlsProps) {
  const [dialog, setDialog] = useState<'enable' | 'disable' | null>(null);
  // This opening's failure only: a dialog opened again does not show the last one's error.
  const [failure, setFailure] = useState<string | null>(null);
  const [enableResult, enable] = useMutation(EnableHubspot);
  const [disableResult, disable] = useMutation(DisableHubspot);

  function open(which: 'enable' | 'disable') {
    setFailure(null);
    setDialog(which);
  }

  function settle(integration: Integration | undefined, error: CombinedError | undefined) {
    if (!integration) {
      setFailure(errorMessage(error));
      return;
    }
    setDialog(null);
    onChange(integration);
  }

  async function confirmEnable() {
    const result = await enable({});
    settle(result.data?.enableHubspot, result.error);
  }

  async function confirmDisable() {
    const result = await disable({});
    settle(result.data?.disableHubspot, result.error);
  }

  return (
    <footer className="card__footer">
      {integration.state === 'CONNECTED' && (
        <Button variant="primary" onClick={() => open('enable')}>
          Enable
        </Button>
      )}
      <Button variant="danger" onClick={() => open('disable')}>
        Disable
      </Button>

      {dialog === 'enable' && (
        <Dialog
          title="Enable HubSpot syncing?"
          confirmLabel="Enable"
          fallbackFocus={cardHeading}
          busy={enableResult.fetching}
          error={failure}
          onConfirm={confirmEnable}
          onCancel={() => setDialog(null)}
        >
          <p>
            From now on, each conversation that closes is written to HubSpot as a Note with its full transcript
            (several Notes for a long one), on the customer&apos;s contact: the linked one, else the oldest contact with the same email, else with the same
            phone number, else a new contact made from the customer&apos;s name, email and phone. Anonymous visitors
            are skipped.
          </p>
          <p>
            Conversations closed before now are not written; Sync activity can queue those of the last 7 or 30 days.
            During chats, the User Details panel shows the customer&apos;s HubSpot contact.{' '}
            {integration.options.allowOutboundSearch
              ? 'Create New Chat searches HubSpot contacts, as set in Options.'
              : 'Create New Chat searches HubSpot only if you allow it in Options.'}
          </p>
        </Dialog>
      )}
      {dialog === 'disable' && (
        <Dialog
          title="Disable and disconnect HubSpot?"
          confirmLabel="Disable and disconnect"
          confirmVariant="danger"
          fallbackFocus={cardHeading}
          busy={disableResult.fetching}
          error={failure}
          onConfirm={confirmDisable}
          onCancel={() => setDialog(null)}
        >
          <p>
            Convrs will revoke and delete the stored HubSpot tokens, clear the options and stop syncing: transcripts
            still waiting to be written are cancelled (Sync activity keeps them, marked cancelled) and nothing more is
            written to HubSpot. Notes already written stay in HubSpot. Agents no longer see HubSpot contacts in the
            User Details panel or search HubSpot in Create New Chat.
          </p>
          <p>To use HubSpot again you must repeat the Integrate flow and grant the permissions from scratch.</p>
        </Dialog>
      )}
    </footer>
  );
}
