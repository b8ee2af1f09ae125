// Package hubspotsim is an in-memory HubSpot: OAuth consent and tokens, CRM contacts, notes and owners, search
// with HubSpot's operators, limits and eventual consistency, rate limits, and a small record UI. It speaks
// HubSpot's wire format so the product's client (and HubSpot's own SDKs) can run against it unchanged.
//
// Use NewTestServer in Go tests, the /_sim/ control API from other languages, and Main to run it alone.
package hubspotsim

import (
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Default OAuth client credentials of the simulated app.
const (
	DefaultClientID     = "convrs-demo-client-id"
	DefaultClientSecret = "convrs-demo-client-secret"
)

// ProductScopes are the scopes the product requests; IssueTokens grants them when given none.
var ProductScopes = []string{
	"oauth",
	"crm.objects.contacts.read",
	"crm.objects.contacts.write",
	"crm.objects.owners.read",
}

// Scope names checked by the CRM endpoints.
const (
	scopeOAuth         = "oauth"
	scopeContactsRead  = "crm.objects.contacts.read"
	scopeContactsWrite = "crm.objects.contacts.write"
	scopeOwnersRead    = "crm.objects.owners.read"
)

// Options configure a Simulator. The zero value is usable.
type Options struct {
	// AppName is shown on the consent page; default "Convrs".
	AppName string
	// ClientID and ClientSecret of the one simulated app; default DefaultClientID / DefaultClientSecret.
	ClientID, ClientSecret string
	// RedirectURIs are the app's registered redirect URLs: consent refuses any other, exactly as HubSpot does.
	// Default: DefaultRedirectURI.
	RedirectURIs []string
	// AccessTokenTTL is the lifetime of access tokens; default 30 minutes.
	AccessTokenTTL time.Duration
	// IndexDelay is how long after a write search starts to see it; default 0 (negative means 0).
	IndexDelay time.Duration
	// BurstLimit is the number of requests per rolling 10 s per portal (search excluded); default 110.
	BurstLimit int
	// SearchPerSecond is the number of search requests per rolling second per portal; default 5.
	SearchPerSecond int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives one debug line per request; default discards.
	Logger *slog.Logger

	// AppID is the simulated app's ID, sent in webhook events; default 2218437.
	AppID int64
	// WebhookTimeout is how long a webhook receiver may take to answer before the attempt counts as failed;
	// default 5 s, as HubSpot's.
	WebhookTimeout time.Duration
	// WebhookMaxAttempts bounds the deliveries of one batch (the first included); default 10, as HubSpot's.
	WebhookMaxAttempts int
	// WebhookBackoff is the wait before retry attempt+1; default doubling from 1 s to 5 minutes. Tests
	// pass func(int) time.Duration { return 0 } to retry at once.
	WebhookBackoff func(attempt int) time.Duration
	// WebhookClient sends webhooks; default a plain http.Client (WebhookTimeout applies per attempt).
	WebhookClient *http.Client

	// LegacyAPIsOff makes the APIs HubSpot is retiring (OAuth v1 and v3, CRM v3 and v4, account-info v3)
	// answer 410 Gone with HubSpot's error body, as they will once retired. Default false: both the legacy and
	// the date-based paths are served, as HubSpot does today. SetLegacyAPIs changes it at run time.
	LegacyAPIsOff bool
	// LatencyAfterWrite delays the answer of every API write after the write is stored (see
	// SetLatencyAfterWrite); default 0.
	LatencyAfterWrite time.Duration
}

func (o Options) withDefaults() Options {
	if o.AppName == "" {
		o.AppName = "Convrs"
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = 30 * time.Minute
	}
	if o.IndexDelay < 0 {
		o.IndexDelay = 0
	}
	if o.BurstLimit <= 0 {
		o.BurstLimit = 110
	}
	if o.SearchPerSecond <= 0 {
		o.SearchPerSecond = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.AppID == 0 {
		o.AppID = 2218437
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = defaultWebhookTimeout
	}
	if o.WebhookMaxAttempts <= 0 {
		o.WebhookMaxAttempts = defaultWebhookMaxAttempts
	}
	if o.WebhookBackoff == nil {
		o.WebhookBackoff = defaultWebhookBackoff
	}
	return o
}

// Simulator is an in-memory HubSpot and the http.Handler serving it. All methods are safe for concurrent use.
type Simulator struct {
	opts Options
	mux  *http.ServeMux

	mu            sync.Mutex
	portals       map[int64]*portal
	portalOrder   []int64
	accessTokens  map[string]*accessToken
	refreshTokens map[string]*refreshToken
	codes         map[string]*authCode
	nextPortalID  int64
	nextContactID int64
	nextNoteID    int64
	nextOwnerID   int64
	nextUserID    int64
	failNext      int
	failStatus    int
	latency       time.Duration
	failureRate   int
	requests      []RequestLog
	legacyLog     []RequestLog
	webhooks      webhookState
	legacyOff     bool
	retryAfter    time.Duration
	post          postWriteFaults
	appCard       appCardState
}

// New returns a Simulator with no portals.
func New(opts Options) *Simulator {
	s := &Simulator{
		opts:          opts.withDefaults(),
		portals:       map[int64]*portal{},
		accessTokens:  map[string]*accessToken{},
		refreshTokens: map[string]*refreshToken{},
		codes:         map[string]*authCode{},
		nextPortalID:  50000001,
		nextContactID: 101,
		nextNoteID:    50000000001,
		nextOwnerID:   41700001,
		nextUserID:    9586501,
		webhooks:      newWebhookState(),
	}
	s.legacyOff = s.opts.LegacyAPIsOff
	s.post.latencyAfterWrite = max(s.opts.LatencyAfterWrite, 0)
	s.routes()
	return s
}

func (s *Simulator) now() time.Time { return s.opts.Now() }

// maxRequestLog is how many requests Requests keeps.
const maxRequestLog = 10000

// RequestLog is one request the simulator answered (control API calls are not logged).
type RequestLog struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	// Status is the HTTP status answered; 0 when the connection was reset instead (an injected fault).
	Status   int       `json:"status"`
	PortalID int64     `json:"portalId,omitempty"`
	Time     time.Time `json:"time"`
	// Version is the API version in the path ("v1", "v3", "v4", "2026-03", "2026-09"), "" for pages.
	Version string `json:"version,omitempty"`
	// Legacy is true for a path of an API HubSpot is retiring (OAuth v1/v3, CRM v3/v4, account-info v3),
	// whether or not it was served.
	Legacy bool `json:"legacy,omitempty"`
	// Fault names a fault injected after the handler ran: "latency-after-write", "lost-answer" (a 502 once the
	// write was stored) or "reset" (the connection dropped once the write was stored).
	Fault string `json:"fault,omitempty"`
}

// Requests returns the requests answered so far (the newest 10,000), oldest first.
func (s *Simulator) Requests() []RequestLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// LegacyRequests returns the requests to a legacy path (RequestLog.Legacy) answered so far, served or not
// (the newest 10,000, kept apart from Requests' window), oldest first.
func (s *Simulator) LegacyRequests() []RequestLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.legacyLog)
}

