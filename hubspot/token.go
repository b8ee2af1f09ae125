package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// TokenStore persists a portal's tokens (the product's implementation encrypts them).
type TokenStore interface {
	// LoadToken returns the stored token, or nil and no error if there is none.
	LoadToken(ctx context.Context, key string) (*Token, error)
	SaveToken(ctx context.Context, key string, t *Token) error
}

// Locker is a lease lock shared by every process that may refresh the same tokens.
type Locker interface {
	// Lock blocks until it holds key (or ctx ends). The lock frees itself after ttl if unlock is not called.
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error)
}

// Refresher exchanges a refresh token for new tokens; *OAuthConfig is one.
type Refresher interface {
	Refresh(ctx context.Context, refreshToken string) (*Token, error)
}

var (
	_ Refresher          = (*OAuthConfig)(nil)
	_ oauth2.TokenSource = (*TokenSource)(nil)
	_ tokenInvalidator   = (*TokenSource)(nil)
	_ tokenInvalidator   = (*Transport)(nil)
	_ http.RoundTripper  = (*Transport)(nil)
	_ Locker             = (*MemoryLocker)(nil)
)

// ErrNoToken means the store holds no token for the key (the portal is not connected).
var ErrNoToken = errors.New("no token stored")

// RefreshError is a failure to get a usable access token. Permanent means HubSpot refused the refresh token
// or client (or there is none): only reconnecting the integration helps.
type RefreshError struct {
	Key       string
	Permanent bool
	Err       error
}

func (e *RefreshError) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("refresh token (%s): %v", kind, e.Err)
}

func (e *RefreshError) Unwrap() error { return e.Err }

// TokenSourceConfig configures a TokenSource.
type TokenSourceConfig struct {
	// Key names the portal's tokens in Store and its refresh lock in Locker (e.g. "portal:1234567").
	Key       string
	Store     TokenStore
	Refresher Refresher
	// Locker serialises refreshes across processes; share one (Redis) between them. Default: a
	// MemoryLocker, which only covers this TokenSource.
	Locker Locker
	// RefreshMargin is how long before expiry a token is refreshed (default 5 min). It must be shorter
	// than the token lifetime (30 min at HubSpot).
	RefreshMargin time.Duration
	// LockTTL bounds the refresh lock's lease and the refresh itself (default 30 s).
	LockTTL time.Duration
	// OnPermanentFailure, if set, is called once per refused refresh token, e.g. to put the integration
	// in ERROR.
	OnPermanentFailure func(ctx context.Context, key string, err error)
}

// TokenSource hands out a portal's access token, refreshing it ahead of expiry. Within the process one
// refresh runs at a time (singleflight); across processes the Locker serialises them, and after taking the
// lock the source reloads the token from the store, since another process may have refreshed it already.
// Every refresh result, refresh token included, is saved. It is safe for concurrent use.
type TokenSource struct {
	cfg TokenSourceConfig
	now func() time.Time
	sf  singleflight.Group

	mu       sync.Mutex
	cached   *Token
	rejected string // access token HubSpot answered 401 EXPIRED_AUTHENTICATION to
	dirty    *Token // refreshed but not saved yet; saved before anything else
	failedRT string // refresh token HubSpot refused permanently
	failed   *RefreshError
}

// NewTokenSource checks cfg and returns a TokenSource.
func NewTokenSource(cfg TokenSourceConfig) (*TokenSource, error) {
	switch {
	case cfg.Key == "":
		return nil, errors.New("hubspot: token source: empty key")
	case cfg.Store == nil:
		return nil, errors.New("hubspot: token source: nil store")
	case cfg.Refresher == nil:
		return nil, errors.New("hubspot: token source: nil refresher")
	}
	if cfg.Locker == nil {
		cfg.Locker = NewMemoryLocker()
	}
	if cfg.RefreshMargin <= 0 {
		cfg.RefreshMargin = 5 * time.Minute
	}
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = 30 * time.Second
	}
	return &TokenSource{cfg: cfg, now: time.Now}, nil
}

// Token implements oauth2.TokenSource (which has no context; prefer TokenContext or NewHTTPClient).
func (s *TokenSource) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.cfg.LockTTL)
	defer cancel()
	t, err := s.TokenContext(ctx)
	if err != nil {
		return nil, err
	}
	return t.OAuth2(), nil
}

// TokenContext returns a token valid for at least RefreshMargin, refreshing it if needed. Errors wrap a
// *RefreshError, or ctx's error. The returned token must not be modified.
func (s *TokenSource) TokenContext(ctx context.Context) (*Token, error) {
	t, err := s.token(ctx)
	if err != nil {
		return nil, fmt.Errorf("hubspot: access token: %w", err)
	}
	return t, nil
}

