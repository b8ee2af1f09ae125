// Package integration runs a workspace's HubSpot integration: the OAuth connect flow and its callback, Enable,
// Disable and the Options, the encrypted token store behind HubSpot's token refresh, and the notifications that
// keep every admin card up to date.
package integration

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/secret"
)

// Paths of the connect flow's start link, of the OAuth callback and of the portal-change confirmation form.
const (
	StartPath    = "/oauth/hubspot/start"
	CallbackPath = "/oauth/hubspot/callback"
	ConfirmPath  = "/oauth/hubspot/confirm"
)

// RequiredScopes must all be granted: Convrs cannot work with a partial grant.
var RequiredScopes = []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.owners.read"}

// StateTTL is how long a connect link stays usable.
const StateTTL = 10 * time.Minute

// Store is the storage the integration needs: the workspace's integration row with its sealed tokens, and
// the staff who connect it. *store.DB implements it.
type Store interface {
	HubspotIntegration(ctx context.Context, workspaceID string) (*convrs.HubspotIntegration, error)
	StaffByID(ctx context.Context, id string) (*convrs.Staff, error)
	// PortalChange says what connecting workspaceID to portalID would change: the portal linked before (0 if
	// none other) and how many customers are linked to another portal's contacts.
	PortalChange(ctx context.Context, workspaceID string, portalID int64) (oldPortal, linked int64, err error)
	// SaveHubspotConnection stores a completed connection and returns the sealed refresh token it replaced.
	SaveHubspotConnection(ctx context.Context, c convrs.HubspotConnection) (integ *convrs.HubspotIntegration, replacedRefreshEnc string, err error)
	// EnableHubspot fails with ECONFLICT unless the integration is CONNECTED.
	EnableHubspot(ctx context.Context, workspaceID string) (*convrs.HubspotIntegration, error)
	SaveHubspotOptions(ctx context.Context, workspaceID string, o convrs.HubspotOptions) (*convrs.HubspotIntegration, error)
	// MarkHubspotError fails with ECONFLICT when the workspace was connected again since connectedAt.
	MarkHubspotError(ctx context.Context, workspaceID string, connectedAt *time.Time, reason string) (*convrs.HubspotIntegration, error)
	// DeleteHubspotIntegration returns the sealed refresh token it deleted.
	DeleteHubspotIntegration(ctx context.Context, workspaceID string) (refreshTokenEnc string, err error)
	// HubspotTokens returns nil when the workspace holds no tokens.
	HubspotTokens(ctx context.Context, workspaceID string) (*convrs.SealedHubspotTokens, error)
	// SaveHubspotTokens fails with ECONFLICT when the workspace is no longer connected to portalID.
	SaveHubspotTokens(ctx context.Context, workspaceID string, portalID int64, t convrs.SealedHubspotTokens) error
	ConnectedHubspotWorkspaces(ctx context.Context) ([]string, error)
}

// Config wires a Service.
type Config struct {
	Store Store
	OAuth *hubspot.OAuthConfig
	// APIURL is HubSpot's API origin (https://api.hubapi.com, or the simulator).
	APIURL string
	// APIVersion is the date-based version of HubSpot's CRM APIs every client calls (HUBSPOT_API_VERSION;
	// default hubspot.DefaultAPIVersion).
	APIVersion string
	// ClientOptions are added to every HubSpot client's options (tests: hubspot.WithSleep on a fake clock).
	ClientOptions []hubspot.Option
	// LinkURL replaces https://{uiDomain} in links to HubSpot records (the simulator's UI); empty for HubSpot.
	LinkURL string
	// PublicURL is the gateway's own address, where the start link lives.
	PublicURL string
	Cache     convrs.Cache
	Locker    convrs.Locker
	Limiter   convrs.Limiter
	PubSub    convrs.PubSub
	Box       *secret.Box
	Logger    *slog.Logger
	// RefreshMargin is how long before expiry access tokens are refreshed (default 5 minutes).
	RefreshMargin time.Duration
	// HTTPClient sends HubSpot API calls (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service implements convrs.HubspotIntegrationService and the steps of the OAuth connect flow (Start,
// Complete, ConfirmSwitch) whose pages server/ serves.
type Service struct {
	cfg      Config
	stateKey []byte

	mu      sync.Mutex
	sources map[string]*tokenSource // by workspace
	recent  map[string]*Recent      // by workspace (recent.go)

	health healthMemo
}

// tokenSource is a workspace's token source and the connection it was made for.
type tokenSource struct {
	*hubspot.TokenSource
	connectedAt *time.Time
}

var _ convrs.HubspotIntegrationService = (*Service)(nil)

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = hubspot.DefaultAPIVersion
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// The state signing key is derived from the encryption key (HKDF), so every gateway process agrees on it.
	return &Service{cfg: cfg, stateKey: cfg.Box.DeriveKey(secret.PurposeOAuthState), sources: map[string]*tokenSource{}, recent: map[string]*Recent{},
		health: healthMemo{down: map[string]bool{}, checked: map[string]time.Time{}}}
}