// FailNext makes the next n API calls (calls with a bearer token: CRM and account info, not OAuth) fail with
// HubSpot's body for status.
func (s *Simulator) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failStatus = max(n, 0), status
}

// SetLatency delays every API and token call by d.
func (s *Simulator) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = max(d, 0)
}

// SetFailureRate makes percent of API calls fail at random with a 500.
func (s *Simulator) SetFailureRate(percent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failureRate = min(max(percent, 0), 100)
}

// ServeHTTP serves the HubSpot API, the OAuth pages, the record UI and the /_sim/ control API.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	ctxInfo := &requestInfo{}
	r = r.WithContext(withRequestInfo(r.Context(), ctxInfo))
	retired, replacement, legacy := legacyAPI(r.URL.Path)
	s.mu.Lock()
	off := s.legacyOff
	s.mu.Unlock()
	if legacy && off {
		writeRetired(rec, r, retired, replacement)
	} else {
		s.mux.ServeHTTP(rec, r)
	}
	if rec.status == 0 && ctxInfo.fault != faultReset {
		rec.status = http.StatusOK
	}
	if isControlPath(r.URL.Path) {
		return
	}
	entry := RequestLog{
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.RawQuery,
		Status:   rec.status,
		PortalID: ctxInfo.portalID,
		Time:     s.now(),
		Version:  apiVersionOf(r.URL.Path),
		Legacy:   legacy,
		Fault:    ctxInfo.fault,
	}
	s.mu.Lock()
	if len(s.requests) >= maxRequestLog {
		// A long-running demo must not grow without bound: keep the newest entries.
		s.requests = slices.Delete(s.requests, 0, len(s.requests)-maxRequestLog+1)
	}
	s.requests = append(s.requests, entry)
	if entry.Legacy {
		// Kept apart, so a long run's other traffic cannot push a legacy request out of sight.
		if len(s.legacyLog) >= maxRequestLog {
			s.legacyLog = slices.Delete(s.legacyLog, 0, len(s.legacyLog)-maxRequestLog+1)
		}
		s.legacyLog = append(s.legacyLog, entry)
	}
	s.mu.Unlock()
	s.opts.Logger.LogAttrs(r.Context(), slog.LevelDebug, "hubspotsim request",
		slog.String("method", entry.Method), slog.String("path", RedactPath(entry.Path)),
		slog.Int("status", entry.Status), slog.Int64("portal_id", entry.PortalID))
}

