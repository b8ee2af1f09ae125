package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// HubSpot error categories the client gives meaning to.
const (
	CategoryObjectNotFound        = "OBJECT_NOT_FOUND"
	CategoryMissingScopes         = "MISSING_SCOPES"
	CategoryExpiredAuthentication = "EXPIRED_AUTHENTICATION"
	CategoryValidationError       = "VALIDATION_ERROR"
	CategoryConflict              = "CONFLICT"
	CategoryRateLimits            = "RATE_LIMITS"
	CategoryMigrationInProgress   = "MIGRATION_IN_PROGRESS"
)

// StatusMigrationInProgress is HubSpot's HTTP status while it moves a portal between data centres.
const StatusMigrationInProgress = 477

// MaxMigrationWait caps the wait a 477 answer asks for: HubSpot documents Retry-After values up to a day.
const MaxMigrationWait = 24 * time.Hour

// DefaultMigrationWait is the wait after a 477 answer that names none.
const DefaultMigrationWait = 5 * time.Minute

// Rate-limit policies named in 429 bodies.
const (
	PolicyTenSecondlyRolling = "TEN_SECONDLY_ROLLING"
	PolicySecondly           = "SECONDLY"
	PolicyDaily              = "DAILY"
)

// Sentinels matched by errors.Is against an *ErrorResponse (and the errors that embed it).
var (
	// ErrNotFound: 404, or category OBJECT_NOT_FOUND.
	ErrNotFound = errors.New("hubspot: not found")
	// ErrUnauthorized: any 401.
	ErrUnauthorized = errors.New("hubspot: unauthorized")
	// ErrExpiredAuthentication: 401 with category EXPIRED_AUTHENTICATION.
	ErrExpiredAuthentication = errors.New("hubspot: expired authentication")
	// ErrMissingScopes: 403 with category MISSING_SCOPES.
	ErrMissingScopes = errors.New("hubspot: missing scopes")
	// ErrRateLimited: 429.
	ErrRateLimited = errors.New("hubspot: rate limited")
	// ErrConflict: 409.
	ErrConflict = errors.New("hubspot: conflict")
	// ErrMigrationInProgress: 477, the portal is moving between data centres (see MigrationError).
	ErrMigrationInProgress = errors.New("hubspot: migration in progress")
	// ErrValidation: 400 with category VALIDATION_ERROR, e.g. a portal's validation rule refusing a create.
	ErrValidation = errors.New("hubspot: validation error")
)

// ErrorResponse is a non-2xx answer of the HubSpot API. Every body field is optional: HubSpot, proxies and
// load balancers do not all send HubSpot's JSON error shape.
type ErrorResponse struct {
	// Response is the HTTP response; its body has been read and closed.
	Response      *http.Response `json:"-"`
	Status        string         `json:"status,omitempty"`
	Message       string         `json:"message,omitempty"`
	CorrelationID string         `json:"correlationId,omitempty"`
	Category      string         `json:"category,omitempty"`
	SubCategory   string         `json:"subCategory,omitempty"`
	// ErrorType is sent instead of Category by 429 answers ("RATE_LIMIT").
	ErrorType string        `json:"errorType,omitempty"`
	Errors    []ErrorDetail `json:"errors,omitempty"`
	Context   ErrorContext  `json:"context,omitempty"`
	// Truncated reports that the body exceeded the client's size limit and was cut.
	Truncated bool `json:"-"`

	policy string // the 429 policyName, kept for Retryable
}

// ErrorDetail is one entry of an error's "errors" list.
type ErrorDetail struct {
	Message     string       `json:"message,omitempty"`
	Code        string       `json:"code,omitempty"`
	SubCategory string       `json:"subCategory,omitempty"`
	In          string       `json:"in,omitempty"`
	Context     ErrorContext `json:"context,omitempty"`
}

// ErrorContext is the "context" object of HubSpot errors, whose values are lists of strings
// (e.g. {"requiredGranularScopes":["crm.objects.contacts.read"]}). A single string becomes a one-item
// list; any other value is kept as its JSON text. It never fails to decode.
type ErrorContext map[string][]string

// UnmarshalJSON decodes leniently; see ErrorContext.
func (c *ErrorContext) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		*c = nil
		return nil
	}
	out := make(ErrorContext, len(raw))
	for k, v := range raw {
		var list []string
		var s string
		switch {
		case json.Unmarshal(v, &list) == nil:
			out[k] = list
		case json.Unmarshal(v, &s) == nil:
			out[k] = []string{s}
		default:
			out[k] = []string{string(v)}
		}
	}
	*c = out
	return nil
}

// StatusCode is the HTTP status of the answer (0 if unknown).
func (e *ErrorResponse) StatusCode() int {
	if e == nil || e.Response == nil {
		return 0
	}
	return e.Response.StatusCode
}

