import { useId } from 'react';
import { errorMessage } from '../../shared/api';
import { Banner, Button } from '../../shared/ui';
import { BackfillControls } from './BackfillControls';
import type { Integration, SyncSummary } from './fragments';
import { SyncRecordItem } from './SyncRecordItem';
import { useSyncActivity } from './useSyncActivity';
import { useNow } from './when';

const outcomes: { key: Exclude<keyof SyncSummary, 'total'>; label: string }[] = [
  { key: 'synced', label: 'written' },
  { key: 'queued', label: 'queued' },
  { key: 'running', label: 'writing now' },
  { key: 'waiting', label: 'waiting' },
  { key: 'failed', label: 'failed' },
  { key: 'skipped', label: 'skipped' },
  { key: 'cancelled', label: 'cancelled' },
];

/**
 * Sync activity: the transcript syncs of the workspace, live. While syncing can run (ENABLED, or ERROR where syncs
 * wait for Reconnect) it offers Retry and, when enabled, Backfill; otherwise it shows the history, if any.
 */
export function SyncActivity({ state }: { state: Integration['state'] }) {
  const headingId = useId();
  const now = useNow();
  const active = state === 'ENABLED' || state === 'ERROR';
  const activity = useSyncActivity({ live: true });
  const { summary, rows } = activity;

  if (!active && (!summary || summary.total === 0)) return null;

  let content;
  if (!activity.loaded) {
    content = activity.error ? (
      <Banner tone="red" title="Sync activity could not be loaded.">
        {errorMessage(activity.error)}
      </Banner>
    ) : (
      <p className="muted">Loading sync activity…</p>
    );
  } else if (rows.length === 0) {
    content = <p className="muted">No transcripts yet. Each conversation that closes from now on appears here.</p>;
  } else {
    content = (
      <>
        <ul className="sync-records" aria-label="Recent syncs">
          {rows.map((record) => (
            <SyncRecordItem key={record.id} record={record} now={now} canRetry={active} onChange={activity.receive} />
          ))}
        </ul>
        {activity.moreError && (
          <p role="alert" className="sync-activity__error">
            More syncs could not be loaded: {errorMessage(activity.moreError)}
          </p>
        )}
        {activity.hasNextPage && (
          <Button onClick={activity.showMore} busy={activity.moreLoading}>
            Show more
          </Button>
        )}
      </>
    );
  }

  return (
    <section className="card__section sync-activity" aria-labelledby={headingId}>
      <h3 id={headingId}>{active ? 'Sync activity' : 'Sync history'}</h3>
      {summary && summary.total > 0 && (
        <ul className="sync-counts" aria-label="Syncs by outcome">
          <li>
            <strong>{summary.total}</strong> {summary.total === 1 ? 'conversation' : 'conversations'}
          </li>
          {outcomes
            .filter(({ key }) => summary[key] > 0)
            .map(({ key, label }) => (
              <li key={key} data-outcome={key}>
                <strong>{summary[key]}</strong> {label}
              </li>
            ))}
        </ul>
      )}
      {state === 'ERROR' && (
        <p className="muted">Syncs wait while the connection needs attention and resume by themselves after Reconnect.</p>
      )}
      {content}
      {state === 'ENABLED' && <BackfillControls onQueued={activity.reload} />}
    </section>
  );
}
