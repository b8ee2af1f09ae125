package hubspot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// Retry rules, and why a retried create never makes a duplicate.
//
// Any request is re-sent when HubSpot certainly did not act on it:
//   - 429: the request was rejected by the rate limiter; wait for the window (RateLimitError.RetryAfter).
//   - 423: the record was locked; wait at least 2 s.
//   - 401 EXPIRED_AUTHENTICATION: rejected before processing; once at most, after telling the token source
//     to drop the token, so the transport sends a refreshed one.
//   - a connection failure before a connection was obtained (dial, TLS): nothing was sent.
//
// A request is re-sent after an ambiguous failure (5xx/52x, connection lost after sending) only when it is
// idempotent: GET, PATCH, DELETE, search and batch read/upsert, and a contact create that sets an email.
// A contact create is safe because email is unique: if the first attempt did create the contact, the retry
// gets 409 and ConflictError.ExistingID, which callers treat as success.
//
// Note creates (single and batch) and contact batch creates are not idempotent: after a 5xx or a lost
// connection they are NOT re-sent here. The error is returned and IsRetryable reports true; the caller (the
// transcript sync's queue) retries later, and before re-sending it reads the contact's notes through their
// associations and looks for the marker each note carries (NotesService.NoteIDsByContact, BatchRead: strongly
// consistent reads), because HubSpot may have stored it.
//
// 477 MIGRATION_IN_PROGRESS (the portal is moving between data centres, Retry-After up to a day) is not retried
// here: the *MigrationError says when to try again, and IsRetryable reports true.
//
// Other 4xx answers are never retried.

// RetryPolicy bounds the client's retries. Zero fields take the defaults of DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included; 1 disables retries.
	MaxAttempts int
	// BaseBackoff is the first backoff after a 5xx or network error; it doubles with each attempt
	// (full jitter: the wait is uniform in [0, backoff]).
	BaseBackoff time.Duration
	// MaxBackoff caps the exponential backoff.
	MaxBackoff time.Duration
	// MaxRateLimitWait caps the wait after a 429.
	MaxRateLimitWait time.Duration
	// LockedWait is the wait after a 423 (HubSpot asks for at least 2 s).
	LockedWait time.Duration
}

// DefaultRetryPolicy is 4 attempts, backoff from 500 ms to 30 s, up to 10 s after a 429 and 2 s after a 423.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:      4,
		BaseBackoff:      500 * time.Millisecond,
		MaxBackoff:       30 * time.Second,
		MaxRateLimitWait: 10 * time.Second,
		LockedWait:       2 * time.Second,
	}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseBackoff <= 0 {
		p.BaseBackoff = d.BaseBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = d.MaxBackoff
	}
	if p.MaxRateLimitWait <= 0 {
		p.MaxRateLimitWait = d.MaxRateLimitWait
	}
	if p.LockedWait <= 0 {
		p.LockedWait = d.LockedWait
	}
	return p
}

// backoff is the full-jitter exponential wait before attempt+1.
func (p RetryPolicy) backoff(attempt int, jitter func(time.Duration) time.Duration) time.Duration {
	d := p.BaseBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return jitter(min(d, p.MaxBackoff))
}

// retryDecision is what to do after a failed attempt.
type retryDecision struct {
	retry bool
	wait  time.Duration
	// invalidateToken asks the token source to drop the rejected access token before the retry.
	invalidateToken bool
}

// decide applies the rules at the top of this file to an API error after the given attempt.
// expiredRetries counts the 401 EXPIRED_AUTHENTICATION retries already made for this call.
func (p RetryPolicy) decide(attempt int, idempotent bool, expiredRetries *int, err error, jitter func(time.Duration) time.Duration) retryDecision {
	if attempt >= p.MaxAttempts {
		return retryDecision{}
	}
	var rl *RateLimitError
	if errors.As(err, &rl) {
		if !rl.Retryable() {
			return retryDecision{}
		}
		return retryDecision{retry: true, wait: min(rl.RetryAfter, p.MaxRateLimitWait)}
	}
	var mig *MigrationError
	if errors.As(err, &mig) {
		// The portal is moving data centre for up to a day: the caller's durable work waits, not this call.
		return retryDecision{}
	}
	var e *ErrorResponse
	if !errors.As(err, &e) {
		return retryDecision{}
	}
	switch code := e.StatusCode(); {
	case code == http.StatusLocked:
		return retryDecision{retry: true, wait: p.LockedWait}
	case code == http.StatusUnauthorized:
		if e.Category != CategoryExpiredAuthentication || *expiredRetries > 0 {
			return retryDecision{}
		}
		*expiredRetries++
		return retryDecision{retry: true, invalidateToken: true}
	case e.Retryable() && idempotent:
		return retryDecision{retry: true, wait: p.backoff(attempt, jitter)}
	}
	return retryDecision{}
}

// transportError is a failure to get an answer. connected says whether a connection was obtained, after
// which the request may have reached HubSpot.
type transportError struct {
	err       error
	connected bool
}

func (e transportError) Error() string { return e.err.Error() }
func (e transportError) Unwrap() error { return e.err }

// retryableTransportError reports whether a request that got no answer may be re-sent.
func retryableTransportError(err error, idempotent bool) bool {
	var re *RefreshError
	if errors.As(err, &re) {
		return !re.Permanent
	}
	var oe *OAuthError
	if errors.As(err, &oe) {
		return !oe.Permanent()
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var te transportError
	if !errors.As(err, &te) {
		return false
	}
	return idempotent || !te.connected
}

type connTraceKey struct{}

// withConnTrace records on the request whether the transport obtained a connection for it.
func withConnTrace(r *http.Request) *http.Request {
	got := new(atomic.Bool)
	ctx := context.WithValue(r.Context(), connTraceKey{}, got)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { got.Store(true) },
	})
	return r.WithContext(ctx)
}

func connected(r *http.Request) bool {
	got, _ := r.Context().Value(connTraceKey{}).(*atomic.Bool)
	return got == nil || got.Load()
}
