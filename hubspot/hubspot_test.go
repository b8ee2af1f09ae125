package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSleep records the waits the client asks for and returns at once.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeSleep) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// setup starts a test server and returns a client pointed at it, the mux to register handlers on, and the
// fake sleep recording retry and limiter waits. Jitter is the identity so backoffs are deterministic.
// mustNewClient is NewClient for options that are valid.
func mustNewClient(tb testing.TB, hc *http.Client, opts ...Option) *Client {
	tb.Helper()
	c, err := NewClient(hc, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *fakeSleep) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := mustNewClient(t, srv.Client(), append([]Option{WithBaseURL(srv.URL + "/")}, opts...)...)
	fs := &fakeSleep{}
	client.sleep = fs.sleep
	client.jitter = func(d time.Duration) time.Duration { return d }
	return client, mux, fs
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// testQuery asserts the exact query parameters of r.
func testQuery(t *testing.T, r *http.Request, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for k, v := range r.URL.Query() {
		got[k] = strings.Join(v, "|")
	}
	if want == nil {
		want = map[string]string{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("query mismatch (-want +got):\n%s", diff)
	}
}

// testJSONBody asserts that r's body is JSON equal to want.
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var got, exp any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expected JSON: %v", err)
	}
	if diff := cmp.Diff(exp, got); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func ptr(s string) *string { return &s }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c := mustNewClient(t, nil)
	if got := c.BaseURL.String(); got != DefaultBaseURL {
		t.Errorf("BaseURL = %q", got)
	}
	if c.UserAgent != DefaultUserAgent || c.burstLimit != 110 || c.burstWindow != 10*time.Second ||
		c.searchLimit != 5 || c.searchWindow != time.Second || c.maxResponseBytes != 8<<20 {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if diff := cmp.Diff(DefaultRetryPolicy(), c.retry); diff != "" {
		t.Error(diff)
	}
	if c.Contacts == nil || c.Notes == nil || c.Owners == nil || c.Account == nil {
		t.Error("services not set")
	}
}

func TestWithBaseURLKeepsPathPrefix(t *testing.T) {
	t.Parallel()
	c := mustNewClient(t, nil, WithBaseURL("http://sim.test/portal/42"))
	req, err := c.NewRequest(http.MethodGet, "crm/owners/2026-03/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.URL.String(), "http://sim.test/portal/42/crm/owners/2026-03/1"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}

func TestInvalidOptionFailsNewClient(t *testing.T) {
	t.Parallel()
	for opt, want := range map[string]struct {
		opt  Option
		want string
	}{
		"relative base URL":   {WithBaseURL("api.hubapi.com"), `hubspot: new client: base URL "api.hubapi.com" is not absolute`},
		"unparsable base URL": {WithBaseURL("http://[::1"), `hubspot: new client: base URL: parse "http://[::1": missing ']' in host`},
		"zero burst limit":    {WithBurstLimit(0, time.Second), "hubspot: new client: burst limit 0 per 1s is not positive"},
		"zero search limit":   {WithSearchLimit(5, 0), "hubspot: new client: search limit 5 per 0s is not positive"},
		"zero max response":   {WithMaxResponseBytes(0), "hubspot: new client: max response bytes 0 is not positive"},
		"zero max request":    {WithMaxRequestBytes(-1), "hubspot: new client: max request bytes -1 is not positive"},
	} {
		t.Run(opt, func(t *testing.T) {
			c, err := NewClient(nil, WithUserAgent("ua/1"), want.opt)
			if err == nil || err.Error() != want.want || c != nil {
				t.Fatalf("NewClient = %v, %v; want the error %q", c, err, want.want)
			}
		})
	}
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	c := mustNewClient(t, nil, WithUserAgent("ua/1"))
	req, err := c.NewRequest(http.MethodPost, "crm/objects/2026-03/notes", map[string]string{"hs_note_body": "<b>a & b</b>"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if got, want := string(body), `{"hs_note_body":"<b>a & b</b>"}`+"\n"; got != want {
		t.Errorf("body = %q, want %q (no HTML escaping)", got, want)
	}
	if req.GetBody == nil {
		t.Error("GetBody not set: request cannot be re-sent")
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "ua/1"} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, err := c.NewRequest(http.MethodGet, "/crm/owners/2026-03", nil); err == nil {
		t.Error("leading slash accepted")
	}
}

func TestNewRequestTooLarge(t *testing.T) {
	t.Parallel()
	c := mustNewClient(t, nil, WithMaxRequestBytes(10))
	_, err := c.NewRequest(http.MethodPost, "x", map[string]string{"k": "0123456789"})
	if !errors.Is(err, ErrRequestTooLarge) {
		t.Fatalf("err = %v, want ErrRequestTooLarge", err)
	}
}

func TestDoResponseHeaders(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/account-info/2026-03/details", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-HubSpot-RateLimit-Max", "110")
		w.Header().Set("X-HubSpot-RateLimit-Remaining", "109")
		w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		writeJSON(w, 200, `{"portalId":1}`)
	})
	_, resp, err := client.Account.Details(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(RateLimit{Max: 110, Remaining: 109, Interval: 10 * time.Second}, resp.RateLimit); diff != "" {
		t.Error(diff)
	}
	if resp.Attempts != 1 {
		t.Errorf("Attempts = %d", resp.Attempts)
	}
}

func TestDoOversizeResponse(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithMaxResponseBytes(64))
	big := `{"id":"1","properties":{"firstname":"` + strings.Repeat("x", 1000) + `"}}`
	mux.HandleFunc("/crm/objects/2026-03/contacts/1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, big)
	})
	mux.HandleFunc("/crm/objects/2026-03/contacts/2", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"status":"error","message":"`+strings.Repeat("y", 1000)+`","category":"VALIDATION_ERROR"}`)
	})

	_, resp, err := client.Contacts.Get(context.Background(), "1", nil)
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err = %v, want ErrResponseTooLarge", err)
	}
	if resp == nil || resp.StatusCode != 200 {
		t.Errorf("resp = %v", resp)
	}

	_, _, err = client.Contacts.Get(context.Background(), "2", nil)
	var er *ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("err = %v, want *ErrorResponse", err)
	}
	if !er.Truncated || er.StatusCode() != 400 {
		t.Errorf("got %+v, want a truncated 400", er)
	}
}

func TestDoDecodeError(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/owners/2026-03/1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":`)
	})
	if _, _, err := client.Owners.Get(context.Background(), "1"); err == nil || !strings.Contains(err.Error(), "decode response") {
		t.Fatalf("err = %v", err)
	}
}

