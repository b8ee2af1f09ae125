import { createRequest, type AnyVariables, type Client, type CombinedError, type DocumentInput, type OperationResult } from '@urql/core';
import { useCallback, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { pipe, take, toPromise } from 'wonka';
import { graphql } from '../../gql';
import { useSubscriptionEvents } from '../../shared/api';
import type { SyncRecord, SyncStatus, SyncSummary } from './fragments';

/** How many records a page of the Sync activity list holds. */
export const PAGE_SIZE = 20;
const SUMMARY_SPACING_MS = 1_000;

const HubspotSyncActivity = graphql(`
  query HubspotSyncActivity($first: Int!, $status: HubspotSyncStatus) {
    hubspotSyncSummary {
      ...HubspotSyncSummaryFields
    }
    hubspotSyncs(first: $first, status: $status) {
      nodes {
        ...HubspotSyncFields
      }
      endCursor
      hasNextPage
    }
  }
`);

const HubspotSyncsPage = graphql(`
  query HubspotSyncsPage($first: Int!, $after: String, $status: HubspotSyncStatus) {
    hubspotSyncs(first: $first, after: $after, status: $status) {
      nodes {
        ...HubspotSyncFields
      }
      endCursor
      hasNextPage
    }
  }
`);

const HubspotSyncSummaryQuery = graphql(`
  query HubspotSyncSummary {
    hubspotSyncSummary {
      ...HubspotSyncSummaryFields
    }
  }
`);

const HubspotSyncUpdated = graphql(`
  subscription HubspotSyncUpdated {
    hubspotSyncUpdated {
      ...HubspotSyncFields
    }
  }
`);

/** Runs a query once against the network (not the cache) and resolves with its first result. */
export function queryOnce<Data, Variables extends AnyVariables>(
  client: Client,
  query: DocumentInput<Data, Variables>,
  variables: Variables,
): Promise<OperationResult<Data, Variables>> {
  return pipe(
    client.executeQuery(createRequest(query, variables), { requestPolicy: 'network-only' }),
    take(1),
    toPromise,
  ) as Promise<OperationResult<Data, Variables>>;
}

interface OlderPages {
  nodes: SyncRecord[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * The Sync activity's data, merged from four sources in one rule each:
 * - rows: the first page (the query), the pages "Show more" loaded, and the records that changed since (live
 *   events, Retry results); each record shows its newest version (by updatedAt), the latest closed first, as the
 *   gateway pages them;
 * - counts: the query's summary until a change arrives, then a fresh summary fetched after it (one request in
 *   flight at a time and at most one a second, however many events arrive).
 */
export function useSyncActivity({ live, status }: { live: boolean; status?: SyncStatus }) {
  const client = useClient();
  const [{ data, fetching, error }, refetchQuery] = useQuery({ query: HubspotSyncActivity, variables: { first: PAGE_SIZE, status } });

  const [older, setOlder] = useState<OlderPages | null>(null);
  const [changed, setChanged] = useState<Record<string, SyncRecord>>({});
  const [moreState, setMoreState] = useState<{ loading: boolean; error: CombinedError | null }>({ loading: false, error: null });

  // The counts: a summary fetched after a change replaces the query's until the query answers again.
  const [freshSummary, setFreshSummary] = useState<SyncSummary | null>(null);
  const [seenData, setSeenData] = useState(data);
  if (data !== seenData) {
    setSeenData(data);
    setFreshSummary(null);
  }
  const summaryRequest = useRef<{ inFlight: boolean; again: boolean }>({ inFlight: false, again: false });
  const refreshSummary = useCallback(async () => {
    const state = summaryRequest.current;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    for (;;) {
      state.again = false;
      const started = Date.now();
      const result = await queryOnce(client, HubspotSyncSummaryQuery, {});
      if (result.data) setFreshSummary(result.data.hubspotSyncSummary);
      if (!state.again) break;
      // While a backlog drains, events come by the hundred: the counts follow at most once a second.
      await new Promise((resolve) => window.setTimeout(resolve, Math.max(0, SUMMARY_SPACING_MS - (Date.now() - started))));
    }
    state.inFlight = false;
  }, [client]);

  /** A record changed (an event, a Retry's answer): its row and the counts follow. */
  const receive = useCallback(
    (record: SyncRecord) => {
      setChanged((all) => (isNewer(record, all[record.id]) ? { ...all, [record.id]: record } : all));
      void refreshSummary();
    },
    [refreshSummary],
  );

  /**
   * After a backfill, when the integration changes state (Disable cancels the waiting records without an event
   * per record), and when live updates were interrupted (some may be lost): the list starts again from the
   * newest page, and the counts are fetched anew.
   */
  const reload = useCallback(() => {
    setOlder(null);
    refetchQuery({ requestPolicy: 'network-only' });
  }, [refetchQuery]);

  const { interrupted } = useSubscriptionEvents(HubspotSyncUpdated, {}, (event) => receive(event.hubspotSyncUpdated), {
    pause: !live,
    onResubscribe: reload,
  });

  const firstPage = data?.hubspotSyncs;
  const hasNextPage = older ? older.hasNextPage : (firstPage?.hasNextPage ?? false);

  async function showMore() {
    const after = older ? older.endCursor : (firstPage?.endCursor ?? null);
    setMoreState({ loading: true, error: null });
    const result = await queryOnce(client, HubspotSyncsPage, { first: PAGE_SIZE, after, status });
    if (result.data) {
      const page = result.data.hubspotSyncs;
      setOlder((prev) => ({ nodes: [...(prev?.nodes ?? []), ...page.nodes], endCursor: page.endCursor, hasNextPage: page.hasNextPage }));
    }
    setMoreState({ loading: false, error: result.error ?? null });
  }

  const loaded = [...(firstPage?.nodes ?? []), ...(older?.nodes ?? [])];
  const rows = mergeRecords(loaded, Object.values(changed), hasNextPage, status);

  return {
    fetching,
    error,
    loaded: data !== undefined,
    summary: freshSummary ?? data?.hubspotSyncSummary ?? null,
    rows,
    hasNextPage,
    showMore,
    moreLoading: moreState.loading,
    moreError: moreState.error,
    receive,
    reload,
    /** Live updates were interrupted: the list is refetched as they come back. */
    interrupted,
  };
}

function isNewer(record: SyncRecord, than: SyncRecord | undefined): boolean {
  return !than || Date.parse(record.updatedAt) >= Date.parse(than.updatedAt);
}

/**
 * Each record once, in its newest version, by close time, the latest first (the gateway's order, so a backfilled
 * conversation closed last week sits among last week's). A changed record that is not loaded yet joins the list
 * only when it has the status shown (if one is chosen) and closed after the earliest row shown (otherwise it
 * appears when its page is loaded). A shown row that changes stays, in its new version.
 */
export function mergeRecords(loaded: SyncRecord[], changed: SyncRecord[], morePages: boolean, status?: SyncStatus): SyncRecord[] {
  const byId = new Map<string, SyncRecord>();
  for (const record of loaded) if (isNewer(record, byId.get(record.id))) byId.set(record.id, record);
  const earliest = loaded.length ? Math.min(...loaded.map((r) => Date.parse(r.closedAt))) : -Infinity;
  for (const record of changed) {
    const known = byId.get(record.id);
    const joins = (!status || record.status === status) && (!morePages || Date.parse(record.closedAt) >= earliest);
    if (known ? isNewer(record, known) : joins) byId.set(record.id, record);
  }
  return [...byId.values()].sort((a, b) => Date.parse(b.closedAt) - Date.parse(a.closedAt) || b.id.localeCompare(a.id));
}
