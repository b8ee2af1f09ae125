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

// refresh runs at most once at a time per TokenSource (singleflight), so it alone writes dirty, failedRT and
// failed. Under the cross-process lock it reads the newest token (another process may have refreshed it) and
// asks HubSpot for a new one only when that token is not fresh. Each step holds s.mu only while it reads or
// writes the source's fields, never across the store's or HubSpot's I/O.
func (s *TokenSource) refresh(ctx context.Context) (*Token, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Finish well inside the lease, so no other process refreshes at the same time.
	ctx, cancel := context.WithTimeout(ctx, s.cfg.LockTTL)
	defer cancel()

	stored, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	if s.useIfFresh(stored) {
		return stored, nil
	}
	if err := s.knownFailure(stored); err != nil {
		return nil, err
	}
	t, err := s.exchange(ctx, stored)
	if err != nil {
		return nil, err
	}
	if err := s.save(ctx, t); err != nil {
		return nil, err
	}
	s.publish(t)
	return t, nil
}

// lock takes the portal's refresh lock, waiting at most LockTTL for it.
func (s *TokenSource) lock(ctx context.Context) (unlock func(), err error) {
	lockCtx, cancel := context.WithTimeout(ctx, s.cfg.LockTTL)
	defer cancel()
	unlock, err = s.cfg.Locker.Lock(lockCtx, "hubspot:oauth:refresh:"+s.cfg.Key, s.cfg.LockTTL)
	if err != nil {
		return nil, s.transient("lock: %w", err)
	}
	return unlock, nil
}

// current returns the newest token: the stored one, or the one this source refreshed but could not save
// (saved now, before anything else, so a rotated refresh token is not lost). nil means none is stored.
func (s *TokenSource) current(ctx context.Context) (*Token, error) {
	stored, err := s.cfg.Store.LoadToken(ctx, s.cfg.Key)
	if err != nil {
		return nil, s.transient("load token: %w", err)
	}
	s.mu.Lock()
	dirty := s.dirty
	s.mu.Unlock()
	if dirty != nil && (stored == nil || dirty.Expiry.After(stored.Expiry)) {
		if err := s.cfg.Store.SaveToken(ctx, s.cfg.Key, dirty); err != nil {
			return nil, s.transient("save token: %w", err) // dirty stays for the next attempt
		}
		stored = dirty
	}
	s.mu.Lock()
	s.dirty = nil // saved, or older than what the store holds
	s.mu.Unlock()
	return stored, nil
}

// useIfFresh caches t and reports true if it can be handed out as it is.
func (s *TokenSource) useIfFresh(t *Token) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t == nil || !s.fresh(t) {
		return false
	}
	s.cached = t
	return true
}

// knownFailure is the error of refreshing t that needs no call to HubSpot: no token stored, or a refresh
// token HubSpot refused already (reported once; HubSpot is not asked again).
func (s *TokenSource) knownFailure(t *Token) error {
	if t == nil {
		return &RefreshError{Key: s.cfg.Key, Permanent: true, Err: ErrNoToken}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.RefreshToken != "" && t.RefreshToken == s.failedRT {
		return s.failed
	}
	return nil
}

// exchange asks HubSpot for a new token with stored's refresh token (s.mu is not held). The answer keeps
// what HubSpot did not send again: the refresh token, the portal and the scopes.
func (s *TokenSource) exchange(ctx context.Context, stored *Token) (*Token, error) {
	if stored.RefreshToken == "" {
		return nil, s.refused(ctx, stored.RefreshToken, &RefreshError{Key: s.cfg.Key, Permanent: true, Err: errors.New("no refresh token stored")})
	}
	fresh, err := s.cfg.Refresher.Refresh(ctx, stored.RefreshToken)
	if err != nil {
		var oe *OAuthError
		re := &RefreshError{Key: s.cfg.Key, Permanent: errors.As(err, &oe) && oe.Permanent(), Err: err}
		if !re.Permanent {
			return nil, re
		}
		return nil, s.refused(ctx, stored.RefreshToken, re)
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
	return &t, nil
}

// refused remembers that refreshToken cannot be used again and tells OnPermanentFailure, once per token.
func (s *TokenSource) refused(ctx context.Context, refreshToken string, re *RefreshError) *RefreshError {
	s.mu.Lock()
	s.failedRT, s.failed = refreshToken, re
	s.mu.Unlock()
	if s.cfg.OnPermanentFailure != nil {
		s.cfg.OnPermanentFailure(ctx, s.cfg.Key, re)
	}
	return re
}

// save stores t. If that fails t is kept as dirty: the next refresh saves it before anything else, so a
// rotated refresh token is not lost.
func (s *TokenSource) save(ctx context.Context, t *Token) error {
	if err := s.cfg.Store.SaveToken(ctx, s.cfg.Key, t); err != nil {
		s.mu.Lock()
		s.dirty = t
		s.mu.Unlock()
		return s.transient("save token: %w", err)
	}
	return nil
}

// publish hands t out from now on, in place of any token HubSpot rejected.
func (s *TokenSource) publish(t *Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cached, s.rejected = t, ""
}

// transient is a refresh failure that a later attempt may not have.
func (s *TokenSource) transient(format string, err error) *RefreshError {
	return &RefreshError{Key: s.cfg.Key, Err: fmt.Errorf(format, err)}
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
