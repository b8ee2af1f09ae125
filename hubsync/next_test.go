package hubsync

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

// testPolicy is the default policy without jitter: 8 attempts, backoff from 15 s to 30 min, errors looked at
// again every 15 s.
func testPolicy() policy {
	return policy{maxAttempts: 8, baseBackoff: 15 * time.Second, maxBackoff: 30 * time.Minute, errorRecheck: 15 * time.Second,
		jitter: func(d time.Duration) time.Duration { return d }}
}

// hubspotAnswer is the error the HubSpot client returns for an answer status with headers (a real call to a
// server giving that answer), so next sees exactly what the worker does.
func hubspotAnswer(t *testing.T, status int, category string, header map[string]string) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status":"error","category":%q,"message":"answer %d","correlationId":"cc33"}`, category, status)
	}))
	t.Cleanup(srv.Close)
	c, err := hubspot.NewClient(nil, hubspot.WithBaseURL(srv.URL), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Contacts.Get(context.Background(), "1", nil)
	if err == nil {
		t.Fatalf("answer %d: no error", status)
	}
	return err
}

// next decides every record's next state; the queue only writes it. The table is the whole policy.
func TestNext(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	p := testPolicy()
	redisDown := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	rateLimited := &hubspot.RateLimitError{ErrorResponse: hubspot.ErrorResponse{Response: &http.Response{StatusCode: 429}}, RetryAfter: 7 * time.Second}
	// What the assertions compare: the state with its due time as a wait from now, and whether the attempt's
	// error is kept in the record's history.
	type got struct {
		Status   convrs.HubspotSyncStatus
		Wait     time.Duration
		Attempts int
		Code     string
		ForClose int
		Kept     bool
	}
	for _, tc := range []struct {
		name     string
		attempts int // the claimed record's, counting this attempt
		err      error
		want     got
	}{
		{"synced", 3, nil, got{convrs.SyncSynced, 0, 3, "", 2, false}},

		// Our own outages wait with backoff, however many attempts: never FAILED.
		{"redis lock refused", 3, fmt.Errorf("match: lock customer: cache: lock: %w", redisDown),
			got{convrs.SyncWaiting, time.Minute, 3, convrs.SyncReasonUnavailable, 2, true}},
		{"database gone, past the attempt cap", 20, fmt.Errorf("store: find conversation: %w", driver.ErrBadConn),
			got{convrs.SyncWaiting, 30 * time.Minute, 20, convrs.SyncReasonUnavailable, 2, true}},
		{"lock deadline", 99, fmt.Errorf("store: lock k: %w", context.DeadlineExceeded),
			got{convrs.SyncWaiting, 30 * time.Minute, 99, convrs.SyncReasonUnavailable, 2, true}},
		{"network to our database", 1, fmt.Errorf("store: claim: %w", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}),
			got{convrs.SyncWaiting, 15 * time.Second, 1, convrs.SyncReasonUnavailable, 2, true}},
		{"the client's limiter down", 99, fmt.Errorf("hubspot: create note: limiter: %w", redisDown),
			got{convrs.SyncWaiting, 30 * time.Minute, 99, convrs.SyncReasonUnavailable, 2, true}},

		// HubSpot failing: 5xx backs off and counts, up to the cap; 429 waits for its window, uncounted.
		{"HubSpot 503", 2, hubspotAnswer(t, 503, "", nil), got{convrs.SyncWaiting, 30 * time.Second, 2, convrs.SyncReasonUnavailable, 2, true}},
		{"HubSpot 500 at the attempt cap", 8, hubspotAnswer(t, 500, "", nil),
			got{convrs.SyncFailed, 0, 8, convrs.SyncReasonRetriesExhausted, 2, true}},
		{"HubSpot 429 with Retry-After", 1, rateLimited, got{convrs.SyncWaiting, 7 * time.Second, 0, convrs.SyncReasonRateLimited, 2, true}},
		{"HubSpot 429 without Retry-After", 2, convrs.Errorf(convrs.ERATELIMITED, "The HubSpot budget is spent."),
			got{convrs.SyncWaiting, 10 * time.Second, 1, convrs.SyncReasonRateLimited, 2, true}},
		{"incomplete answer", 2, errIncomplete, got{convrs.SyncWaiting, 0, 2, convrs.SyncReasonUnavailable, 2, true}},
		{"incomplete answer at the attempt cap", 8, errIncomplete, got{convrs.SyncFailed, 0, 8, convrs.SyncReasonRejected, 2, true}},

		// 477: HubSpot's Retry-After, capped at a day; uncounted.
		{"migrating, Retry-After 600", 2, hubspotAnswer(t, 477, "MIGRATION_IN_PROGRESS", map[string]string{"Retry-After": "600"}),
			got{convrs.SyncWaiting, 10 * time.Minute, 1, convrs.SyncReasonUnavailable, 2, true}},
		{"migrating, Retry-After two days", 1, hubspotAnswer(t, 477, "MIGRATION_IN_PROGRESS", map[string]string{"Retry-After": "172800"}),
			got{convrs.SyncWaiting, hubspot.MaxMigrationWait, 0, convrs.SyncReasonUnavailable, 2, true}},

		// The app refused: waits for the reconnect, looked at again every errorRecheck; uncounted.
		{"401 refused", 2, hubspotAnswer(t, 401, "INVALID_AUTHENTICATION", nil),
			got{convrs.SyncWaiting, 15 * time.Second, 1, convrs.SyncReasonIntegrationError, 2, true}},
		{"integration in ERROR", 1, hubfault.NeedsReconnect("the refresh token was revoked"),
			got{convrs.SyncWaiting, 15 * time.Second, 0, convrs.SyncReasonIntegrationError, 2, true}},
		{"401 expired after the renewal", 3, hubspotAnswer(t, 401, hubspot.CategoryExpiredAuthentication, nil),
			got{convrs.SyncWaiting, time.Second, 2, convrs.SyncReasonUnavailable, 2, true}},

		// HubSpot refusing the data, and our own refusals: FAILED at once.
		{"400 validation", 1, hubspotAnswer(t, 400, hubspot.CategoryValidationError, nil), got{convrs.SyncFailed, 0, 1, convrs.SyncReasonRejected, 2, true}},
		{"403 missing scopes", 1, hubspotAnswer(t, 403, hubspot.CategoryMissingScopes, nil), got{convrs.SyncFailed, 0, 1, convrs.SyncReasonRejected, 2, true}},
		{"404 of the target", 1, hubspotAnswer(t, 404, hubspot.CategoryObjectNotFound, nil), got{convrs.SyncFailed, 0, 1, convrs.SyncReasonRejected, 2, true}},
		{"a note of the batch refused", 1, &noteRefused{detail: "Property values were not valid"}, got{convrs.SyncFailed, 0, 1, convrs.SyncReasonRejected, 2, true}},
		{"the client refused the input", 1, fmt.Errorf("hubspot: create note: %w", errors.New("note body has 70000 characters, at most 65536 allowed")),
			got{convrs.SyncFailed, 0, 1, convrs.SyncReasonRejected, 2, true}},
		{"our own check", 1, convrs.Errorf(convrs.ENOTFOUND, "Conversation not found."), got{convrs.SyncFailed, 0, 1, convrs.SyncReasonRejected, 2, true}},

		// Skips, cancels, requeues.
		{"anonymous", 1, fmt.Errorf("match: %w", match.ErrAnonymous), got{convrs.SyncSkipped, 0, 1, convrs.SyncReasonAnonymous, 2, false}},
		{"not this person", 1, match.ErrNotThisPerson, got{convrs.SyncSkipped, 0, 1, convrs.SyncReasonNotThisPerson, 2, false}},
		{"syncing off", 1, convrs.Errorf(convrs.ECONFLICT, "Syncing to HubSpot is not enabled."), got{convrs.SyncCancelled, 0, 1, convrs.SyncReasonDisabled, 0, false}},
		{"this process stopping", 3, fmt.Errorf("hubspot: create note: %w", context.Canceled), got{convrs.SyncQueued, 0, 2, "", 2, false}},
		{"closed again meanwhile", 3, convrs.ErrHubspotSyncReclosed, got{convrs.SyncQueued, 0, 0, "", 0, false}},
		{"lease lost", 3, fmt.Errorf("store: save progress: %w", convrs.ErrHubspotSyncLeaseLost), got{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := p.next(&convrs.HubspotSync{Attempts: tc.attempts, CloseNumber: 2}, tc.err, now)
			g := got{Status: st.Status, Attempts: st.Attempts, Code: st.ReasonCode, ForClose: st.ForClose, Kept: st.AttemptError != nil}
			if !st.RunAt.IsZero() {
				g.Wait = st.RunAt.Sub(now)
			}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("next (-want +got):\n%s", diff)
			}
			if st.Status != "" && st.Status != convrs.SyncSynced && st.Status != convrs.SyncQueued && st.Reason == "" {
				t.Errorf("%s without a reason in words", st.Status)
			}
			if a := st.AttemptError; a != nil && (a.Attempt != tc.attempts || !a.At.Equal(now) || a.Status != st.Status || a.Reason != st.Reason) {
				t.Errorf("attempt error %+v does not match the state", a)
			}
		})
	}
}