func (e *ErrorResponse) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.StatusCode())
	if c := e.category(); c != "" {
		b.WriteString(" " + c)
	}
	if d := e.Detail(); d != "" {
		b.WriteString(": " + d)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation id " + e.CorrelationID + ")")
	}
	return b.String()
}

// Detail is HubSpot's words: the message, followed by what its errors list adds, each naming its property when
// it names one ("Property values were not valid; jobtitle: a value is required").
func (e *ErrorResponse) Detail() string {
	return describe(e.Message, e.Errors)
}

// describe joins a message with the details that add to it.
func describe(msg string, details []ErrorDetail) string {
	parts := []string{}
	if msg != "" {
		parts = append(parts, msg)
	}
	for _, d := range details {
		s := d.Message
		if props := d.Context["propertyName"]; len(props) > 0 && !strings.Contains(s, props[0]) {
			if s == "" {
				s = props[0]
			} else {
				s = strings.Join(props, ", ") + ": " + s
			}
		}
		if s == "" || strings.Contains(msg, s) || slices.Contains(parts, s) {
			continue
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// PropertyNames lists the properties the error's details name (context.propertyName), e.g. the property a
// portal's validation rule requires.
func (e *ErrorResponse) PropertyNames() []string {
	var out []string
	add := func(ctx ErrorContext) {
		for _, p := range ctx["propertyName"] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	add(e.Context)
	for _, d := range e.Errors {
		add(d.Context)
	}
	return out
}

func (e *ErrorResponse) category() string {
	if e.Category != "" {
		return e.Category
	}
	return e.ErrorType
}

// Is matches the package's sentinel errors (ErrNotFound, ErrMissingScopes, ...).
func (e *ErrorResponse) Is(target error) bool {
	code := e.StatusCode()
	switch target {
	case ErrNotFound:
		return code == http.StatusNotFound || e.Category == CategoryObjectNotFound
	case ErrUnauthorized:
		return code == http.StatusUnauthorized
	case ErrExpiredAuthentication:
		return code == http.StatusUnauthorized && e.Category == CategoryExpiredAuthentication
	case ErrMissingScopes:
		return code == http.StatusForbidden && e.Category == CategoryMissingScopes
	case ErrRateLimited:
		return code == http.StatusTooManyRequests
	case ErrConflict:
		return code == http.StatusConflict
	case ErrMigrationInProgress:
		return code == StatusMigrationInProgress
	case ErrValidation:
		return code == http.StatusBadRequest && e.Category == CategoryValidationError
	}
	return false
}

// Retryable reports whether the same request may succeed later: rate limited (except the daily limit),
// locked, or a server-side failure. For a create that is not idempotent, a 5xx is ambiguous — HubSpot may
// have stored the object — so the caller must check before re-sending (see retry.go).
func (e *ErrorResponse) Retryable() bool {
	code := e.StatusCode()
	switch {
	case code == http.StatusTooManyRequests:
		return !strings.EqualFold(e.policy, PolicyDaily)
	case code == http.StatusLocked, code == http.StatusRequestTimeout, code == StatusMigrationInProgress:
		return true
	case code >= 500:
		return code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported
	}
	return false
}

// RequiredScopes lists the scopes a 403 MISSING_SCOPES answer says are needed (from the errors' context).
func (e *ErrorResponse) RequiredScopes() []string {
	var scopes []string
	seen := map[string]bool{}
	add := func(ctx ErrorContext) {
		for _, k := range []string{"requiredGranularScopes", "requiredScopes", "requiredScope"} {
			for _, s := range ctx[k] {
				if !seen[s] {
					seen[s] = true
					scopes = append(scopes, s)
				}
			}
		}
	}
	add(e.Context)
	for _, d := range e.Errors {
		add(d.Context)
	}
	return scopes
}

// RateLimitError is a 429 answer. RetryAfter is how long to wait before the budget has room again: the
// Retry-After header if sent, else the policy's window (SECONDLY 1 s, TEN_SECONDLY_ROLLING 10 s), else
// X-HubSpot-RateLimit-Interval-Milliseconds, else 10 s.
type RateLimitError struct {
	ErrorResponse
	// PolicyName is TEN_SECONDLY_ROLLING, SECONDLY, DAILY, or "" if not sent.
	PolicyName string
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	s := e.ErrorResponse.Error()
	if e.PolicyName != "" {
		s += " [policy " + e.PolicyName + "]"
	}
	return s
}

// Unwrap exposes the embedded *ErrorResponse to errors.As.
func (e *RateLimitError) Unwrap() error { return &e.ErrorResponse }

// MigrationError is a 477 answer: HubSpot is moving the portal between data centres and refuses calls until
// RetryAt (its Retry-After, at most MaxMigrationWait; DefaultMigrationWait when it names none). The client does
// not wait for it itself: a caller with durable work (the transcript sync) waits until RetryAt.
type MigrationError struct {
	ErrorResponse
	RetryAfter time.Duration
	RetryAt    time.Time
}

func (e *MigrationError) Error() string {
	return e.ErrorResponse.Error() + " [retry after " + e.RetryAfter.String() + "]"
}

// Unwrap exposes the embedded *ErrorResponse to errors.As.
func (e *MigrationError) Unwrap() error { return &e.ErrorResponse }

// ConflictError is a 409 answer. For a contact create it means a contact with that email exists already;
// ExistingID is its ID (parsed from the message), which callers treat as the result of the create.
type ConflictError struct {
	ErrorResponse
	ExistingID string
}

// Unwrap exposes the embedded *ErrorResponse to errors.As.
func (e *ConflictError) Unwrap() error { return &e.ErrorResponse }

// IsRetryable reports whether a failed call may succeed if made again later: rate limits, locks, server
// errors, network failures and transient token-refresh failures. Permanent token failures, 4xx answers and
// cancelled contexts are not retryable.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var re *RefreshError
	if errors.As(err, &re) {
		return !re.Permanent
	}
	var oe *OAuthError
	if errors.As(err, &oe) {
		return !oe.Permanent()
	}
	var er *ErrorResponse
	if errors.As(err, &er) {
		return er.Retryable()
	}
	var te transportError
	return errors.As(err, &te)
}

// existingIDRe finds the ID in "Contact already exists. Existing ID: 12345".
var existingIDRe = regexp.MustCompile(`Existing ID:\s*(\d+)`)

// newAPIError turns a non-2xx answer into *ErrorResponse, *RateLimitError or *ConflictError.
func newAPIError(r *http.Response, body []byte, truncated bool) error {
	e := ErrorResponse{Response: r, Truncated: truncated}
	decodeErrorBody(&e, body)
	policy := rawField(body, "policyName")
	e.policy = policy
	switch r.StatusCode {
	case http.StatusTooManyRequests:
		return &RateLimitError{ErrorResponse: e, PolicyName: policy, RetryAfter: rateLimitWait(r.Header, policy, time.Now())}
	case StatusMigrationInProgress:
		now := time.Now()
		wait := migrationWait(r.Header, now)
		return &MigrationError{ErrorResponse: e, RetryAfter: wait, RetryAt: now.Add(wait)}
	case http.StatusConflict:
		ce := &ConflictError{ErrorResponse: e}
		if m := existingIDRe.FindStringSubmatch(e.Message); m != nil {
			ce.ExistingID = m[1]
		}
		return ce
	}
	return &e
}

// decodeErrorBody fills e from a JSON body, field by field so one odd field does not lose the others.
// A body that is not JSON gives a short text snippet as the message.
func decodeErrorBody(e *ErrorResponse, body []byte) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		if !e.Truncated {
			e.Message = snippet(body)
		}
		if e.Message == "" && e.Response != nil {
			e.Message = http.StatusText(e.Response.StatusCode)
		}
		return
	}
	str := func(k string) string { return lenientString(raw[k]) }
	e.Status = str("status")
	e.Message = str("message")
	e.CorrelationID = str("correlationId")
	e.Category = str("category")
	e.SubCategory = str("subCategory")
	e.ErrorType = str("errorType")
	if v, ok := raw["errors"]; ok {
		var details []ErrorDetail
		if json.Unmarshal(v, &details) == nil {
			e.Errors = details
		}
	}
	if v, ok := raw["context"]; ok {
		_ = e.Context.UnmarshalJSON(v) // never fails
	}
}

// rawField returns a top-level string field of a JSON object body, or "".
func rawField(body []byte, key string) string {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return ""
	}
	return lenientString(raw[key])
}

