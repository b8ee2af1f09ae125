import { useState } from 'react';
import { useClient, useMutation } from 'urql';
import { graphql } from '../../gql';
import { errorMessage } from '../../shared/api';
import { Banner, Button, Dialog } from '../../shared/ui';
import { queryOnce } from './useSyncActivity';

const HubspotBackfillCount = graphql(`
  query HubspotBackfillCount($days: Int!) {
    hubspotBackfillCount(days: $days)
  }
`);

const BackfillHubspotSyncs = graphql(`
  mutation BackfillHubspotSyncs($days: Int!) {
    backfillHubspotSyncs(days: $days)
  }
`);

type Days = 7 | 30;

function conversations(n: number) {
  return n === 1 ? '1 conversation' : `${n} conversations`;
}

type Step =
  | { kind: 'idle' }
  | { kind: 'counting'; days: Days }
  | { kind: 'confirm'; days: Days; count: number }
  | { kind: 'done'; message: string; tone: 'blue' | 'red' };

/** Backfill: queue the conversations closed in the last 7 or 30 days that were never synced, after saying how many. */
export function BackfillControls({ onQueued }: { onQueued: () => void }) {
  const client = useClient();
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [result, backfill] = useMutation(BackfillHubspotSyncs);

  async function ask(days: Days) {
    setStep({ kind: 'counting', days });
    const answer = await queryOnce(client, HubspotBackfillCount, { days });
    if (answer.error || answer.data === undefined) {
      setStep({ kind: 'done', tone: 'red', message: `Could not count the conversations to sync: ${errorMessage(answer.error)}` });
    } else if (answer.data.hubspotBackfillCount === 0) {
      setStep({ kind: 'done', tone: 'blue', message: `Nothing to sync: every conversation closed in the last ${days} days already has a sync record.` });
    } else {
      setStep({ kind: 'confirm', days, count: answer.data.hubspotBackfillCount });
    }
  }

  async function confirm(days: Days) {
    const answer = await backfill({ days });
    if (answer.data) {
      const queued = answer.data.backfillHubspotSyncs;
      setStep({
        kind: 'done',
        tone: 'blue',
        message:
          queued === 0
            ? `Nothing was queued: the conversations closed in the last ${days} days were synced meanwhile.`
            : `Queued ${conversations(queued)} closed in the last ${days} days. Each one’s progress shows in the Sync activity list above, by the day it closed.`,
      });
      onQueued();
    }
  }

  const counting = step.kind === 'counting' ? step.days : null;
  return (
    <div className="backfill">
      <p className="muted">
        Only conversations that close while syncing is active are written automatically. Earlier ones can be synced
        here:
      </p>
      <div className="backfill__buttons">
        {([7, 30] as const).map((days) => (
          <Button key={days} onClick={() => ask(days)} busy={counting === days} disabled={counting !== null}>
            Sync conversations closed in the last {days} days
          </Button>
        ))}
      </div>
      {step.kind === 'done' && <Banner tone={step.tone} role={step.tone === 'red' ? 'alert' : 'status'} title={step.message} />}
      {step.kind === 'confirm' && (
        <Dialog
          title={`Sync ${conversations(step.count)} to HubSpot?`}
          confirmLabel={`Queue ${conversations(step.count)}`}
          busy={result.fetching}
          error={result.error ? errorMessage(result.error) : null}
          onConfirm={() => confirm(step.days)}
          onCancel={() => setStep({ kind: 'idle' })}
        >
          <p>
            {step.count === 1 ? '1 conversation' : `${step.count} conversations`} closed in the last {step.days} days{' '}
            {step.count === 1 ? 'was' : 'were'} never written to HubSpot. Convrs queues{' '}
            {step.count === 1 ? 'it' : 'them'} now and writes each transcript as a Note on the matching contact (or a
            new one), in batches at the pace HubSpot allows. Anonymous visitors are skipped.
          </p>
        </Dialog>
      )}
    </div>
  );
}
