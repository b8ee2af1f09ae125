package hubsync

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

// policy is how the sync retries (from Config); next applies it.
type policy struct {
	maxAttempts             int
	baseBackoff, maxBackoff time.Duration
	errorRecheck            time.Duration
	// jitter returns a duration in [0, d].
	jitter func(d time.Duration) time.Duration
}

// state is a record's next state after one attempt, as next decides it; the queue writes it as told.
type state struct {
	// Status is the record's next status; "" writes nothing (the lease was lost: another worker holds the record).
	Status   convrs.HubspotSyncStatus
	RunAt    time.Time
	Attempts int
	// ReasonCode and Reason (words, words.go) say why; Detail is HubSpot's own answer, for admins.
	ReasonCode, Reason, Detail string
	// ForClose is the close the state is for: when the conversation was closed again meanwhile, the queue refuses
	// it (convrs.ErrHubspotSyncReclosed) and next is asked again. 0: whatever the close.
	ForClose int
	// AttemptError, when set, is kept in the record's history of failed attempts.
	AttemptError *convrs.HubspotSyncAttemptError
}

// errReclosed stands for convrs.ErrHubspotSyncReclosed in next's input: the conversation was closed again while
// the attempt ran.
var errReclosed = convrs.ErrHubspotSyncReclosed

// noteRefused is HubSpot refusing one note of a batch create (the others were written).
type noteRefused struct{ detail string }

func (e *noteRefused) Error() string { return "hubsync: HubSpot refused the note: " + e.detail }

// next decides a claimed record's next state from how its attempt ended (err nil: every note written) at now.
// rec is the record as claimed: its Attempts count this attempt, its CloseNumber is the close the attempt wrote.
//
//   - nil: SYNCED.
//   - the lease lost: nothing (another worker holds the record).
//   - closed again meanwhile, or this process stopping: QUEUED now (a stop does not count the attempt; a new
//     close starts the count again).
//   - an anonymous customer, a contact unlinked as not this person: SKIPPED.
//   - syncing off (ECONFLICT): CANCELLED, whatever the close.
//   - HubSpot's rate limit (429): WAITING for its Retry-After (10 s without one), not counted.
//   - HubSpot refusing the app (401, a refused refresh, the integration in ERROR): WAITING, looked at again every
//     errorRecheck, not counted; Reconnect resumes it.
//   - HubSpot migrating the account (477): WAITING for its Retry-After (capped by the client), not counted.
//   - a token HubSpot called expired even after the client's renewal: WAITING a second, not counted.
//   - HubSpot's answer missing some notes: WAITING, due now (they are looked for first), up to maxAttempts.
//   - our own outage (database, cache, lock, network, a deadline): WAITING with backoff, never FAILED.
//   - HubSpot unavailable (5xx, unreachable): WAITING with backoff, FAILED after maxAttempts.
//   - anything else (400 validation, 403, 404, a note refused, our own checks): FAILED.
func (p policy) next(rec *convrs.HubspotSync, err error, now time.Time) state {
	st := state{RunAt: now, Attempts: rec.Attempts, ForClose: rec.CloseNumber}
	uncounted := func() { st.Attempts = max(st.Attempts-1, 0) }
	kind := hubfault.Of(err)
	var rl *hubspot.RateLimitError
	var nr *noteRefused
	switch {
	case err == nil:
		st.Status = convrs.SyncSynced
		return st
	case errors.Is(err, convrs.ErrHubspotSyncLeaseLost):
		return state{}
	case errors.Is(err, errReclosed):
		return state{Status: convrs.SyncQueued, RunAt: now}
	case errors.Is(err, context.Canceled):
		st.Status = convrs.SyncQueued
		uncounted()
		return st
	case errors.Is(err, match.ErrAnonymous):
		st.Status, st.ReasonCode, st.Reason = convrs.SyncSkipped, convrs.SyncReasonAnonymous, wordsAnonymous
		return st
	case errors.Is(err, match.ErrNotThisPerson):
		st.Status, st.ReasonCode, st.Reason = convrs.SyncSkipped, convrs.SyncReasonNotThisPerson, wordsNotThisPerson
		return st
	case convrs.ErrorCode(err) == convrs.ECONFLICT:
		st.Status, st.ReasonCode, st.Reason, st.ForClose = convrs.SyncCancelled, convrs.SyncReasonDisabled, wordsDisabled, 0
		return st
	case errors.As(err, &nr):
		st.Status, st.ReasonCode, st.Reason, st.Detail = convrs.SyncFailed, convrs.SyncReasonRejected, wordsInvalid, "HubSpot refused the note: "+nr.detail
	case kind == hubfault.RateLimited:
		wait := 10 * time.Second
		if errors.As(err, &rl) {
			wait = rl.RetryAfter
		}
		st.Status, st.ReasonCode, st.Reason, st.RunAt = convrs.SyncWaiting, convrs.SyncReasonRateLimited, wordsRateLimited, now.Add(max(wait, time.Second))
		uncounted()
	case kind == hubfault.Refused:
		// The integration goes to ERROR at HubSpot's first refusal (package integration); Reconnect resumes.
		st.Status, st.ReasonCode, st.Reason, st.RunAt = convrs.SyncWaiting, convrs.SyncReasonIntegrationError, wordsRefused, now.Add(p.errorRecheck)
		uncounted()
	case kind == hubfault.Migrating:
		st.Status, st.ReasonCode, st.Reason, st.RunAt = convrs.SyncWaiting, convrs.SyncReasonUnavailable, wordsMigrating, now.Add(migrationWait(err))
		uncounted()
	case errors.Is(err, hubspot.ErrExpiredAuthentication):
		// Expired even after the client's renewal and retry (tokens expiring within seconds): renewed again soon,
		// not a refusal and not an outage.
		st.Status, st.ReasonCode, st.Reason, st.RunAt = convrs.SyncWaiting, convrs.SyncReasonUnavailable, wordsExpired, now.Add(time.Second)
		uncounted()
	case errors.Is(err, errIncomplete) && rec.Attempts < p.maxAttempts:
		st.Status, st.ReasonCode, st.Reason = convrs.SyncWaiting, convrs.SyncReasonUnavailable, wordsIncomplete
	case ourOutage(err):
		// Our own database, cache, lock or network failed, not HubSpot refusing anything: wait and retry with the
		// same backoff, however long it lasts (never FAILED for it); the error itself goes to Detail.
		st.Status, st.ReasonCode, st.Reason, st.RunAt = convrs.SyncWaiting, convrs.SyncReasonUnavailable, wordsOurOutage, now.Add(p.jitter(p.backoff(rec.Attempts)))
	case kind == hubfault.Unavailable && rec.Attempts < p.maxAttempts:
		st.Status, st.ReasonCode, st.Reason, st.RunAt = convrs.SyncWaiting, convrs.SyncReasonUnavailable, wordsUnavailable, now.Add(p.jitter(p.backoff(rec.Attempts)))
	case kind == hubfault.Unavailable:
		st.Status, st.ReasonCode, st.Reason = convrs.SyncFailed, convrs.SyncReasonRetriesExhausted, exhaustedWords(rec.Attempts)
	default:
		st.Status, st.ReasonCode, st.Reason = convrs.SyncFailed, convrs.SyncReasonRejected, refusedWords(kind)
	}
	if st.Detail == "" {
		st.Detail = hubfault.Detail(err)
		if kind == hubfault.Invalid {
			st.Detail = "HubSpot refused the request" + operation(err) + ". " + st.Detail
		}
	}
	// Every attempt that did not succeed is kept, so the admin sees the history, not only the last words.
	st.AttemptError = &convrs.HubspotSyncAttemptError{At: now, Attempt: rec.Attempts, Status: st.Status, ReasonCode: st.ReasonCode, Reason: st.Reason}
	return st
}

