import { useId } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { errorMessage } from '../../shared/api';
import { Button } from '../../shared/ui';
import { SyncOutcome } from '../../shared/ui/SyncOutcome';
import type { SyncRecord } from './fragments';
import { formatWhen } from '../../shared/lib/format';
import { formatAgo, formatFull } from './when';

const RetryHubspotSync = graphql(`
  mutation RetryHubspotSync($conversationId: ID!) {
    retryHubspotSync(conversationId: $conversationId) {
      ...HubspotSyncFields
    }
  }
`);

const retryable = new Set<SyncRecord['status']>(['FAILED', 'SKIPPED', 'CANCELLED']);

/** The console's address of a conversation (the demo host routes on the hash). */
export const defaultConversationHref = (conversationId: string) => `#/chat/${encodeURIComponent(conversationId)}`;

interface Props {
  record: SyncRecord;
  /** Where the row's conversation opens. */
  conversationHref?: (conversationId: string) => string;
  now: Date;
  /** Retry is offered only while syncing can run (ENABLED or ERROR). */
  canRetry: boolean;
  onChange: (record: SyncRecord) => void;
}

/** One closed conversation's sync: who, the outcome in words with the contact link, when, and Retry. */
export function SyncRecordItem({ record, now, canRetry, onChange, conversationHref = defaultConversationHref }: Props) {
  const customerId = useId();
  const [result, retry] = useMutation(RetryHubspotSync);
  const customer = record.customer;
  const contactDetail = customer.email ?? customer.phone;

  async function onRetry() {
    const answer = await retry({ conversationId: record.conversationId });
    if (answer.data) onChange(answer.data.retryHubspotSync);
  }

  // "Queued again" stays only while the row still shows the record Retry returned.
  const retried = result.data?.retryHubspotSync;
  const showRetried = retried && retried.id === record.id && retried.updatedAt === record.updatedAt;

  return (
    <li className="sync-record" data-status={record.status}>
      <div className="sync-record__who" id={customerId}>
        <strong>{customer.name ?? 'Anonymous visitor'}</strong>
        {contactDetail && <span className="sync-record__contact muted">{contactDetail}</span>}
      </div>
      <div className="sync-record__outcome">
        <SyncOutcome record={record} now={now} />
        {(record.detail || record.attemptErrors.length > 0) && (
          <details className="sync-record__details">
            <summary>Details</summary>
            {record.detail && <p>{record.detail}</p>}
            {record.attemptErrors.length > 0 && <AttemptErrors errors={record.attemptErrors} now={now} />}
          </details>
        )}
        {record.warnings.length > 0 && (
          <ul className="sync-record__warnings" aria-label="Warnings">
            {record.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="sync-record__when muted">
        {record.closeNumber > 1 ? 'Closed again ' : 'Closed '}
        <time dateTime={record.closedAt} title={formatFull(record.closedAt)}>
          {formatAgo(record.closedAt, now)}
        </time>
        {' · '}
        <a className="sync-record__conversation" href={conversationHref(record.conversationId)} aria-describedby={customerId}>
          Open conversation
        </a>
      </div>
      {canRetry && retryable.has(record.status) && (
        <div className="sync-record__actions">
          <Button onClick={onRetry} busy={result.fetching} aria-describedby={customerId}>
            Retry
          </Button>
          {result.error && (
            <p className="sync-record__error" role="alert">
              Retry failed: {errorMessage(result.error)}
            </p>
          )}
        </div>
      )}
      {showRetried && (
        <p className="sync-record__feedback muted" role="status">
          Queued again.
        </p>
      )}
    </li>
  );
}

/** The attempts that did not succeed, oldest first: when each ended and why, in the words the row uses. */
function AttemptErrors({ errors, now }: { errors: SyncRecord['attemptErrors']; now: Date }) {
  return (
    <ol className="sync-record__attempts" aria-label="Attempts that did not succeed">
      {errors.map((e) => (
        <li key={`${e.attempt}-${e.at}`}>
          Attempt {e.attempt} (
          <time dateTime={e.at} title={formatFull(e.at)}>
            {formatWhen(e.at, now)}
          </time>
          ): {e.reason}
        </li>
      ))}
    </ol>
  );
}
