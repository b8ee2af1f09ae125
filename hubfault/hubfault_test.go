package hubfault_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
)

func answer(status int, category string) *hubspot.ErrorResponse {
	return &hubspot.ErrorResponse{Response: &http.Response{StatusCode: status}, Category: category,
		Message: "Something HubSpot said", CorrelationID: "c0ffee-1234"}
}

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want hubfault.Kind
	}{
		{"nil", nil, hubfault.None},
		{"400 validation", fmt.Errorf("match: search email: %w", answer(400, hubspot.CategoryValidationError)), hubfault.Invalid},
		{"403 missing scopes", answer(403, hubspot.CategoryMissingScopes), hubfault.MissingScopes},
		{"401 invalid", answer(401, "INVALID_AUTHENTICATION"), hubfault.Refused},
		{"401 expired after the retry", answer(401, hubspot.CategoryExpiredAuthentication), hubfault.Unavailable},
		{"refresh refused", &hubspot.RefreshError{Permanent: true, Err: errors.New("invalid_grant")}, hubfault.Refused},
		{"refresh failed for now", &hubspot.RefreshError{Err: errors.New("dial tcp: refused")}, hubfault.Unavailable},
		{"integration in ERROR", hubfault.NeedsReconnect("revoked"), hubfault.Refused},
		{"404", answer(404, hubspot.CategoryObjectNotFound), hubfault.NotFound},
		{"429", &hubspot.RateLimitError{ErrorResponse: *answer(429, "")}, hubfault.RateLimited},
		{"500", answer(500, ""), hubfault.Unavailable},
		{"502", answer(502, ""), hubfault.Unavailable},
		{"timeout", fmt.Errorf("hubspot: %w", context.DeadlineExceeded), hubfault.Unavailable},
		{"477", answer(477, "MIGRATION_IN_PROGRESS"), hubfault.Migrating},
		{"EUNAVAILABLE of Convrs", convrs.Errorf(convrs.EUNAVAILABLE, "down"), hubfault.Unavailable},
		{"a bug", errors.New("store: boom"), hubfault.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hubfault.Of(tc.err); got != tc.want {
				t.Errorf("Of(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

func TestDetail(t *testing.T) {
	got := hubfault.Detail(fmt.Errorf("match: search email: hubspot: search contacts: %w", answer(400, hubspot.CategoryValidationError)))
	if want := "HubSpot answered 400 VALIDATION_ERROR: Something HubSpot said (correlation ID c0ffee-1234)"; got != want {
		t.Errorf("Detail = %q, want %q", got, want)
	}
	if got := hubfault.Detail(errors.New(strings.Repeat("é", 2000))); len(got) > 1010 || !strings.HasSuffix(got, "…") {
		t.Errorf("a long detail is %d bytes", len(got))
	}
	if hubfault.Detail(nil) != "" {
		t.Error("Detail(nil) is not empty")
	}
}