// recordingLimiter admits after returning each queued wait once.
type recordingLimiter struct {
	mu    sync.Mutex
	waits []time.Duration
	calls []string
}

func (l *recordingLimiter) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fmt.Sprintf("%s %d %v", key, limit, window))
	if len(l.waits) > 0 {
		w := l.waits[0]
		l.waits = l.waits[1:]
		return w, nil
	}
	return 0, nil
}

func TestLimiterBudgets(t *testing.T) {
	t.Parallel()
	lim := &recordingLimiter{waits: []time.Duration{300 * time.Millisecond}}
	client, mux, fs := setup(t, WithLimiter(lim, "42"), WithBurstLimit(100, 10*time.Second))
	mux.HandleFunc("/crm/owners/2026-03/1", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"1"}`) })
	mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"total":0,"results":[]}`)
	})
	ctx := context.Background()
	if _, _, err := client.Owners.Get(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.Contacts.Search(ctx, NewSearch().Where("email", OpEQ, "a@b.c").Request()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		// Each window with RollingWindowMargin.
		"hubspot:rl:42:burst 100 10.25s", // first Take says wait 300ms
		"hubspot:rl:42:burst 100 10.25s",
		"hubspot:rl:42:search 5 1.25s",
	}
	if diff := cmp.Diff(want, lim.calls); diff != "" {
		t.Errorf("limiter calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{300 * time.Millisecond}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

type failingLimiter struct{}

func (failingLimiter) Take(context.Context, string, int, time.Duration) (time.Duration, error) {
	return 0, errors.New("redis down")
}

func TestLimiterErrorFailsClosed(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithLimiter(failingLimiter{}, "42"))
	called := false
	mux.HandleFunc("/crm/owners/2026-03/1", func(w http.ResponseWriter, r *http.Request) { called = true })
	_, _, err := client.Owners.Get(context.Background(), "1")
	if err == nil || !strings.Contains(err.Error(), "redis down") || called {
		t.Fatalf("err = %v, called = %v", err, called)
	}
}

func TestLimiterWaitRespectsContext(t *testing.T) {
	t.Parallel()
	lim := &recordingLimiter{waits: []time.Duration{time.Hour}}
	client := mustNewClient(t, nil, WithLimiter(lim, "1"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := client.Owners.Get(ctx, "1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
