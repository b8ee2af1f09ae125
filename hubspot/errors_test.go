package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func apiErr(status int, header http.Header, body string) error {
	if header == nil {
		header = http.Header{}
	}
	return newAPIError(&http.Response{StatusCode: status, Header: header}, []byte(body), false)
}

func TestNewAPIErrorTypes(t *testing.T) {
	t.Parallel()
	ignore := cmpopts.IgnoreFields(ErrorResponse{}, "Response")
	unexported := cmpopts.IgnoreUnexported(ErrorResponse{})

	t.Run("429 ten secondly", func(t *testing.T) {
		h := http.Header{"X-Hubspot-Ratelimit-Interval-Milliseconds": {"10000"}, "X-Hubspot-Ratelimit-Max": {"110"}, "X-Hubspot-Ratelimit-Remaining": {"0"}}
		err := apiErr(429, h, `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c-1","policyName":"TEN_SECONDLY_ROLLING"}`)
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("err = %T", err)
		}
		want := &RateLimitError{
			ErrorResponse: ErrorResponse{Status: "error", Message: "You have reached your ten_secondly_rolling limit.", ErrorType: "RATE_LIMIT", CorrelationID: "c-1"},
			PolicyName:    PolicyTenSecondlyRolling,
			RetryAfter:    10 * time.Second,
		}
		if diff := cmp.Diff(want, rl, ignore, unexported); diff != "" {
			t.Error(diff)
		}
		if !errors.Is(err, ErrRateLimited) || !IsRetryable(err) {
			t.Error("not rate limited / retryable")
		}
		if got := err.Error(); got != "429 RATE_LIMIT: You have reached your ten_secondly_rolling limit. (correlation id c-1) [policy TEN_SECONDLY_ROLLING]" {
			t.Errorf("Error() = %q", got)
		}
	})
	t.Run("429 secondly", func(t *testing.T) {
		err := apiErr(429, nil, `{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","policyName":"SECONDLY"}`)
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.PolicyName != PolicySecondly || rl.RetryAfter != time.Second {
			t.Fatalf("got %+v", err)
		}
	})
	t.Run("429 daily is not retryable", func(t *testing.T) {
		err := apiErr(429, nil, `{"status":"error","message":"You have reached your daily limit.","policyName":"DAILY"}`)
		if IsRetryable(err) {
			t.Error("daily limit retryable")
		}
	})
	t.Run("409 conflict", func(t *testing.T) {
		err := apiErr(409, nil, `{"status":"error","message":"Contact already exists. Existing ID: 12345","correlationId":"c-2","category":"CONFLICT"}`)
		var ce *ConflictError
		if !errors.As(err, &ce) || ce.ExistingID != "12345" {
			t.Fatalf("got %+v", err)
		}
	})
	t.Run("409 without id", func(t *testing.T) {
		var ce *ConflictError
		if err := apiErr(409, nil, `{"message":"conflict"}`); !errors.As(err, &ce) || ce.ExistingID != "" {
			t.Fatalf("got %+v", err)
		}
	})
	t.Run("403 missing scopes", func(t *testing.T) {
		err := apiErr(403, nil, `{"status":"error","message":"This app hasn't been granted all required scopes to make this call.",
			"correlationId":"c-3","category":"MISSING_SCOPES","errors":[{"message":"One or more of the following scopes are required.",
			"context":{"requiredGranularScopes":["crm.objects.contacts.read","crm.objects.contacts.write"]}}]}`)
		if !errors.Is(err, ErrMissingScopes) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) {
			t.Fatalf("classification wrong for %v", err)
		}
		if diff := cmp.Diff([]string{"crm.objects.contacts.read", "crm.objects.contacts.write"}, requiredScopes(t, fmt.Errorf("wrapped: %w", err))); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("401 expired", func(t *testing.T) {
		err := apiErr(401, nil, `{"status":"error","message":"The OAuth token used to make this call expired 0 second(s) ago.","category":"EXPIRED_AUTHENTICATION"}`)
		if !errors.Is(err, ErrExpiredAuthentication) || !errors.Is(err, ErrUnauthorized) || IsRetryable(err) {
			t.Fatalf("classification wrong for %v", err)
		}
	})
	t.Run("401 invalid", func(t *testing.T) {
		err := apiErr(401, nil, `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`)
		if errors.Is(err, ErrExpiredAuthentication) || !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("classification wrong for %v", err)
		}
	})
	t.Run("404", func(t *testing.T) {
		err := apiErr(404, nil, `{"status":"error","message":"resource not found","category":"OBJECT_NOT_FOUND"}`)
		if !errors.Is(err, ErrNotFound) || IsRetryable(err) {
			t.Fatalf("classification wrong for %v", err)
		}
	})
	t.Run("400 validation with odd fields", func(t *testing.T) {
		err := apiErr(400, nil, `{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR",
			"subCategory":{"x":1},"errors":[{"message":"bad","code":"INVALID_OPTION","context":{"propertyName":"lifecyclestage","n":5}}]}`)
		var er *ErrorResponse
		if !errors.As(err, &er) {
			t.Fatal(err)
		}
		want := &ErrorResponse{Status: "error", Message: "Property values were not valid", Category: CategoryValidationError, SubCategory: `{"x":1}`,
			Errors: []ErrorDetail{{Message: "bad", Code: "INVALID_OPTION", Context: ErrorContext{"propertyName": {"lifecyclestage"}, "n": {"5"}}}}}
		if diff := cmp.Diff(want, er, ignore, unexported); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("non-JSON body", func(t *testing.T) {
		err := apiErr(502, nil, "<html>\n <body>Bad   gateway</body>\n</html>")
		var er *ErrorResponse
		if !errors.As(err, &er) || er.Message != "<html> <body>Bad gateway</body> </html>" || !IsRetryable(err) {
			t.Fatalf("got %+v", er)
		}
	})
	t.Run("empty body", func(t *testing.T) {
		var er *ErrorResponse
		if err := apiErr(503, nil, ""); !errors.As(err, &er) || er.Message != "Service Unavailable" {
			t.Fatalf("got %+v", er)
		}
	})
	t.Run("huge non-JSON body is not echoed", func(t *testing.T) {
		var er *ErrorResponse
		if err := apiErr(500, nil, strings.Repeat("z", 5000)); !errors.As(err, &er) || len(er.Message) != 200 {
			t.Fatalf("message length %d", len(er.Message))
		}
	})
}

func TestRateLimitWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		policy string
		want   time.Duration
	}{
		{"retry-after seconds", http.Header{"Retry-After": {"3"}}, PolicyTenSecondlyRolling, 3 * time.Second},
		{"retry-after date", http.Header{"Retry-After": {now.Add(4 * time.Second).Format(http.TimeFormat)}}, "", 4 * time.Second},
		{"secondly", http.Header{"X-Hubspot-Ratelimit-Interval-Milliseconds": {"10000"}}, PolicySecondly, time.Second},
		{"ten secondly", nil, PolicyTenSecondlyRolling, 10 * time.Second},
		{"interval header", http.Header{"X-Hubspot-Ratelimit-Interval-Milliseconds": {"2500"}}, "", 2500 * time.Millisecond},
		{"nothing", nil, "", 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rateLimitWait(tt.header, tt.policy, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// requiredScopes reads the scopes of a (wrapped) 403 MISSING_SCOPES answer, as callers do.
func requiredScopes(t *testing.T, err error) []string {
	t.Helper()
	var e *ErrorResponse
	if !errors.As(err, &e) {
		t.Fatalf("%v is not an *ErrorResponse", err)
	}
	return e.RequiredScopes()
}

// Every failing call reads "hubspot: <operation>: <cause>", with the package prefix once, whatever the cause:
// an answer of HubSpot, a body the client refuses, or no token to send.
func TestFailedCallErrorText(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithMaxResponseBytes(128), WithMaxRequestBytes(200))
	mux.HandleFunc("/crm/objects/2026-03/contacts/404", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"status":"error","message":"Object not found.","correlationId":"c-1","category":"OBJECT_NOT_FOUND"}`)
	})
	mux.HandleFunc("/crm/objects/2026-03/contacts/500", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 500, `{"status":"error","message":"internal error","correlationId":"c-2"}`)
	})
	mux.HandleFunc("/crm/objects/2026-03/contacts/big", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"1","properties":{"email":"`+strings.Repeat("a", 128)+`@example.com"}}`)
	})
	mux.HandleFunc("/crm/objects/2026-03/contacts/cut", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":`)
	})
	ctx := context.Background()
	get := func(id string) error {
		_, _, err := client.Contacts.Get(ctx, id, nil)
		return err
	}
	noToken := newTS(t, TokenSourceConfig{Key: "portal:7", Store: newMemoryTokenStore(), Refresher: newTokenServer(t).cfg})
	refused := newTokenServer(t)
	refused.status, refused.body = 400, `{"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token","error":"invalid_grant","error_description":"missing or unknown refresh token"}`
	store := newMemoryTokenStore()
	seed(t, store, 0)
	expired := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: refused.cfg})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"404", get("404"), "hubspot: get contact: 404 OBJECT_NOT_FOUND: Object not found. (correlation id c-1)"},
		{"500", get("500"), "hubspot: get contact: 500: internal error (correlation id c-2)"},
		{"response too large", get("big"), "hubspot: get contact: response body too large (limit 128 bytes)"},
		{"response cut short", get("cut"), "hubspot: get contact: decode response: unexpected end of JSON input"},
		{"request too large", func() error {
			_, _, err := client.Notes.Create(ctx, NoteInput{Body: strings.Repeat("x", 200), Timestamp: time.Unix(0, 0)})
			return err
		}(), "hubspot: create note: request body too large: 295 bytes, limit 200"},
		{"no token stored", func() error {
			_, _, err := mustNewClient(t, NewHTTPClient(ctx, noToken), WithBaseURL("http://127.0.0.1:1/")).Owners.Get(ctx, "1")
			return err
		}(), "hubspot: get owner: refresh token (permanent): no token stored"},
		{"refresh refused", func() error {
			_, _, err := mustNewClient(t, NewHTTPClient(ctx, expired), WithBaseURL("http://127.0.0.1:1/")).Owners.Get(ctx, "1")
			return err
		}(), "hubspot: get owner: refresh token (permanent): oauth 400 invalid_grant BAD_REFRESH_TOKEN: missing or unknown refresh token"},
		{"token source", func() error {
			_, err := noToken.TokenContext(ctx)
			return err
		}(), "hubspot: access token: refresh token (permanent): no token stored"},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, tt.err, tt.want)
		}
	}
}