// lenientString decodes a JSON string; other JSON values give their text, a missing value "".
func lenientString(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// snippet returns up to 200 bytes of a non-JSON body as a one-line message, or "" if it is not text.
func snippet(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) > 200 {
		body = body[:200]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
	}
	if !utf8.Valid(body) {
		return ""
	}
	return strings.Join(strings.Fields(string(body)), " ")
}

// migrationWait is how long a 477 asks to wait: Retry-After in seconds (or an HTTP date), capped at a day.
func migrationWait(h http.Header, now time.Time) time.Duration {
	ra := strings.TrimSpace(h.Get("Retry-After"))
	wait := DefaultMigrationWait
	if secs, err := strconv.ParseInt(ra, 10, 64); err == nil && secs >= 0 {
		wait = time.Duration(min(secs, int64(MaxMigrationWait/time.Second))) * time.Second
	} else if t, err := http.ParseTime(ra); err == nil {
		wait = max(t.Sub(now), 0)
	}
	return min(wait, MaxMigrationWait)
}

// rateLimitWait is how long a 429 says to wait before the rolling window has room again.
func rateLimitWait(h http.Header, policy string, now time.Time) time.Duration {
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	switch strings.ToUpper(policy) {
	case PolicySecondly:
		return time.Second
	case PolicyTenSecondlyRolling:
		return 10 * time.Second
	}
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return 10 * time.Second
}