// Integration returns the caller's workspace's integration (any staff member may read it: agents need the
// options for outbound search).
func (s *Service) Integration(ctx context.Context) (*convrs.HubspotIntegration, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	integ, err := s.cfg.Store.HubspotIntegration(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return s.withOutcome(ctx, integ), nil
}

// ContactURL links to a contact of the workspace's portal in HubSpot's UI (or the simulator's).
func (s *Service) ContactURL(integ *convrs.HubspotIntegration, contactID string) string {
	return integ.ContactURL(s.cfg.LinkURL, contactID)
}

// oauthState is what a connect link's state stands for, kept server-side until the callback takes it.
// NonceHash, set when the admin's browser opens the start link, binds the rest of the flow to that browser.
type oauthState struct {
	WorkspaceID string `json:"w"`
	StaffID     string `json:"s"`
	NonceHash   string `json:"n,omitempty"`
}

// Connect returns the start link of a HubSpot connection: a single-use link on the gateway's own origin
// (PublicURL + StartPath) that binds the flow to the browser opening it (a nonce cookie), then sends it on to
// HubSpot. Its state is random, signed (so a forged one is told apart from an expired one), single use, bound
// to the workspace and the admin, and expires after StateTTL.
func (s *Service) Connect(ctx context.Context) (string, time.Time, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.cfg.Now()
	state := s.newState(now)
	b, _ := json.Marshal(oauthState{WorkspaceID: p.WorkspaceID, StaffID: p.StaffID})
	if err := s.cfg.Cache.Set(ctx, stateKey(state), b, StateTTL); err != nil {
		return "", time.Time{}, fmt.Errorf("integration: connect: %w", err)
	}
	if err := s.beginAttempt(ctx, p.WorkspaceID, state); err != nil {
		return "", time.Time{}, fmt.Errorf("integration: connect: %w", err)
	}
	return s.cfg.PublicURL + StartPath + "?" + url.Values{"state": {state}}.Encode(), now.Add(StateTTL), nil
}

// stateKey holds a state issued by Connect and not yet opened; boundKey the same state once a browser opened
// its start link (with that browser's nonce hash).
func stateKey(state string) string { return "oauth:state:" + state }
func boundKey(state string) string { return "oauth:bound:" + state }

// newState returns base64url(16 random bytes || issued-at seconds || HMAC).
func (s *Service) newState(now time.Time) string {
	b := make([]byte, 24, 24+sha256.Size)
	_, _ = rand.Read(b[:16])
	binary.BigEndian.PutUint64(b[16:], uint64(now.Unix()))
	m := hmac.New(sha256.New, s.stateKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(b))
}

// stateProblem says why a state cannot be used, in words for the callback page.
type stateProblem string

const (
	stateForged  stateProblem = "This connection link was not issued by Convrs, so nothing was connected."
	stateExpired stateProblem = "This connection link has expired (links are valid for 10 minutes), so nothing was connected."
	stateUsed    stateProblem = "This connection link has already been used, so nothing more was connected."
	// stateOtherBrowser: the callback (or confirmation) arrived without the nonce cookie of the browser that
	// opened the start link.
	stateOtherBrowser stateProblem = "This HubSpot connection was started in another browser (or this browser did not keep Convrs's cookie), so nothing was connected."
)

// checkState checks a state's signature and age and returns when it was issued.
func (s *Service) checkState(state string) (time.Time, stateProblem) {
	raw, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil || len(raw) != 24+sha256.Size {
		return time.Time{}, stateForged
	}
	m := hmac.New(sha256.New, s.stateKey)
	m.Write(raw[:24])
	if !hmac.Equal(m.Sum(nil), raw[24:]) {
		return time.Time{}, stateForged
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(raw[16:24])), 0)
	if s.cfg.Now().Sub(issued) >= StateTTL {
		return issued, stateExpired
	}
	return issued, ""
}

