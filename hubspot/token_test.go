package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/convrs/gateway/internal/testkit"
)

// tokenServer is a fake token endpoint that counts refreshes and hands out at-N / rt-N.
type tokenServer struct {
	cfg      *OAuthConfig
	count    atomic.Int32
	mu       sync.Mutex
	seenRTs  []string
	status   int    // 0 = 200
	body     string // for non-200
	gate     chan struct{}
	lifetime int // expires_in, default 1800
}

func newTokenServer(t *testing.T) *tokenServer {
	t.Helper()
	ts := &tokenServer{lifetime: 1800}
	mux := http.NewServeMux()
	mux.HandleFunc(OAuthPathToken, func(w http.ResponseWriter, r *http.Request) {
		if ts.gate != nil {
			<-ts.gate
		}
		n := ts.count.Add(1)
		r.ParseForm()
		ts.mu.Lock()
		ts.seenRTs = append(ts.seenRTs, r.PostForm.Get("refresh_token"))
		ts.mu.Unlock()
		if ts.status != 0 {
			writeJSON(w, ts.status, ts.body)
			return
		}
		writeJSON(w, 200, fmt.Sprintf(`{"token_type":"bearer","access_token":"at-%d","refresh_token":"rt-%d","expires_in":%d,"hub_id":42,"scopes":["oauth"]}`,
			n+1, n+1, ts.lifetime))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ts.cfg = &OAuthConfig{ClientID: "cid", ClientSecret: "cs", APIURL: srv.URL, HTTPClient: srv.Client()}
	return ts
}

func newTS(t *testing.T, cfg TokenSourceConfig) *TokenSource {
	t.Helper()
	s, err := NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func seed(t *testing.T, store TokenStore, expiresIn time.Duration) {
	t.Helper()
	err := store.SaveToken(context.Background(), "portal:42", &Token{AccessToken: "at-1", RefreshToken: "rt-1", Expiry: time.Now().Add(expiresIn), HubID: 42, Scopes: []string{"oauth"}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTokenSourceOneRefreshForConcurrentCallers(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	srv.gate = make(chan struct{})
	store, locker := newMemoryTokenStore(), NewMemoryLocker()
	seed(t, store, time.Minute) // inside the 5 min margin
	a := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg, Locker: locker})

	var wg sync.WaitGroup
	got := make([]string, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := a.TokenContext(context.Background())
			errs[i] = err
			if tok != nil {
				got[i] = tok.AccessToken
			}
		}()
	}
	close(srv.gate)
	wg.Wait()
	for i := range 20 {
		if errs[i] != nil || got[i] != "at-2" {
			t.Fatalf("caller %d: %q, %v", i, got[i], errs[i])
		}
	}
	if n := srv.count.Load(); n != 1 {
		t.Fatalf("token endpoint hit %d times, want 1", n)
	}
	saved, _ := store.LoadToken(context.Background(), "portal:42")
	if saved.AccessToken != "at-2" || saved.RefreshToken != "rt-2" || saved.HubID != 42 {
		t.Errorf("saved %v refresh %q", saved, saved.RefreshToken)
	}
	if diff := cmp.Diff([]string{"rt-1"}, srv.seenRTs); diff != "" {
		t.Error(diff)
	}

	// A second process sharing the store and locker finds the fresh token: no refresh.
	b := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg, Locker: locker})
	tok, err := b.TokenContext(context.Background())
	if err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("second source: %v, %v", tok, err)
	}
	if n := srv.count.Load(); n != 1 {
		t.Errorf("token endpoint hit %d times after the second source, want 1", n)
	}
}

func TestTokenSourceTwoProcessesRefreshOnce(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	store, locker := newMemoryTokenStore(), NewMemoryLocker()
	seed(t, store, -time.Minute) // already expired
	sources := []*TokenSource{
		newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg, Locker: locker}),
		newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg, Locker: locker}),
	}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := sources[i%2].TokenContext(context.Background()); err != nil || tok.AccessToken != "at-2" {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 || srv.count.Load() != 1 {
		t.Fatalf("failures = %d, refreshes = %d, want 0 and 1", failures.Load(), srv.count.Load())
	}
}