// token is TokenContext for the Transport, whose failure the failing call reports (with the package prefix).
func (s *TokenSource) token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	t := s.cached
	ok := t != nil && s.fresh(t)
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	// The refresh outlives a caller that gives up: the other waiters still want it.
	ch := s.sf.DoChan(s.cfg.Key, func() (any, error) { return s.refresh(context.WithoutCancel(ctx)) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Token), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// InvalidateToken drops an access token HubSpot rejected as expired ("" = the cached one): the next
// TokenContext reloads from the store and refreshes unless another process already did.
func (s *TokenSource) InvalidateToken(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if accessToken == "" {
		if s.cached == nil {
			return
		}
		accessToken = s.cached.AccessToken
	}
	s.rejected = accessToken
	if s.cached != nil && s.cached.AccessToken == accessToken {
		s.cached = nil
	}
}

// fresh reports whether t can be handed out; s.mu must be held.
func (s *TokenSource) fresh(t *Token) bool {
	return t.AccessToken != "" && t.AccessToken != s.rejected && !t.Expiry.IsZero() &&
		s.now().Add(s.cfg.RefreshMargin).Before(t.Expiry)
}

// refresh runs at most once at a time per TokenSource (singleflight).
func (s *TokenSource) refresh(ctx context.Context) (*Token, error) {
	key := s.cfg.Key
	transient := func(format string, err error) error {
		return &RefreshError{Key: key, Err: fmt.Errorf(format, err)}
	}
	lockCtx, cancel := context.WithTimeout(ctx, s.cfg.LockTTL)
	unlock, err := s.cfg.Locker.Lock(lockCtx, "hubspot:oauth:refresh:"+key, s.cfg.LockTTL)
	cancel()
	if err != nil {
		return nil, transient("lock: %w", err)
	}
	defer unlock()
	// Finish well inside the lease, so no other process refreshes at the same time.
	ctx, cancel = context.WithTimeout(ctx, s.cfg.LockTTL)
	defer cancel()

	stored, err := s.cfg.Store.LoadToken(ctx, key)
	if err != nil {
		return nil, transient("load token: %w", err)
	}
	s.mu.Lock()
	dirty := s.dirty
	s.mu.Unlock()
	if dirty != nil && (stored == nil || dirty.Expiry.After(stored.Expiry)) {
		if err := s.cfg.Store.SaveToken(ctx, key, dirty); err != nil {
			return nil, transient("save token: %w", err)
		}
		stored = dirty
	}
	s.mu.Lock()
	s.dirty = nil
	if stored != nil && s.fresh(stored) {
		s.cached = stored
		s.mu.Unlock()
		return stored, nil
	}
	failedRT, failed := s.failedRT, s.failed
	s.mu.Unlock()

	if stored == nil {
		return nil, &RefreshError{Key: key, Permanent: true, Err: ErrNoToken}
	}
	if stored.RefreshToken != "" && stored.RefreshToken == failedRT {
		return nil, failed // already reported; do not ask HubSpot again
	}
	var fresh *Token
	if stored.RefreshToken == "" {
		err = errors.New("no refresh token stored")
	} else {
		fresh, err = s.cfg.Refresher.Refresh(ctx, stored.RefreshToken)
	}
	if err != nil {
		var oe *OAuthError
		re := &RefreshError{Key: key, Permanent: stored.RefreshToken == "" || errors.As(err, &oe) && oe.Permanent(), Err: err}
		if re.Permanent {
			s.mu.Lock()
			s.failedRT, s.failed = stored.RefreshToken, re
			s.mu.Unlock()
			if s.cfg.OnPermanentFailure != nil {
				s.cfg.OnPermanentFailure(ctx, key, re)
			}
		}
		return nil, re
	}
	t := *fresh
	if t.RefreshToken == "" {
		t.RefreshToken = stored.RefreshToken
	}
	if t.HubID == 0 {
		t.HubID = stored.HubID
	}
	if t.Scopes == nil {
		t.Scopes = stored.Scopes
	}
	if err := s.cfg.Store.SaveToken(ctx, key, &t); err != nil {
		// Keep it: the next call saves it before anything else, so a rotated refresh token is not lost.
		s.mu.Lock()
		s.dirty = &t
		s.mu.Unlock()
		return nil, transient("save token: %w", err)
	}
	s.mu.Lock()
	s.cached, s.rejected = &t, ""
	s.mu.Unlock()
	return &t, nil
}

// Transport adds the TokenSource's bearer token to each request.
type Transport struct {
	Source *TokenSource
	// Base sends the requests (default http.DefaultTransport).
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.Source.token(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	req2 := req.Clone(req.Context())
	req2.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req2)
}

// InvalidateToken passes a rejected access token on to the source (see TokenSource.InvalidateToken); the
// Client calls it on 401 EXPIRED_AUTHENTICATION.
func (t *Transport) InvalidateToken(accessToken string) { t.Source.InvalidateToken(accessToken) }

// NewHTTPClient returns an *http.Client that authenticates with ts, for NewClient. Like oauth2.NewClient,
// it sends through the transport of the *http.Client stored in ctx under oauth2.HTTPClient, if any.
func NewHTTPClient(ctx context.Context, ts *TokenSource) *http.Client {
	var base http.RoundTripper
	if hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && hc != nil {
		base = hc.Transport
	}
	return &http.Client{Transport: &Transport{Source: ts, Base: base}}
}

// MemoryLocker is a Locker for one process.
type MemoryLocker struct {
	mu    sync.Mutex
	locks map[string]*memoryLock
	now   func() time.Time
}

type memoryLock struct {
	released chan struct{}
	expires  time.Time
	once     sync.Once
}

// NewMemoryLocker returns an in-process Locker.
func NewMemoryLocker() *MemoryLocker {
	return &MemoryLocker{locks: map[string]*memoryLock{}, now: time.Now}
}

// Lock implements Locker.
func (l *MemoryLocker) Lock(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	for {
		l.mu.Lock()
		now := l.now()
		held := l.locks[key]
		if held == nil || !now.Before(held.expires) {
			lk := &memoryLock{released: make(chan struct{}), expires: now.Add(ttl)}
			l.locks[key] = lk
			l.mu.Unlock()
			return func() {
				lk.once.Do(func() {
					l.mu.Lock()
					if l.locks[key] == lk {
						delete(l.locks, key)
					}
					l.mu.Unlock()
					close(lk.released)
				})
			}, nil
		}
		wait := held.expires.Sub(now)
		l.mu.Unlock()
		timer := time.NewTimer(wait)
		select {
		case <-held.released:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
		timer.Stop()
	}
}
