package hubsync

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
)

// Every way a sync can go wrong gets a sentence saying what happened and what to do; HubSpot's own message and
// the correlation ID stay out of it and go to Detail (admins, and the log).
func TestFailureWords(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 43, 0, 0, time.UTC)
	p := testPolicy()
	answer := func(status int, category string) error {
		h := http.Header{}
		h.Set("Retry-After", "600")
		return fmt.Errorf("match: search email: hubspot: search contacts: %w", &hubspot.ErrorResponse{
			Response: &http.Response{StatusCode: status, Header: h}, Category: category,
			Message: "One or more validation errors", CorrelationID: "aa11-bb22"})
	}
	for _, tc := range []struct {
		name     string
		err      error
		attempts int
		status   convrs.HubspotSyncStatus
		code     string
		words    string
		detail   string
	}{
		{"validation 400", answer(400, hubspot.CategoryValidationError), 1, convrs.SyncFailed, convrs.SyncReasonRejected,
			"refused the data Convrs sent", "400 VALIDATION_ERROR: One or more validation errors (correlation ID aa11-bb22)"},
		{"missing scopes 403", answer(403, hubspot.CategoryMissingScopes), 1, convrs.SyncFailed, convrs.SyncReasonRejected,
			"lacks a permission", "403 MISSING_SCOPES"},
		{"refused 401", answer(401, "INVALID_AUTHENTICATION"), 1, convrs.SyncWaiting, convrs.SyncReasonIntegrationError,
			"Reconnect HubSpot", "401"},
		{"integration in ERROR", hubfault.NeedsReconnect("revoked"), 1, convrs.SyncWaiting, convrs.SyncReasonIntegrationError,
			"Reconnect HubSpot", "revoked"},
		{"not found 404", answer(404, hubspot.CategoryObjectNotFound), 1, convrs.SyncFailed, convrs.SyncReasonRejected,
			"could not find the contact", "404"},
		{"rate limited 429", &hubspot.RateLimitError{ErrorResponse: hubspot.ErrorResponse{Response: &http.Response{StatusCode: 429}}, RetryAfter: 10 * time.Second},
			1, convrs.SyncWaiting, convrs.SyncReasonRateLimited, "slow down", "429"},
		{"expired 401 after the renewal", answer(401, hubspot.CategoryExpiredAuthentication), 1, convrs.SyncWaiting, convrs.SyncReasonUnavailable,
			"just expired", "401 EXPIRED_AUTHENTICATION"},
		{"unavailable 503", answer(503, ""), 1, convrs.SyncWaiting, convrs.SyncReasonUnavailable, "not answering", "503"},
		{"unavailable past the limit", answer(503, ""), 8, convrs.SyncFailed, convrs.SyncReasonRetriesExhausted, "did not answer in 8 attempts", "503"},
		{"migrating 477", answer(477, "MIGRATION_IN_PROGRESS"), 1, convrs.SyncWaiting, convrs.SyncReasonUnavailable, "another data centre", "477"},
		{"syncing off", convrs.Errorf(convrs.ECONFLICT, "Syncing to HubSpot is not enabled."), 1, convrs.SyncCancelled, convrs.SyncReasonDisabled, "not enabled", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := p.next(&convrs.HubspotSync{Attempts: tc.attempts}, tc.err, now)
			if o.Status != tc.status || o.ReasonCode != tc.code {
				t.Errorf("outcome %s %s, want %s %s", o.Status, o.ReasonCode, tc.status, tc.code)
			}
			if !strings.Contains(o.Reason, tc.words) {
				t.Errorf("reason %q does not say %q", o.Reason, tc.words)
			}
			for _, leak := range []string{"hubspot:", "match:", "correlation", "aa11-bb22", "Failed:", "Waiting:"} {
				if strings.Contains(o.Reason, leak) {
					t.Errorf("reason %q shows %q", o.Reason, leak)
				}
			}
			if !strings.Contains(o.Detail, tc.detail) || (tc.detail == "" && o.Detail != "") {
				t.Errorf("detail %q, want %q", o.Detail, tc.detail)
			}
		})
	}
}
