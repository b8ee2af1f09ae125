import { formatWhen } from '../lib/format';

/** The fields of a transcript sync record the outcome words need (both the admin card and the agent's view select them). */
export interface SyncOutcomeRecord {
  status: 'QUEUED' | 'RUNNING' | 'SYNCED' | 'SKIPPED' | 'WAITING' | 'FAILED' | 'CANCELLED';
  reasonCode: string | null;
  reason: string | null;
  matchedBy: 'CRM_ID' | 'EMAIL' | 'PHONE' | 'CREATED' | 'CHOSEN' | null;
  /** How the contact was chosen, in words ("matched by email (bob@example.com)", "chosen by Sam Agent on 7 Dec"). */
  matchedHow?: string | null;
  contactId: string | null;
  contactName: string | null;
  contactUrl: string | null;
  attempts: number;
  nextAttemptAt: string | null;
}

// Words for the reasons Convrs knows; an unknown code falls back to the server's own words.
const reasonWords: Record<string, string> = {
  ANONYMOUS: 'anonymous visitor',
  HUBSPOT_UNAVAILABLE: 'HubSpot is unavailable',
  INTEGRATION_ERROR: 'the HubSpot connection needs attention',
  RATE_LIMITED: 'HubSpot is rate limiting Convrs',
  DISABLED: 'HubSpot was disabled',
  NOT_THIS_PERSON: "the only HubSpot contact with this customer's email was unlinked as not this person; choose the contact in User Details, then Retry",
};

const matchWords: Record<NonNullable<SyncOutcomeRecord['matchedBy']>, string> = {
  CRM_ID: 'matched by CRM link',
  EMAIL: 'matched by email',
  PHONE: 'matched by phone',
  CREATED: 'new contact',
  CHOSEN: 'chosen by an agent',
};

function reasonOf(record: SyncOutcomeRecord, fallback: string): string {
  return (record.reasonCode && reasonWords[record.reasonCode]) || record.reason?.trim() || fallback;
}

/** A contact URL is shown as a link only when it is a web address (never javascript: or data:). */
export function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The outcome of a sync in words, without the contact link: "Waiting: HubSpot is unavailable, retrying at 14:05". */
export function syncOutcomeText(record: SyncOutcomeRecord, now: Date = new Date()): string {
  switch (record.status) {
    case 'QUEUED':
      return 'Queued';
    case 'RUNNING':
      return 'Writing to HubSpot…';
    case 'SYNCED':
      return `Written to HubSpot: ${contactLabel(record)}`;
    case 'SKIPPED':
      return `Skipped: ${reasonOf(record, 'nothing to match the contact with')}`;
    case 'WAITING': {
      const reason = reasonOf(record, 'HubSpot is unavailable');
      if (record.nextAttemptAt) {
        const today = new Date(record.nextAttemptAt).toDateString() === now.toDateString();
        return `Waiting: ${reason}, retrying ${today ? 'at' : 'on'} ${formatWhen(record.nextAttemptAt, now)}`;
      }
      if (record.reasonCode === 'INTEGRATION_ERROR') return `Waiting: ${reason}, resumes after Reconnect`;
      return `Waiting: ${reason}`;
    }
    case 'FAILED': {
      // A failure's own words say most (what HubSpot refused); the known codes are only the fallback.
      const reason = record.reason?.trim() || reasonOf(record, 'HubSpot did not accept the note');
      return `Failed: ${reason} (${record.attempts} ${record.attempts === 1 ? 'attempt' : 'attempts'})`;
    }
    case 'CANCELLED':
      return `Cancelled: ${reasonOf(record, 'HubSpot was disabled')}`;
  }
}

function contactLabel(record: SyncOutcomeRecord): string {
  return record.contactName?.trim() || (record.contactId ? `contact ${record.contactId}` : 'the contact');
}

/**
 * The outcome of a sync as a person reads it, e.g. "Written to HubSpot: Alice Johnson ↗ (matched by phone)",
 * with the contact opening in HubSpot in a new tab.
 */
export function SyncOutcome({ record, now }: { record: SyncOutcomeRecord; now?: Date }) {
  if (record.status !== 'SYNCED') {
    return <span className={`sync-outcome sync-outcome--${record.status.toLowerCase()}`}>{syncOutcomeText(record, now)}</span>;
  }
  const url = safeUrl(record.contactUrl);
  const label = contactLabel(record);
  return (
    <span className="sync-outcome sync-outcome--synced">
      Written to HubSpot:{' '}
      {url ? (
        <a href={url} target="_blank" rel="noopener noreferrer" title="Opens the contact in HubSpot in a new tab">
          {label} <span aria-hidden="true">↗</span>
        </a>
      ) : (
        label
      )}
      {(record.matchedHow || record.matchedBy) && (
        <span className="sync-outcome__match"> ({record.matchedHow?.trim() || (record.matchedBy && matchWords[record.matchedBy])})</span>
      )}
    </span>
  );
}
