package hubspot

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sequence answers the i-th request with the i-th handler (the last one repeats) and counts requests.
type sequence struct {
	mu       sync.Mutex
	handlers []http.HandlerFunc
	n        int
	bodies   []string
}

func (s *sequence) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	h := s.handlers[min(s.n, len(s.handlers)-1)]
	s.n++
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	h(w, r)
}

func (s *sequence) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func reply(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeJSON(w, status, body)
	}
}

const (
	tenSecondly = `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"TEN_SECONDLY_ROLLING"}`
	secondly    = `{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"SECONDLY"}`
	expired     = `{"status":"error","message":"The OAuth token used to make this call expired 0 second(s) ago.","category":"EXPIRED_AUTHENTICATION"}`
	validation  = `{"status":"error","message":"Property values were not valid","correlationId":"c","category":"VALIDATION_ERROR","errors":[{"message":"bad email","code":"INVALID_EMAIL"}]}`
)

func TestRetry429TenSecondly(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	seq := &sequence{handlers: []http.HandlerFunc{
		reply(429, tenSecondly, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000", "X-HubSpot-RateLimit-Remaining", "0"),
		reply(200, ownerJSON),
	}}
	mux.Handle("/crm/owners/2026-03/41629779", seq)
	_, resp, err := client.Owners.Get(context.Background(), "41629779")
	if err != nil {
		t.Fatal(err)
	}
	if seq.Count() != 2 || resp.Attempts != 2 {
		t.Errorf("requests = %d, attempts = %d", seq.Count(), resp.Attempts)
	}
	if diff := cmp.Diff([]time.Duration{10 * time.Second}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetry429SecondlyOnSearchAndNoteCreate(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	searches := &sequence{handlers: []http.HandlerFunc{reply(429, secondly), reply(200, `{"total":0,"results":[]}`)}}
	creates := &sequence{handlers: []http.HandlerFunc{reply(429, tenSecondly, "Retry-After", "2"), reply(201, noteJSON)}}
	mux.Handle("/crm/objects/2026-03/contacts/search", searches)
	mux.Handle("/crm/objects/2026-03/notes", creates)
	ctx := context.Background()
	if _, _, err := client.Contacts.Search(ctx, NewSearch().Where("email", OpEQ, "a@b.c").Request()); err != nil {
		t.Fatal(err)
	}
	// A 429 was not processed by HubSpot, so even a note create is re-sent — with the same body.
	if _, _, err := client.Notes.Create(ctx, NoteInput{Body: "x", Timestamp: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if creates.bodies[0] != creates.bodies[1] || creates.bodies[0] == "" {
		t.Errorf("re-sent body differs: %q vs %q", creates.bodies[0], creates.bodies[1])
	}
}

func TestRetry429Exhausted(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t, WithRetry(RetryPolicy{MaxAttempts: 3, MaxRateLimitWait: 5 * time.Second}))
	seq := &sequence{handlers: []http.HandlerFunc{reply(429, tenSecondly)}}
	mux.Handle("/crm/owners/2026-03/1", seq)
	_, resp, err := client.Owners.Get(context.Background(), "1")
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.PolicyName != PolicyTenSecondlyRolling {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	if seq.Count() != 3 || resp.Attempts != 3 {
		t.Errorf("requests = %d", seq.Count())
	}
	// MaxRateLimitWait caps the 10 s policy window.
	if diff := cmp.Diff([]time.Duration{5 * time.Second, 5 * time.Second}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetry5xxThenOK(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t, WithRetry(RetryPolicy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: 250 * time.Millisecond}))
	seq := &sequence{handlers: []http.HandlerFunc{
		reply(500, `{"status":"error","message":"internal error","category":"INTERNAL_ERROR"}`),
		reply(524, "timeout"),
		reply(503, ""),
		reply(200, contactJSON),
	}}
	mux.Handle("/crm/objects/2026-03/contacts/501", seq)
	if _, _, err := client.Contacts.Get(context.Background(), "501", nil); err != nil {
		t.Fatal(err)
	}
	// Jitter is the identity in tests: 100ms, 200ms, then capped at 250ms.
	if diff := cmp.Diff([]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetry400NotRetried(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	seq := &sequence{handlers: []http.HandlerFunc{reply(400, validation)}}
	mux.Handle("/crm/objects/2026-03/contacts/501", seq)
	_, _, err := client.Contacts.Update(context.Background(), "501", map[string]string{"email": "bad"})
	var er *ErrorResponse
	if !errors.As(err, &er) || er.Category != CategoryValidationError || er.Errors[0].Code != "INVALID_EMAIL" {
		t.Fatalf("err = %v", err)
	}
	if seq.Count() != 1 || len(fs.Waits()) != 0 || IsRetryable(err) {
		t.Errorf("requests = %d, waits = %v", seq.Count(), fs.Waits())
	}
}

func TestRetry423(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	seq := &sequence{handlers: []http.HandlerFunc{reply(423, `{"status":"error","message":"locked"}`), reply(201, noteJSON)}}
	mux.Handle("/crm/objects/2026-03/notes", seq)
	if _, _, err := client.Notes.Create(context.Background(), NoteInput{Body: "x", Timestamp: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// invalidatingTransport records the tokens the client tells it HubSpot rejected.
type invalidatingTransport struct {
	mu          sync.Mutex
	invalidated []string
}

func (t *invalidatingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer tok-1")
	return http.DefaultTransport.RoundTrip(r)
}

func (t *invalidatingTransport) InvalidateToken(accessToken string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.invalidated = append(t.invalidated, accessToken)
}

func TestRetry401ExpiredOnceAtMost(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	tr := &invalidatingTransport{}
	client.client = &http.Client{Transport: tr}
	seq := &sequence{handlers: []http.HandlerFunc{reply(401, expired)}}
	mux.Handle("/crm/owners/2026-03/1", seq)
	_, _, err := client.Owners.Get(context.Background(), "1")
	if !errors.Is(err, ErrExpiredAuthentication) {
		t.Fatalf("err = %v", err)
	}
	if seq.Count() != 2 {
		t.Errorf("requests = %d, want 2 (one retry at most)", seq.Count())
	}
	if diff := cmp.Diff([]string{"tok-1"}, tr.invalidated); diff != "" {
		t.Errorf("invalidated (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{0}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetry401Invalid(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seq := &sequence{handlers: []http.HandlerFunc{reply(401, `{"status":"error","message":"bad token","category":"INVALID_AUTHENTICATION"}`)}}
	mux.Handle("/crm/owners/2026-03/1", seq)
	if _, _, err := client.Owners.Get(context.Background(), "1"); !errors.Is(err, ErrUnauthorized) || seq.Count() != 1 {
		t.Fatalf("err = %v, requests = %d", err, seq.Count())
	}
}

func TestRetryContactCreateIsIdempotentWithEmail(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	// The first attempt created the contact but the answer was lost in a 502; the retry finds it.
	seq := &sequence{handlers: []http.HandlerFunc{
		reply(502, "bad gateway"),
		reply(409, `{"status":"error","message":"Contact already exists. Existing ID: 501","category":"CONFLICT"}`),
	}}
	mux.Handle("/crm/objects/2026-03/contacts", seq)
	_, _, err := client.Contacts.Create(context.Background(), map[string]string{"email": "bh@hubspot.com"})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.ExistingID != "501" {
		t.Fatalf("err = %v, want ConflictError 501", err)
	}
	if seq.Count() != 2 || len(fs.Waits()) != 1 {
		t.Errorf("requests = %d", seq.Count())
	}

	// Without an email nothing makes the create idempotent: no retry.
	client2, mux2, _ := setup(t)
	seq2 := &sequence{handlers: []http.HandlerFunc{reply(502, "bad gateway"), reply(201, contactJSON)}}
	mux2.Handle("/crm/objects/2026-03/contacts", seq2)
	if _, _, err := client2.Contacts.Create(context.Background(), map[string]string{"firstname": "x"}); err == nil || seq2.Count() != 1 {
		t.Errorf("err = %v, requests = %d", err, seq2.Count())
	}
}

func TestRetryConnectionErrors(t *testing.T) {
	t.Parallel()
	// A server that reads the request and then drops the connection: HubSpot may have acted on it.
	var dropped atomic.Int32
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dropped.Add(1)
		io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(drop.Close)
	newClient := func(base string) (*Client, *fakeSleep) {
		c := mustNewClient(t, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, WithBaseURL(base), WithRetry(RetryPolicy{MaxAttempts: 3}))
		fs := &fakeSleep{}
		c.sleep, c.jitter = fs.sleep, func(d time.Duration) time.Duration { return d }
		return c, fs
	}
	ctx := context.Background()

	c, _ := newClient(drop.URL)
	if _, _, err := c.Notes.Create(ctx, NoteInput{Body: "x", Timestamp: time.Now()}); err == nil || !IsRetryable(err) {
		t.Fatalf("note create: err = %v, want a retryable error", err)
	}
	if got := dropped.Swap(0); got != 1 {
		t.Errorf("note create sent %d times after a dropped connection, want 1", got)
	}
	if _, _, err := c.Owners.Get(ctx, "1"); err == nil {
		t.Fatal("want error")
	}
	if got := dropped.Swap(0); got != 3 {
		t.Errorf("GET sent %d times, want 3", got)
	}

	// Nothing listens: no connection, nothing sent, so even a note create is retried.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, fs := newClient("http://" + addr + "/")
	if _, _, err := c.Notes.Create(ctx, NoteInput{Body: "x", Timestamp: time.Now()}); err == nil {
		t.Fatal("want error")
	}
	if len(fs.Waits()) != 2 {
		t.Errorf("waits = %v, want 2 retries of an unsent create", fs.Waits())
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	client.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	seq := &sequence{handlers: []http.HandlerFunc{reply(500, "")}}
	mux.Handle("/crm/owners/2026-03/1", seq)
	_, _, err := client.Owners.Get(ctx, "1")
	if !errors.Is(err, context.Canceled) || seq.Count() != 1 {
		t.Fatalf("err = %v, requests = %d", err, seq.Count())
	}
}

func TestRetryDecide(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 4}.withDefaults()
	id := func(d time.Duration) time.Duration { return d }
	tests := []struct {
		name       string
		attempt    int
		idempotent bool
		expired    int
		err        error
		want       retryDecision
	}{
		{"429 non-idempotent", 1, false, 0, apiErr(429, nil, tenSecondly), retryDecision{retry: true, wait: 10 * time.Second}},
		{"429 last attempt", 4, true, 0, apiErr(429, nil, tenSecondly), retryDecision{}},
		{"423", 1, false, 0, apiErr(423, nil, ""), retryDecision{retry: true, wait: 2 * time.Second}},
		{"500 idempotent", 2, true, 0, apiErr(500, nil, ""), retryDecision{retry: true, wait: time.Second}},
		{"500 create", 1, false, 0, apiErr(500, nil, ""), retryDecision{}},
		{"501", 1, true, 0, apiErr(501, nil, ""), retryDecision{}},
		{"520", 1, true, 0, apiErr(520, nil, ""), retryDecision{retry: true, wait: 500 * time.Millisecond}},
		{"401 expired first", 1, false, 0, apiErr(401, nil, expired), retryDecision{retry: true, invalidateToken: true}},
		{"401 expired again", 2, false, 1, apiErr(401, nil, expired), retryDecision{}},
		{"400", 1, true, 0, apiErr(400, nil, validation), retryDecision{}},
		{"404", 1, true, 0, apiErr(404, nil, ""), retryDecision{}},
		{"409", 1, true, 0, apiErr(409, nil, ""), retryDecision{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := tt.expired
			got := p.decide(tt.attempt, tt.idempotent, &exp, tt.err, id)
			if got != tt.want {
				t.Errorf("decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBackoffFullJitterBounds(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{BaseBackoff: time.Second, MaxBackoff: 8 * time.Second}.withDefaults()
	for attempt, max := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 30: 8 * time.Second} {
		for range 50 {
			if d := p.backoff(attempt, fullJitter); d < 0 || d > max {
				t.Fatalf("attempt %d: backoff %v outside [0, %v]", attempt, d, max)
			}
		}
	}
}