// backoff is baseBackoff doubled per attempt after the first, at most maxBackoff.
func (p policy) backoff(attempts int) time.Duration {
	d := p.baseBackoff
	for i := 1; i < attempts && d < p.maxBackoff; i++ {
		d *= 2
	}
	return min(d, p.maxBackoff)
}

// ourOutage reports an error of the gateway's own infrastructure (database, cache, locks, network, a deadline):
// not an answer of HubSpot's, not a refusal of the data by Convrs's own checks (a convrs error code other than
// EINTERNAL), and not a request the HubSpot client refused to send (a malformed input, which retrying cannot fix).
func ourOutage(err error) bool {
	var apiErr *hubspot.ErrorResponse
	var be *hubspot.BatchError
	if err == nil || errors.As(err, &apiErr) || errors.As(err, &be) || convrs.ErrorCode(err) != convrs.EINTERNAL || hubspot.IsRetryable(err) ||
		errors.Is(err, errIncomplete) {
		return false // HubSpot's answers, our refusals, and HubSpot unreachable (counted towards maxAttempts)
	}
	return !clientRefused(err)
}

// clientRefused reports an input the HubSpot client refused to send ("hubspot: create note: note body has …"):
// its own checks end in a plain error, where a failure of the network, the limiter's cache or a lock ends in the
// cause's own type.
func clientRefused(err error) bool {
	var ne net.Error
	if !strings.HasPrefix(err.Error(), "hubspot: ") || errors.As(err, &ne) {
		return false
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return reflect.TypeOf(err) == reflect.TypeOf(errors.New(""))
}

// migrationWait is how long HubSpot's 477 asks to wait (its Retry-After, which the client caps at a day).
func migrationWait(err error) time.Duration {
	var mig *hubspot.MigrationError
	if errors.As(err, &mig) {
		return max(mig.RetryAfter, time.Second)
	}
	return hubspot.DefaultMigrationWait
}

// operation is " (create contact)" for an error of the HubSpot client's "hubspot: create contact: …", or "".
func operation(err error) string {
	_, rest, ok := strings.Cut(err.Error(), "hubspot: ")
	if op, _, found := strings.Cut(rest, ": "); ok && found && op != "" {
		return " (" + op + ")"
	}
	return ""
}

// apply writes the state into the outcome the queue records.
func (st state) apply(o *convrs.HubspotSyncOutcome) {
	o.Status, o.RunAt, o.Attempts, o.ForClose, o.AttemptError = st.Status, st.RunAt, st.Attempts, st.ForClose, st.AttemptError
	o.ReasonCode, o.Reason, o.Detail = st.ReasonCode, st.Reason, st.Detail
}