// bindState takes an opened start link's state (single use) and binds it to the nonce hash of the browser that
// opened it, until the callback.
func (s *Service) bindState(ctx context.Context, state, nonceHash string) (*oauthState, stateProblem, error) {
	issued, problem := s.checkState(state)
	if problem != "" {
		return nil, problem, nil
	}
	b, ok, err := s.cfg.Cache.Take(ctx, stateKey(state))
	if err != nil {
		return nil, "", err
	}
	var st oauthState
	if !ok {
		return nil, stateUsed, nil
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, stateForged, nil
	}
	st.NonceHash = nonceHash
	b, _ = json.Marshal(st)
	// Kept past the link's expiry (which checkState enforces), so a late callback can still tell its card.
	ttl := attemptTTL - s.cfg.Now().Sub(issued)
	if err := s.cfg.Cache.Set(ctx, boundKey(state), b, max(ttl, time.Second)); err != nil {
		return nil, "", err
	}
	return &st, "", nil
}

// takeState checks a state's signature, age and browser binding (nonce is the cookie the callback came
// with), then takes it from the cache (single use). A callback from another browser burns nothing: the admin's
// own callback still works.
//
// An expired state is taken too when it is still known and comes from its browser: it is returned with
// stateExpired, so the caller can tell that attempt's card.
func (s *Service) takeState(ctx context.Context, state, nonce string) (*oauthState, stateProblem, error) {
	_, problem := s.checkState(state)
	if problem == stateExpired {
		return s.takeExpired(ctx, state, nonce), stateExpired, nil
	} else if problem != "" {
		return nil, problem, nil
	}
	b, ok, err := s.cfg.Cache.Get(ctx, boundKey(state))
	if err != nil {
		return nil, "", err
	}
	var st oauthState
	if !ok {
		return nil, stateUsed, nil
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, stateForged, nil
	}
	if !nonceMatches(nonce, st.NonceHash) {
		return nil, stateOtherBrowser, nil
	}
	if _, ok, err := s.cfg.Cache.Take(ctx, boundKey(state)); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, stateUsed, nil
	}
	return &st, "", nil
}

// takeExpired takes an expired, signed state if it is still known and nonce is its browser's.
func (s *Service) takeExpired(ctx context.Context, state, nonce string) *oauthState {
	b, ok, err := s.cfg.Cache.Get(ctx, boundKey(state))
	var st oauthState
	if err != nil || !ok || json.Unmarshal(b, &st) != nil || !nonceMatches(nonce, st.NonceHash) {
		return nil
	}
	if _, ok, err := s.cfg.Cache.Take(ctx, boundKey(state)); err != nil || !ok {
		return nil
	}
	return &st
}

// Enable turns syncing on, from CONNECTED only.
func (s *Service) Enable(ctx context.Context) (*convrs.HubspotIntegration, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	integ, err := s.cfg.Store.EnableHubspot(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	s.changed(ctx, p.WorkspaceID)
	s.cfg.Logger.InfoContext(ctx, "hubspot enabled", "workspace_id", p.WorkspaceID, "portal_id", integ.PortalID, "staff_id", p.StaffID)
	s.announce(ctx, p.WorkspaceID)
	return integ, nil
}

// SaveOptions stores the Options section; requireOutboundMatch needs allowOutboundSearch.
func (s *Service) SaveOptions(ctx context.Context, o convrs.HubspotOptions) (*convrs.HubspotIntegration, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	integ, err := s.cfg.Store.SaveHubspotOptions(ctx, p.WorkspaceID, o)
	if err != nil {
		return nil, err
	}
	s.changed(ctx, p.WorkspaceID)
	s.announce(ctx, p.WorkspaceID)
	return integ, nil
}

// Disable disconnects HubSpot: the refresh token is revoked at HubSpot (best effort: HubSpot being down must
// not keep an admin from disconnecting), the stored tokens, options and syncing are deleted, and the workspace's
// cached HubSpot data is purged.
func (s *Service) Disable(ctx context.Context) (*convrs.HubspotIntegration, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	sealed, err := s.cfg.Store.DeleteHubspotIntegration(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	s.forgetSource(p.WorkspaceID)
	s.changed(ctx, p.WorkspaceID)
	s.dropPending(ctx, p.WorkspaceID)
	if err := s.cfg.Cache.DeletePrefix(ctx, CachePrefix(p.WorkspaceID)); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "hubspot disable: purge cache", "workspace_id", p.WorkspaceID, "error", err)
	}
	if rt, err := s.cfg.Box.Open(sealed, tokenContext(p.WorkspaceID, "refresh")); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "hubspot disable: open refresh token", "workspace_id", p.WorkspaceID, "error", err)
	} else if rt != "" {
		if err := s.cfg.OAuth.RevokeRefreshToken(ctx, rt); err != nil {
			s.cfg.Logger.WarnContext(ctx, "hubspot disable: revoke refresh token failed; tokens deleted anyway", "workspace_id", p.WorkspaceID, "error", err)
		} else {
			s.cfg.Logger.InfoContext(ctx, "hubspot disable: refresh token revoked", "workspace_id", p.WorkspaceID)
		}
	}
	s.cfg.Logger.InfoContext(ctx, "hubspot disabled", "workspace_id", p.WorkspaceID, "staff_id", p.StaffID)
	s.announce(ctx, p.WorkspaceID)
	return &convrs.HubspotIntegration{WorkspaceID: p.WorkspaceID, State: convrs.IntegrationDisconnected}, nil
}

