import { useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../../shared/api';
import { formatWhen } from '../../shared/lib/format';
import { Banner, Button, LiveUpdatesPaused } from '../../shared/ui';
import { BackfillControls } from './BackfillControls';
import type { Integration, SyncStatus, SyncSummary } from './fragments';
import { SyncRecordItem } from './SyncRecordItem';
import { useSyncActivity } from './useSyncActivity';
import { useNow } from './when';

const outcomes: { key: Exclude<keyof SyncSummary, 'total' | 'nextAttemptAt' | '__typename'>; status: SyncStatus; label: string }[] = [
  { key: 'synced', status: 'SYNCED', label: 'written' },
  { key: 'queued', status: 'QUEUED', label: 'queued' },
  { key: 'running', status: 'RUNNING', label: 'writing now' },
  { key: 'waiting', status: 'WAITING', label: 'waiting' },
  { key: 'failed', status: 'FAILED', label: 'failed' },
  { key: 'skipped', status: 'SKIPPED', label: 'skipped' },
  { key: 'cancelled', status: 'CANCELLED', label: 'cancelled' },
];

const labelOf = (status: SyncStatus) => outcomes.find((o) => o.status === status)?.label ?? status.toLowerCase();

/**
 * Sync activity: the transcript syncs of the workspace, live. While syncing can run (ENABLED, or ERROR where syncs
 * wait for Reconnect) it offers Retry and, when enabled, Backfill; otherwise it shows the history, if any.
 */
export function SyncActivity({ state, health = null, conversationHref }: SyncActivityProps) {
  // Choosing an outcome starts the list afresh (its pages and live rows belong to one filter).
  const [status, setStatus] = useState<SyncStatus | undefined>(undefined);
  return (
    <SyncActivityView
      key={status ?? 'ALL'}
      state={state}
      health={health}
      conversationHref={conversationHref}
      status={status}
      onFilter={setStatus}
    />
  );
}

interface SyncActivityProps {
  state: Integration['state'];
  /** Set while HubSpot does not answer: the health line. */
  health?: Integration['health'];
  /** Where a row's conversation opens (default: the console's #/chat/<id>). */
  conversationHref?: (conversationId: string) => string;
}

interface ViewProps extends SyncActivityProps {
  status: SyncStatus | undefined;
  onFilter: (status: SyncStatus | undefined) => void;
}

/** "HubSpot has not answered since 08:43 — 12 transcripts waiting, next try 08:51", in the workspace's clock. */
export function healthLine(health: NonNullable<Integration['health']>, summary: SyncSummary | null, now: Date): string {
  let line = `HubSpot has not answered since ${formatWhen(health.unansweredSince, now)}`;
  const waiting = summary?.waiting ?? 0;
  if (waiting > 0) {
    line += ` — ${waiting} ${waiting === 1 ? 'transcript' : 'transcripts'} waiting`;
    if (summary?.nextAttemptAt) line += `, next try ${formatWhen(summary.nextAttemptAt, now)}`;
  }
  return line;
}

function SyncActivityView({ state, health, conversationHref, status, onFilter }: ViewProps) {
  const headingId = useId();
  const now = useNow();
  const active = state === 'ENABLED' || state === 'ERROR';
  const activity = useSyncActivity({ live: true, status });
  const { summary, rows } = activity;

  // Disable cancels the waiting syncs in one statement, with no event per record: when the state changes, in
  // this tab or another, the list and counts are read again, so those rows show as cancelled without a reload.
  const seenState = useRef(state);
  const reload = activity.reload;
  useEffect(() => {
    if (seenState.current === state) return;
    seenState.current = state;
    reload();
  }, [state, reload]);

  if (!active && !status && (!summary || summary.total === 0)) return null;

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
    content = status ? (
      <p className="muted">No {labelOf(status)} syncs.</p>
    ) : (
      <p className="muted">No transcripts yet. Each conversation that closes from now on appears here.</p>
    );
  } else {
    content = (
      <>
        <ul className="sync-records" aria-label="Recent syncs">
          {rows.map((record) => (
            <SyncRecordItem
              key={record.id}
              record={record}
              now={now}
              canRetry={active}
              onChange={activity.receive}
              conversationHref={conversationHref}
            />
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
      {health && state === 'ENABLED' && (
        <Banner tone="yellow" title="HubSpot is not answering">
          <p className="health__line">{healthLine(health, summary, now)}.</p>
          <p>Convrs keeps trying by itself and writes every waiting transcript once HubSpot answers; nothing is lost.</p>
          {health.detail && (
            <details className="health__details">
              <summary>Details</summary>
              <p>{health.detail}</p>
            </details>
          )}
        </Banner>
      )}
      {summary && summary.total > 0 && (
        <ul className="sync-counts" aria-label="Syncs by outcome">
          <li>
            <button type="button" className="sync-count" aria-pressed={!status} onClick={() => onFilter(undefined)}>
              <strong>{summary.total}</strong> {summary.total === 1 ? 'conversation' : 'conversations'}
            </button>
          </li>
          {outcomes
            .filter(({ key, status: s }) => summary[key] > 0 || s === status)
            .map(({ key, status: s, label }) => (
              <li key={key} data-outcome={key}>
                <button type="button" className="sync-count" aria-pressed={s === status} onClick={() => onFilter(s === status ? undefined : s)}>
                  <strong>{summary[key]}</strong> {label}
                </button>
              </li>
            ))}
        </ul>
      )}
      {activity.interrupted && <LiveUpdatesPaused what="This list" />}
      {state === 'ERROR' && (
        <p className="muted">Syncs wait while the connection needs attention and resume by themselves after Reconnect.</p>
      )}
      {content}
      {state === 'ENABLED' && <BackfillControls onQueued={activity.reload} />}
    </section>
  );
}