func (s *Simulator) routes() {
	m := http.NewServeMux()
	s.mux = m

	// OAuth.
	m.HandleFunc("GET /oauth/authorize", s.handleAuthorizePage)
	m.HandleFunc("GET /oauth/{portalId}/authorize", s.handleAuthorizePage)
	m.HandleFunc("POST /oauth/authorize", s.handleAuthorizeSubmit)
	m.HandleFunc("POST /oauth/{portalId}/authorize", s.handleAuthorizeSubmit)
	m.HandleFunc("POST /oauth/v1/token", s.handleToken)
	m.HandleFunc("POST /oauth/v3/token", s.handleToken)
	m.HandleFunc("GET /oauth/v1/access-tokens/{token}", s.handleAccessTokenInfo)
	m.HandleFunc("GET /oauth/v1/refresh-tokens/{token}", s.handleRefreshTokenInfo)
	m.HandleFunc("DELETE /oauth/v1/refresh-tokens/{token}", s.handleRefreshTokenDelete)

	// CRM and account.
	m.Handle("GET /account-info/v3/details", s.api(scopeOAuth, kindBurst, s.handleAccountInfo))

	m.Handle("POST /crm/v3/objects/contacts", s.api(scopeContactsWrite, kindBurst, s.handleContactCreate))
	m.Handle("GET /crm/v3/objects/contacts", s.api(scopeContactsRead, kindBurst, s.handleContactList))
	m.Handle("GET /crm/v3/objects/contacts/{id}", s.api(scopeContactsRead, kindBurst, s.handleContactGet))
	m.Handle("PATCH /crm/v3/objects/contacts/{id}", s.api(scopeContactsWrite, kindBurst, s.handleContactPatch))
	m.Handle("DELETE /crm/v3/objects/contacts/{id}", s.api(scopeContactsWrite, kindBurst, s.handleContactDelete))
	m.Handle("POST /crm/v3/objects/contacts/search", s.api(scopeContactsRead, kindSearch, s.handleContactSearch))
	m.Handle("POST /crm/v3/objects/contacts/batch/read", s.api(scopeContactsRead, kindBurst, s.handleContactBatchRead))
	m.Handle("POST /crm/v3/objects/contacts/batch/create", s.api(scopeContactsWrite, kindBurst, s.handleContactBatchCreate))
	m.Handle("POST /crm/v3/objects/contacts/batch/upsert", s.api(scopeContactsWrite, kindBurst, s.handleContactBatchUpsert))
	m.Handle("POST /crm/v3/objects/contacts/merge", s.api(scopeContactsWrite, kindBurst, s.handleContactMerge))
	m.Handle("POST /crm/v3/objects/contacts/gdpr-delete", s.api(scopeContactsWrite, kindBurst, s.handleContactGDPRDelete))

	m.Handle("POST /crm/v3/objects/notes", s.api(scopeContactsWrite, kindBurst, s.handleNoteCreate))
	m.Handle("GET /crm/v3/objects/notes/{id}", s.api(scopeContactsRead, kindBurst, s.handleNoteGet))
	m.Handle("PATCH /crm/v3/objects/notes/{id}", s.api(scopeContactsWrite, kindBurst, s.handleNotePatch))
	m.Handle("DELETE /crm/v3/objects/notes/{id}", s.api(scopeContactsWrite, kindBurst, s.handleNoteDelete))
	m.Handle("POST /crm/v3/objects/notes/search", s.api(scopeContactsRead, kindSearch, s.handleNoteSearch))
	m.Handle("POST /crm/v3/objects/notes/batch/create", s.api(scopeContactsWrite, kindBurst, s.handleNoteBatchCreate))
	m.Handle("POST /crm/v3/objects/notes/batch/read", s.api(scopeContactsRead, kindBurst, s.handleNoteBatchRead))
	m.Handle("GET /crm/v4/objects/{objectType}/{id}/associations/{toObjectType}", s.api(scopeContactsRead, kindBurst, s.handleAssociations))

	m.Handle("GET /crm/v3/properties/{objectType}/{name}", s.api(scopeContactsRead, kindBurst, s.handlePropertyGet))

	m.Handle("GET /crm/v3/owners", s.api(scopeOwnersRead, kindBurst, s.handleOwnerList))
	m.Handle("GET /crm/v3/owners/{$}", s.api(scopeOwnersRead, kindBurst, s.handleOwnerList))
	m.Handle("GET /crm/v3/owners/{id}", s.api(scopeOwnersRead, kindBurst, s.handleOwnerGet))

	// The date-based versions.
	for _, v := range DatedVersions {
		s.datedRoutes(m, v)
	}

	// UI.
	m.HandleFunc("GET /contacts/{portalId}/record/0-1/{contactId}", s.handleUIContact)
	m.HandleFunc("POST /contacts/{portalId}/record/0-1/{contactId}", s.handleUIContactSave)
	m.HandleFunc("GET /{$}", s.handleUIIndex)
	// Browsers ask every page's host for an icon; answering "no content" keeps their consoles free of 404s.
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	// Control API.
	m.HandleFunc("POST /_sim/portals", s.handleSimCreatePortal)
	m.HandleFunc("GET /_sim/portals", s.handleSimListPortals)
	m.HandleFunc("POST /_sim/portals/{id}/contacts", s.handleSimSeedContact)
	m.HandleFunc("GET /_sim/portals/{id}/contacts", s.handleSimListContacts)
	m.HandleFunc("POST /_sim/portals/{id}/contacts/merge", s.handleSimMerge)
	m.HandleFunc("POST /_sim/portals/{id}/contacts/{cid}/gdpr-delete", s.handleSimGDPRDelete)
	m.HandleFunc("DELETE /_sim/portals/{id}/contacts/{cid}", s.handleSimArchive)
	m.HandleFunc("POST /_sim/portals/{id}/contacts/{cid}/restore", s.handleSimRestore)
	m.HandleFunc("PATCH /_sim/portals/{id}/contacts/{cid}", s.handleSimUpdateContact)
	m.HandleFunc("PUT /_sim/apps/{appId}/webhooks", s.handleSimSetWebhooks)
	m.HandleFunc("GET /_sim/apps/{appId}/webhooks", s.handleSimGetWebhooks)
	m.HandleFunc("GET /_sim/apps/{appId}/webhooks/deliveries", s.handleSimWebhookDeliveries)
	m.HandleFunc("POST /_sim/portals/{id}/owners", s.handleSimSeedOwner)
	m.HandleFunc("PUT /_sim/portals/{id}/properties/lifecyclestage/options", s.handleSimSetStages)
	m.HandleFunc("POST /_sim/portals/{id}/tokens", s.handleSimIssueTokens)
	m.HandleFunc("POST /_sim/portals/{id}/revoke", s.handleSimRevoke)
	m.HandleFunc("GET /_sim/portals/{id}/contacts/{cid}/notes", s.handleSimNotes)
	m.HandleFunc("POST /_sim/tokens/{token}/expire", s.handleSimExpireToken)
	m.HandleFunc("POST /_sim/faults", s.handleSimFaults)
	m.HandleFunc("GET /_sim/requests", s.handleSimRequests)
	m.HandleFunc("PUT /_sim/legacy-apis", s.handleSimLegacyAPIs)
	m.HandleFunc("PUT /_sim/portals/{id}/validation-rules/{objectType}", s.handleSimValidationRules)
	m.HandleFunc("GET /_sim/portals/{id}/validation-rules/{objectType}", s.handleSimValidationRules)
	m.HandleFunc("GET /_sim/legacy-apis", s.handleSimLegacyAPIs)

	m.HandleFunc("/", s.handleNotFound)
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