// CachePrefix is the prefix of every cache key holding a workspace's HubSpot data (contact cards, searches).
func CachePrefix(workspaceID string) string { return "hubspot:" + workspaceID + ":" }

// announce tells every gateway process's subscribers that the workspace's integration changed.
func (s *Service) announce(ctx context.Context, workspaceID string) {
	if err := s.cfg.PubSub.Publish(context.WithoutCancel(ctx), convrs.TopicHubspot(workspaceID), []byte("changed")); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "hubspot: announce change", "workspace_id", workspaceID, "error", err)
	}
}

func tokenContext(workspaceID, which string) string { return "hubspot:" + which + ":" + workspaceID }

// Client returns a HubSpot API client for the workspace's portal, its token refreshed ahead of expiry. If
// HubSpot refuses the refresh token for good, the integration goes to ERROR and calls fail with EUNAVAILABLE.
func (s *Service) Client(ctx context.Context, workspaceID string) (*hubspot.Client, *convrs.HubspotIntegration, error) {
	integ, err := s.cfg.Store.HubspotIntegration(ctx, workspaceID)
	if err != nil {
		return nil, nil, err
	}
	switch integ.State {
	case convrs.IntegrationDisconnected:
		return nil, integ, convrs.Errorf(convrs.ECONFLICT, "HubSpot is not connected.")
	case convrs.IntegrationError:
		return nil, integ, hubfault.NeedsReconnect(integ.ErrorReason)
	}
	ts, err := s.source(integ)
	if err != nil {
		return nil, integ, err
	}
	portal := strconv.FormatInt(integ.PortalID, 10)
	httpClient := hubspot.NewHTTPClient(s.httpContext(), ts.TokenSource)
	httpClient.Transport = &watcher{s: s, workspaceID: workspaceID, portalID: integ.PortalID, connectedAt: ts.connectedAt, next: httpClient.Transport}
	c, err := hubspot.NewClient(httpClient, append([]hubspot.Option{hubspot.WithBaseURL(s.cfg.APIURL), hubspot.WithAPIVersion(s.cfg.APIVersion),
		hubspot.WithLimiter(s.cfg.Limiter, portal)}, s.cfg.ClientOptions...)...)
	if err != nil {
		return nil, integ, err
	}
	return c, integ, nil
}

func (s *Service) httpContext() context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, s.cfg.HTTPClient)
}