func TestTokenSourceFreshTokenNoRefresh(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	store := newMemoryTokenStore()
	seed(t, store, time.Hour)
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg})
	for range 3 {
		if tok, err := s.TokenContext(context.Background()); err != nil || tok.AccessToken != "at-1" {
			t.Fatalf("%v %v", tok, err)
		}
	}
	if srv.count.Load() != 0 {
		t.Error("refreshed a fresh token")
	}
	// Past the margin, the cached token is refreshed.
	s.now = func() time.Time { return time.Now().Add(56 * time.Minute) }
	if tok, err := s.TokenContext(context.Background()); err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("%v %v", tok, err)
	}
}

func TestTokenSourcePermanentFailure(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	srv.status = 400
	srv.body = `{"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token","error":"invalid_grant","error_description":"missing or unknown refresh token"}`
	store := newMemoryTokenStore()
	seed(t, store, 0)
	var hookCalls atomic.Int32
	var hookKey string
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg,
		OnPermanentFailure: func(ctx context.Context, key string, err error) {
			hookCalls.Add(1)
			hookKey = key
		}})
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.TokenContext(context.Background())
		}()
	}
	wg.Wait()
	_, err := s.TokenContext(context.Background())
	var re *RefreshError
	if !errors.As(err, &re) || !re.Permanent {
		t.Fatalf("err = %v, want permanent *RefreshError", err)
	}
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Status != "BAD_REFRESH_TOKEN" {
		t.Errorf("cause = %v", err)
	}
	if hookCalls.Load() != 1 || hookKey != "portal:42" {
		t.Errorf("hook called %d times with %q, want once", hookCalls.Load(), hookKey)
	}
	if srv.count.Load() != 1 {
		t.Errorf("token endpoint hit %d times, want 1 (a refused refresh token is not retried)", srv.count.Load())
	}
	if IsRetryable(err) {
		t.Error("permanent failure reported retryable")
	}

	// After a reconnect stores a new refresh token, refreshing works again.
	srv.status = 0
	store.SaveToken(context.Background(), "portal:42", &Token{AccessToken: "x", RefreshToken: "rt-new"})
	if tok, err := s.TokenContext(context.Background()); err != nil || tok.AccessToken != "at-3" {
		t.Fatalf("after reconnect: %v %v", tok, err)
	}
	if diff := cmp.Diff([]string{"rt-1", "rt-new"}, srv.seenRTs); diff != "" {
		t.Errorf("refresh tokens sent (-want +got):\n%s", diff)
	}
}

func TestTokenSourceTransientFailure(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	srv.status, srv.body = 503, "unavailable"
	store := newMemoryTokenStore()
	seed(t, store, 0)
	hook := false
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg,
		OnPermanentFailure: func(context.Context, string, error) { hook = true }})
	for range 2 {
		_, err := s.TokenContext(context.Background())
		var re *RefreshError
		if !errors.As(err, &re) || re.Permanent || !IsRetryable(err) {
			t.Fatalf("err = %v, want transient *RefreshError", err)
		}
	}
	if hook || srv.count.Load() != 2 {
		t.Errorf("hook = %v, refreshes = %d", hook, srv.count.Load())
	}
}

func TestTokenSourceNoToken(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: newMemoryTokenStore(), Refresher: srv.cfg,
		OnPermanentFailure: func(context.Context, string, error) { t.Error("hook called without a refused token") }})
	_, err := s.TokenContext(context.Background())
	var re *RefreshError
	if !errors.Is(err, ErrNoToken) || !errors.As(err, &re) || !re.Permanent {
		t.Fatalf("err = %v", err)
	}
}

// A stored token without a refresh token cannot be refreshed: that is permanent, reported to the hook, and
// HubSpot is not asked.
func TestTokenSourceNoRefreshTokenStored(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	store := newMemoryTokenStore()
	if err := store.SaveToken(context.Background(), "portal:42", &Token{AccessToken: "at-1", Expiry: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var hook []error
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg,
		OnPermanentFailure: func(_ context.Context, _ string, err error) { hook = append(hook, err) }})
	_, err := s.TokenContext(context.Background())
	var re *RefreshError
	if !errors.As(err, &re) || !re.Permanent || err.Error() != "hubspot: access token: refresh token (permanent): no refresh token stored" {
		t.Fatalf("err = %v, want the permanent failure", err)
	}
	if len(hook) != 1 || srv.count.Load() != 0 {
		t.Errorf("hook called %d times, HubSpot asked %d times; want 1 and 0", len(hook), srv.count.Load())
	}
}

