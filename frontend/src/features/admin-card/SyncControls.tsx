import { useState } from 'react';
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

/** Enable (while connected but not syncing) and Disable, each after a confirmation, at the card's foot. */
export function SyncControls({ integration, onChange }: { integration: Integration; onChange: (integration: Integration) => void }) {
  const [dialog, setDialog] = useState<'enable' | 'disable' | null>(null);
  const [enableResult, enable] = useMutation(EnableHubspot);
  const [disableResult, disable] = useMutation(DisableHubspot);

  async function confirmEnable() {
    const result = await enable({});
    if (result.data) {
      setDialog(null);
      onChange(result.data.enableHubspot);
    }
  }

  async function confirmDisable() {
    const result = await disable({});
    if (result.data) {
      setDialog(null);
      onChange(result.data.disableHubspot);
    }
  }

  return (
    <footer className="card__footer">
      {integration.state === 'CONNECTED' && (
        <Button variant="primary" onClick={() => setDialog('enable')}>
          Enable
        </Button>
      )}
      <Button variant="danger" onClick={() => setDialog('disable')}>
        Disable
      </Button>

      {dialog === 'enable' && (
        <Dialog
          title="Enable HubSpot syncing?"
          busy={enableResult.fetching}
          error={enableResult.error ? errorMessage(enableResult.error) : null}
          onConfirm={confirmEnable}
          onCancel={() => setDialog(null)}
        >
          <p>
            From now on, every conversation that closes writes its transcript as a Note on the matching HubSpot
            contact (found by CRM link, email or phone, or created), and the User Details panel shows the HubSpot
            contact during live chats.
          </p>
        </Dialog>
      )}
      {dialog === 'disable' && (
        <Dialog
          title="Disconnect HubSpot?"
          confirmVariant="danger"
          busy={disableResult.fetching}
          error={disableResult.error ? errorMessage(disableResult.error) : null}
          onConfirm={confirmDisable}
          onCancel={() => setDialog(null)}
        >
          <p>
            Convrs will clear the stored HubSpot tokens, the options and the hooks that sync transcripts. Nothing more
            is written to HubSpot. To use HubSpot again you must repeat the Integrate flow and grant the permissions
            from scratch.
          </p>
        </Dialog>
      )}
    </footer>
  );
}
