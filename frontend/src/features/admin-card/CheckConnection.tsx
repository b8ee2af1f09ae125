import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { errorMessage, fieldErrors } from '../../shared/api';
import { Banner, Button, Field } from '../../shared/ui';
import { formatWhen } from '../../shared/lib/format';

const CheckHubspotConnection = graphql(`
  mutation CheckHubspotConnection($testNoteContactId: ID) {
    checkHubspotConnection(testNoteContactId: $testNoteContactId) {
      ok
      checkedAt
      steps {
        name
        outcome
        message
        detail
      }
    }
  }
`);

const marks = { PASSED: '✓', FAILED: '✗', SKIPPED: '–' } as const;
const outcomeWords = { PASSED: 'passed', FAILED: 'failed', SKIPPED: 'skipped' } as const;

/**
 * Check connection: proves the stored grant works end to end (account, a contact search, reading a contact, the
 * owners list) without writing anything, and writes a test note only to a contact the admin names. The result
 * is a list of steps in words.
 */
export function CheckConnection() {
  const headingId = useId();
  const [contactId, setContactId] = useState('');
  const [result, check] = useMutation(CheckHubspotConnection);
  const answer = result.data?.checkHubspotConnection;
  const fieldError = fieldErrors(result.error, ['testNoteContactId'] as const).fields.testNoteContactId ?? null;

  return (
    <section className="card__section check-connection" aria-labelledby={headingId}>
      <h3 id={headingId}>Check the connection</h3>
      <p className="muted">
        Proves that Convrs can use HubSpot as it will when syncing: it reads the account, searches and reads a contact
        and lists the owners, writing nothing. Name a contact to also write a short test note to it.
      </p>
      <form
        className="check-connection__form"
        onSubmit={(e) => {
          e.preventDefault();
          void check({ testNoteContactId: contactId.trim() || null });
        }}
      >
        <Field
          label="Write a test note to HubSpot contact (optional)"
          hint="The contact's ID: the number at the end of its address in HubSpot."
          error={fieldError}
        >
          <input inputMode="numeric" value={contactId} onChange={(e) => setContactId(e.target.value)} />
        </Field>
        <Button type="submit" busy={result.fetching}>
          Check connection
        </Button>
      </form>
      {result.error && !fieldError && (
        <Banner tone="red" role="alert" title="The check could not run.">
          {errorMessage(result.error)}
        </Banner>
      )}
      {answer && !result.fetching && (
        <div role="status" aria-label="Connection check result">
          <p className={answer.ok ? 'check-connection__summary' : 'check-connection__summary sync-outcome--failed'}>
            {answer.ok
              ? `Everything worked (checked at ${formatWhen(answer.checkedAt)}).`
              : `Something did not work (checked at ${formatWhen(answer.checkedAt)}): see the failed step.`}
          </p>
          <ol className="check-steps">
            {answer.steps.map((step) => (
              <li key={step.name} data-outcome={step.outcome}>
                <span aria-hidden="true">{marks[step.outcome]} </span>
                <strong>{step.name}</strong> — {outcomeWords[step.outcome]}. {step.message}
                {step.detail && (
                  <details className="sync-record__details">
                    <summary>Details</summary>
                    <p>{step.detail}</p>
                  </details>
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