// refresherFunc is a Refresher answering as fn does.
type refresherFunc func(ctx context.Context, refreshToken string) (*Token, error)

func (f refresherFunc) Refresh(ctx context.Context, rt string) (*Token, error) { return f(ctx, rt) }

// HubSpot may answer a refresh with the access token alone: the stored refresh token, portal and scopes stay.
func TestTokenSourceKeepsWhatTheAnswerLeavesOut(t *testing.T) {
	t.Parallel()
	store := newMemoryTokenStore()
	seed(t, store, 0)
	expiry := time.Now().Add(30 * time.Minute)
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: refresherFunc(func(_ context.Context, rt string) (*Token, error) {
		return &Token{AccessToken: "at-2", TokenType: "bearer", Expiry: expiry}, nil
	})})
	tok, err := s.TokenContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := store.LoadToken(context.Background(), "portal:42")
	want := &Token{AccessToken: "at-2", RefreshToken: "rt-1", TokenType: "bearer", Expiry: expiry, HubID: 42, Scopes: []string{"oauth"}}
	for name, got := range map[string]*Token{"handed out": tok, "saved": saved} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s token (-want +got):\n%s", name, diff)
		}
	}
}

// failingStore cannot be read.
type failingStore struct{ memoryTokenStore }

func (*failingStore) LoadToken(context.Context, string) (*Token, error) {
	return nil, errors.New("db down")
}

func TestTokenSourceLoadFailureIsTransient(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: &failingStore{}, Refresher: srv.cfg})
	_, err := s.TokenContext(context.Background())
	var re *RefreshError
	if !errors.As(err, &re) || re.Permanent || err.Error() != "hubspot: access token: refresh token (transient): load token: db down" {
		t.Fatalf("err = %v, want a transient load failure", err)
	}
	if srv.count.Load() != 0 {
		t.Errorf("HubSpot asked %d times", srv.count.Load())
	}
}

// flakyStore fails the first n saves.
type flakyStore struct {
	*memoryTokenStore
	failures atomic.Int32
}

func (f *flakyStore) SaveToken(ctx context.Context, key string, t *Token) error {
	if f.failures.Add(-1) >= 0 {
		return errors.New("db down")
	}
	return f.memoryTokenStore.SaveToken(ctx, key, t)
}

func TestTokenSourceSaveFailureKeepsNewToken(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	store := &flakyStore{memoryTokenStore: newMemoryTokenStore()}
	seed(t, store.memoryTokenStore, 0)
	store.failures.Store(2) // the refreshed token, then the first attempt to save it again
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg})
	for i := range 2 {
		var re *RefreshError
		if _, err := s.TokenContext(context.Background()); !errors.As(err, &re) || re.Permanent {
			t.Fatalf("call %d: err = %v, want a transient save error", i, err)
		}
	}
	tok, err := s.TokenContext(context.Background())
	if err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("%v %v", tok, err)
	}
	if srv.count.Load() != 1 {
		t.Errorf("refreshed %d times, want 1: the unsaved token should be saved, not replaced", srv.count.Load())
	}
	saved, _ := store.LoadToken(context.Background(), "portal:42")
	if saved.RefreshToken != "rt-2" {
		t.Errorf("saved refresh token %q", saved.RefreshToken)
	}
}

func TestTokenSourceCallerContext(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	srv.gate = make(chan struct{})
	store := newMemoryTokenStore()
	seed(t, store, 0)
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.TokenContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// The abandoned refresh still completes for the others.
	close(srv.gate)
	if tok, err := s.TokenContext(context.Background()); err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("%v %v", tok, err)
	}
}