// AccessToken returns a usable access token for the workspace, refreshing it if it expires within the margin.
func (s *Service) AccessToken(ctx context.Context, workspaceID string) (string, error) {
	integ, err := s.cfg.Store.HubspotIntegration(ctx, workspaceID)
	if err != nil {
		return "", err
	}
	ts, err := s.source(integ)
	if err != nil {
		return "", err
	}
	t, err := ts.TokenContext(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// source returns the workspace's token source, made for the connection integ describes: one made for an
// earlier connection (the workspace reconnected through another process since) is replaced, so its tokens,
// held in memory, are not used for the new connection.
func (s *Service) source(integ *convrs.HubspotIntegration) (*tokenSource, error) {
	workspaceID := integ.WorkspaceID
	s.mu.Lock()
	defer s.mu.Unlock()
	if ts := s.sources[workspaceID]; ts != nil && sameTime(ts.connectedAt, integ.ConnectedAt) {
		return ts, nil
	}
	connectedAt := integ.ConnectedAt
	ts, err := hubspot.NewTokenSource(hubspot.TokenSourceConfig{
		Key:           workspaceID,
		Store:         &tokenStore{s: s},
		Refresher:     s.cfg.OAuth,
		Locker:        s.cfg.Locker,
		RefreshMargin: s.cfg.RefreshMargin,
		OnPermanentFailure: func(ctx context.Context, key string, err error) {
			s.refreshRefused(ctx, key, connectedAt, err)
		},
	})
	if err != nil {
		return nil, err
	}
	s.sources[workspaceID] = &tokenSource{TokenSource: ts, connectedAt: connectedAt}
	return s.sources[workspaceID], nil
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func (s *Service) forgetSource(workspaceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sources, workspaceID)
}

// refreshRefused puts the integration in ERROR when HubSpot refuses its refresh token for good (the app was
// uninstalled, access revoked). Options, syncing and queued syncs stay; Reconnect resumes them. The token
// source is kept: it remembers the refused refresh token, so later calls fail without asking HubSpot (or
// announcing) again, and a reconnect, which stores new tokens, replaces it.
//
// connectedAt names the connection the refused token belonged to: a refresh that fails after the admin has
// reconnected (in this process or another) must not put the new, working connection in ERROR.
func (s *Service) refreshRefused(ctx context.Context, workspaceID string, connectedAt *time.Time, err error) {
	reason := "HubSpot no longer accepts Convrs's authorization (the app may have been uninstalled or its access revoked). Reconnect to resume syncing; transcripts wait until then."
	s.cfg.Logger.WarnContext(ctx, "hubspot refresh refused", "workspace_id", workspaceID, "error", err)
	s.markError(context.WithoutCancel(ctx), workspaceID, connectedAt, reason)
}

// tokenStore keeps a workspace's tokens encrypted in the database for hubspot.TokenSource.
type tokenStore struct{ s *Service }

func (t *tokenStore) LoadToken(ctx context.Context, workspaceID string) (*hubspot.Token, error) {
	sealed, err := t.s.cfg.Store.HubspotTokens(ctx, workspaceID)
	if err != nil || sealed == nil {
		return nil, err
	}
	access, err := t.s.cfg.Box.Open(sealed.AccessTokenEnc, tokenContext(workspaceID, "access"))
	if err != nil {
		return nil, fmt.Errorf("integration: load token: %w", err)
	}
	refresh, err := t.s.cfg.Box.Open(sealed.RefreshTokenEnc, tokenContext(workspaceID, "refresh"))
	if err != nil {
		return nil, fmt.Errorf("integration: load token: %w", err)
	}
	return &hubspot.Token{AccessToken: access, RefreshToken: refresh, TokenType: "bearer", Expiry: sealed.ExpiresAt, HubID: sealed.PortalID}, nil
}

func (t *tokenStore) SaveToken(ctx context.Context, workspaceID string, tok *hubspot.Token) error {
	sealed, err := t.s.sealTokens(workspaceID, tok)
	if err != nil {
		return err
	}
	portal := tok.HubID
	if portal == 0 {
		cur, err := t.s.cfg.Store.HubspotTokens(ctx, workspaceID)
		if err != nil || cur == nil {
			return errors.Join(errors.New("integration: save token: not connected"), err)
		}
		portal = cur.PortalID
	}
	if err := t.s.cfg.Store.SaveHubspotTokens(ctx, workspaceID, portal, *sealed); err != nil {
		return err
	}
	t.s.changed(ctx, workspaceID)
	return nil
}

func (s *Service) sealTokens(workspaceID string, tok *hubspot.Token) (*convrs.SealedHubspotTokens, error) {
	access, err := s.cfg.Box.Seal(tok.AccessToken, tokenContext(workspaceID, "access"))
	if err != nil {
		return nil, err
	}
	refresh, err := s.cfg.Box.Seal(tok.RefreshToken, tokenContext(workspaceID, "refresh"))
	if err != nil {
		return nil, err
	}
	return &convrs.SealedHubspotTokens{PortalID: tok.HubID, AccessTokenEnc: access, RefreshTokenEnc: refresh, ExpiresAt: tok.Expiry}, nil
}
