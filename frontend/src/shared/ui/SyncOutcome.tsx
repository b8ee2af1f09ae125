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

// What happened and what to do, for a record whose server words are missing (older records kept only a code).
const reasonWords: Record<string, string> = {
  ANONYMOUS: 'The customer is an anonymous visitor (no email, phone number or name), so nothing was sent to HubSpot.',
  HUBSPOT_UNAVAILABLE: 'HubSpot is not answering. Convrs tries again by itself; nothing to do.',
  INTEGRATION_ERROR: 'HubSpot no longer accepts Convrs\'s authorization. An administrator can Reconnect HubSpot under Integrations.',
  RATE_LIMITED: 'HubSpot asked Convrs to slow down. The transcript is written as soon as HubSpot allows; nothing to do.',
  DISABLED: 'HubSpot was disconnected before this transcript was written.',
  REJECTED: 'HubSpot did not accept this transcript.',
  RETRIES_EXHAUSTED: 'HubSpot did not answer, so Convrs stopped trying. Press Retry once HubSpot works again.',
  NOT_THIS_PERSON:
    "The only HubSpot contact with this customer's email was unlinked as not this person. Choose the right contact in User Details (Change contact), then Retry.",
};

const matchWords: Record<NonNullable<SyncOutcomeRecord['matchedBy']>, string> = {
  CRM_ID: 'matched by CRM link',
  EMAIL: 'matched by email',
  PHONE: 'matched by phone',
  CREATED: 'new contact',
  CHOSEN: 'chosen by an agent',
};

/** What happened and what to do, in the server's words (without the "Failed:" prefix older records carry). */
export function syncReason(record: SyncOutcomeRecord): string {
  const own = record.reason?.trim().replace(/^(Failed|Waiting|Skipped|Cancelled):\s*/, '');
  return own || (record.reasonCode ? (reasonWords[record.reasonCode] ?? '') : '');
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

/** Where a sync stands, in a few words, without the reason: "Waiting, next try at 14:05". */
export function syncOutcomeText(record: SyncOutcomeRecord, now: Date = new Date()): string {
  switch (record.status) {
    case 'QUEUED':
      return 'Queued';
    case 'RUNNING':
      return 'Writing to HubSpot…';
    case 'SYNCED':
      return `Written to HubSpot: ${contactLabel(record)}`;
    case 'SKIPPED':
      return 'Skipped';
    case 'WAITING': {
      if (record.reasonCode === 'INTEGRATION_ERROR') return 'Waiting for HubSpot to be reconnected';
      if (record.nextAttemptAt) {
        const today = new Date(record.nextAttemptAt).toDateString() === now.toDateString();
        return `Waiting, next try ${today ? 'at' : 'on'} ${formatWhen(record.nextAttemptAt, now)}`;
      }
      return 'Waiting';
    }
    case 'FAILED':
      return `Failed after ${record.attempts} ${record.attempts === 1 ? 'attempt' : 'attempts'}`;
    case 'CANCELLED':
      return 'Cancelled';
  }
}

function contactLabel(record: SyncOutcomeRecord): string {
  return record.contactName?.trim() || (record.contactId ? `contact ${record.contactId}` : 'the contact');
}

/**
 * The outcome of a sync as a person reads it: "Written to HubSpot: Alice Johnson ↗ (matched by phone)", with the
 * contact opening in HubSpot in a new tab, or where it stands and why, with what to do ("Waiting, next try at
 * 14:05. HubSpot is not answering…").
 */
export function SyncOutcome({ record, now }: { record: SyncOutcomeRecord; now?: Date }) {
  if (record.status !== 'SYNCED') {
    const reason = syncReason(record);
    return (
      <span className={`sync-outcome sync-outcome--${record.status.toLowerCase()}`}>
        <span className="sync-outcome__status">{syncOutcomeText(record, now)}</span>
        {reason && (
          <>
            {'. '}
            <span className="sync-outcome__why">{reason}</span>
          </>
        )}
      </span>
    );
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