func TestNewHTTPClientAndExpiredRetry(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	store := newMemoryTokenStore()
	seed(t, store, time.Hour)
	s := newTS(t, TokenSourceConfig{Key: "portal:42", Store: store, Refresher: srv.cfg})

	var auths []string
	var mu sync.Mutex
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Header.Get("Authorization") == "Bearer at-1" {
			// HubSpot disagrees with our clock: the token we think valid is expired.
			writeJSON(w, 401, expired)
			return
		}
		writeJSON(w, 200, `{"portalId":42}`)
	}))
	t.Cleanup(api.Close)

	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, api.Client())
	client := mustNewClient(t, NewHTTPClient(ctx, s), WithBaseURL(api.URL))
	client.sleep = (&fakeSleep{}).sleep
	d, resp, err := client.Account.Details(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.PortalID != 42 || resp.Attempts != 2 {
		t.Errorf("portal %d attempts %d", d.PortalID, resp.Attempts)
	}
	if diff := cmp.Diff([]string{"Bearer at-1", "Bearer at-2"}, auths); diff != "" {
		t.Errorf("Authorization headers (-want +got):\n%s", diff)
	}
	if srv.count.Load() != 1 {
		t.Errorf("refreshes = %d", srv.count.Load())
	}

	// oauth2.TokenSource compatibility.
	ot, err := s.Token()
	if err != nil || ot.AccessToken != "at-2" || ot.Type() != "Bearer" {
		t.Fatalf("%v %v", ot, err)
	}
}

func TestTransportTokenError(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t)
	s := newTS(t, TokenSourceConfig{Key: "none", Store: newMemoryTokenStore(), Refresher: srv.cfg})
	client := mustNewClient(t, NewHTTPClient(context.Background(), s), WithBaseURL("http://127.0.0.1:1"))
	client.sleep = (&fakeSleep{}).sleep
	_, resp, err := client.Account.Details(context.Background())
	var re *RefreshError
	if !errors.As(err, &re) || !errors.Is(err, ErrNoToken) || resp != nil {
		t.Fatalf("err = %v", err)
	}
}

func TestNewTokenSourceValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []TokenSourceConfig{
		{Store: newMemoryTokenStore(), Refresher: &OAuthConfig{}},
		{Key: "k", Refresher: &OAuthConfig{}},
		{Key: "k", Store: newMemoryTokenStore()},
	} {
		if _, err := NewTokenSource(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestMemoryLocker(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Unix(0, 0))
	l := NewMemoryLocker()
	l.now = clock.Now
	ctx := context.Background()
	unlock, err := l.Lock(ctx, "k", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Held: a waiter gives up when its context ends.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Lock(cancelled, "k", time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Lock: err = %v", err)
	}
	// Other keys are independent.
	if u, err := l.Lock(ctx, "other", time.Minute); err != nil {
		t.Fatal(err)
	} else {
		u()
	}
	// A waiter gets the lock when it is released.
	got := make(chan func())
	go func() {
		u, _ := l.Lock(ctx, "k", time.Minute)
		got <- u
	}()
	unlock()
	unlock() // idempotent
	u2 := <-got

	// A lease that outlives its TTL is taken over; the stale unlock does not free the new holder.
	clock.Advance(2 * time.Minute)
	u3, err := l.Lock(ctx, "k", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u2()
	if _, err := l.Lock(cancelled, "k", time.Minute); err == nil {
		t.Fatal("stale unlock freed the new holder")
	}
	u3()
}

var _ TokenStore = (*memoryTokenStore)(nil)

// memoryTokenStore is a TokenStore in memory, the tests' stand-in for the product's encrypted store.
type memoryTokenStore struct {
	mu     sync.Mutex
	tokens map[string]Token
}

// newMemoryTokenStore returns an empty store.
func newMemoryTokenStore() *memoryTokenStore {
	return &memoryTokenStore{tokens: map[string]Token{}}
}

// LoadToken implements TokenStore; it returns a copy.
func (m *memoryTokenStore) LoadToken(ctx context.Context, key string) (*Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[key]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

// SaveToken implements TokenStore; it stores a copy.
func (m *memoryTokenStore) SaveToken(ctx context.Context, key string, t *Token) error {
	if t == nil {
		return errors.New("hubspot: save token: nil token")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[key] = *t
	return nil
}
