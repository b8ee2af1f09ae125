package integration_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

const (
	publicURL = "https://convrs.test"
	backURL   = publicURL + "/#/integrations"
	portalA   = hubspotsim.DemoPortalID   // "Acme Corp (demo)"
	portalB   = hubspotsim.DemoEUPortalID // "Acme EU (demo)"
	wsID      = "ws_test"
)

// env is a gateway's integration service wired to a real store and the HubSpot simulator (seeded with the demo
// portals), with one workspace holding an admin, an agent and a customer.
type env struct {
	logs   *testkit.LogBuffer
	db     *store.DB
	sim    *hubspotsim.TestServer
	svc    *integration.Service
	cache  *cache.Memory
	ps     *pubsub.Memory
	box    *secret.Box
	oauth  *hubspot.OAuthConfig
	clock  *testkit.Clock
	admin  context.Context
	agent  context.Context
	custID string
	// revocations are the refresh tokens HubSpot accepted to revoke, as the gateway sent them.
	revocations *revocationLog
	// browser is the admin's browser: the cookies the gateway set in it, sent back on every request.
	browser *browser
}

// browser is what the admin's browser keeps between the steps of the flow: the nonce cookie of each state, as
// the HTTP edge sets it from the outcomes.
type browser struct {
	mu     sync.Mutex
	nonces map[string]string // by state
}

func newBrowser() *browser { return &browser{nonces: map[string]string{}} }

// keep applies an outcome's cookie action.
func (b *browser) keep(o integration.Outcome) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch o.Cookie {
	case integration.CookieSet:
		if o.Nonce != "" {
			b.nonces[o.State] = o.Nonce
		}
	case integration.CookieClear:
		delete(b.nonces, o.State)
	}
}

// nonce is the cookie the browser sends for state.
func (b *browser) nonce(state string) string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nonces[state]
}

// states lists the states the browser holds a nonce for.
func (b *browser) states() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for n := range b.nonces {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	return newEnvDB(t, storetest.OpenDB(t, engine))
}

// newEnvDB is newEnv on a database the test opened.
func newEnvDB(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	logs := &testkit.LogBuffer{}
	// The simulator logs every request at debug level through the same log, as the gateway's in-process one does.
	// The product's tests run with HubSpot's retired paths (OAuth v1, CRM v3/v4) answering 410, as they will.
	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{
		LegacyAPIsOff: true,
		RedirectURIs:  []string{publicURL + integration.CallbackPath},
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", "hubspotsim"),
	})
	sim.SeedDemo()
	if err := db.CreateWorkspace(ctx, &convrs.Workspace{ID: wsID, Name: "Test", DefaultRegion: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*convrs.Staff{
		{ID: "stf_admin", WorkspaceID: wsID, Name: "Ada Admin", Email: "ada@test.test", Role: convrs.RoleAdmin},
		{ID: "stf_agent", WorkspaceID: wsID, Name: "Sam Agent", Email: "sam@test.test", Role: convrs.RoleAgent},
	} {
		if err := db.CreateStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{
		logs: logs, db: db, sim: sim, cache: cache.NewMemory(), ps: pubsub.NewMemory(), box: hubtest.NewBox(t), clock: testkit.NewRunningClock(),
		browser: newBrowser(),
		admin:   convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: "stf_admin", WorkspaceID: wsID, Role: convrs.RoleAdmin}),
		agent:   convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: "stf_agent", WorkspaceID: wsID, Role: convrs.RoleAgent}),
	}
	e.revocations = &revocationLog{sim: sim}
	e.oauth = &hubspot.OAuthConfig{
		ClientID: hubspotsim.DefaultClientID, ClientSecret: hubspotsim.DefaultClientSecret,
		RedirectURL: publicURL + integration.CallbackPath, Scopes: integration.RequiredScopes,
		AppURL: sim.URL(), APIURL: sim.URL(), HTTPClient: &http.Client{Transport: e.revocations},
	}
	e.svc = e.restart()
	first, email := "Alice", "alice@example.com"
	cust, err := db.CreateCustomer(e.admin, convrs.CustomerInput{FirstName: &first, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	e.custID = cust.ID
	return e
}

// restart returns a new integration service with the env's configuration: the gateway process restarted,
// with nothing held in memory but the same database, cache and pub/sub.
func (e *env) restart() *integration.Service {
	return integration.New(integration.Config{
		Store: e.db, OAuth: e.oauth, APIURL: e.sim.URL(), LinkURL: e.sim.URL(), PublicURL: publicURL,
		Cache: e.cache, Locker: e.cache, Limiter: e.cache.Limiter(), PubSub: e.ps, Box: e.box, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
}

// forEachEngine runs f on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
func forEachEngine(t *testing.T, f func(t *testing.T, e *env)) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { f(t, newEnv(t, engine)) })
	}
}

// page is an outcome as the admin reads it: its result, and its title and message as one text.
type page struct {
	integration.Outcome
	Body string
}

func pageOf(o integration.Outcome) page {
	return page{Outcome: o, Body: o.Title + " " + o.Message}
}

// mustContain checks that the page says each of words.
func (p page) mustContain(t *testing.T, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(p.Body, w) {
			t.Errorf("page (result %d) lacks %q:\n%s", p.Result, w, p.Body)
		}
	}
}

// mustFail checks a page that connected nothing: its result and its words.
func (p page) mustFail(t *testing.T, result integration.Result, words ...string) {
	t.Helper()
	if p.Result != result {
		t.Errorf("result = %d, want %d (%s)", p.Result, result, p.Body)
	}
	p.mustContain(t, words...)
}

// callback serves HubSpot's redirect to the gateway's callback handler, as the admin's browser would.
func (e *env) callback(t *testing.T, redirect string) page {
	t.Helper()
	return e.callbackFrom(t, e.browser, redirect)
}

// callbackFrom serves HubSpot's redirect as browser b would (nil: a browser without cookies).
func (e *env) callbackFrom(t *testing.T, b *browser, redirect string) page {
	t.Helper()
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	o := e.svc.Complete(context.Background(), integration.Callback{State: q.Get("state"), Nonce: b.nonce(q.Get("state")), Code: q.Get("code"),
		Error: q.Get("error"), ErrorDescription: q.Get("error_description")})
	b.keep(o)
	return pageOf(o)
}

// confirm answers the portal-change question of p with decision ("confirm" or "cancel"), from the admin's
// browser.
func (e *env) confirm(t *testing.T, p page, decision string) page {
	t.Helper()
	return e.confirmFrom(t, e.browser, p, decision)
}

// confirmFrom answers the question of p from browser b.
func (e *env) confirmFrom(t *testing.T, b *browser, p page, decision string) page {
	t.Helper()
	if p.Switch == nil {
		t.Fatalf("no portal-change question: %s", p.Body)
	}
	o := e.svc.ConfirmSwitch(context.Background(), integration.SwitchAnswer{WorkspaceID: p.Switch.WorkspaceID, PendingID: p.Switch.PendingID,
		Confirm: decision == "confirm"}, b.nonce)
	b.keep(o)
	return pageOf(o)
}

// connectLink calls Connect as the admin and returns the start link.
func (e *env) connectLink(t *testing.T) string {
	t.Helper()
	u, _, err := e.svc.Connect(e.admin)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return u
}

// start opens a start link in browser b and returns the outcome (a redirect to HubSpot, or a failure).
func (e *env) start(t *testing.T, b *browser, link string) integration.Outcome {
	t.Helper()
	if !strings.HasPrefix(link, publicURL+integration.StartPath+"?") {
		t.Fatalf("start link %s is not on the gateway's own origin", link)
	}
	o := e.svc.Start(context.Background(), stateOf(t, link))
	b.keep(o)
	return o
}

// authorize calls Connect as the admin, opens the start link in the admin's browser and returns the HubSpot
// authorization URL it redirects to.
func (e *env) authorize(t *testing.T) string {
	t.Helper()
	return e.authorizeIn(t, e.browser)
}

func (e *env) authorizeIn(t *testing.T, b *browser) string {
	t.Helper()
	o := e.start(t, b, e.connectLink(t))
	if o.Result != integration.ResultRedirect {
		t.Fatalf("start link: result %d, want a redirect\n%s %s", o.Result, o.Title, o.Message)
	}
	return o.AuthURL
}

// consentPage loads the simulator's consent page for authURL, as a browser that does not follow redirects, and
// returns its HTML.
func (e *env) consentPage(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := e.sim.Client().Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: status %d\n%s", resp.StatusCode, b)
	}
	return html.UnescapeString(string(b))
}

// consent approves authURL on the simulator's consent page for portal, every scope ticked except untick, and
// returns where HubSpot redirects the browser (the gateway's callback URL).
func (e *env) consent(t *testing.T, authURL string, portal int64, untick ...string) string {
	t.Helper()
	f := parseForm(t, e.consentPage(t, authURL))
	v := url.Values{}
	pickedPortal := false
	for _, in := range f.inputs {
		switch {
		case in.typ == "hidden":
			v.Add(in.name, in.value)
		case in.typ == "radio" && in.name == "portal_id" && in.value == itoa(portal):
			v.Set(in.name, in.value)
			pickedPortal = true
		case in.typ == "checkbox" && in.checked && !slices.Contains(untick, in.value):
			v.Add(in.name, in.value)
		}
	}
	if !pickedPortal {
		t.Fatalf("consent page offers no portal %d", portal)
	}
	resp, err := e.sim.Client().PostForm(e.sim.URL()+f.action, v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent submit: status %d, want 302", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// connect runs the whole flow for portal (Connect, consent with every scope, callback) and returns the page.
func (e *env) connect(t *testing.T, portal int64) page {
	t.Helper()
	return e.callback(t, e.consent(t, e.authorize(t), portal))
}

// mustConnect connects portal and checks the success page.
func (e *env) mustConnect(t *testing.T, portal int64) page {
	t.Helper()
	p := e.connect(t, portal)
	if p.Result != integration.ResultConnected || !strings.Contains(p.Body, "HubSpot connected") {
		t.Fatalf("connect portal %d: result %d\n%s", portal, p.Result, p.Body)
	}
	return p
}

func (e *env) integration(t *testing.T) *convrs.HubspotIntegration {
	t.Helper()
	integ, err := e.svc.Integration(e.admin)
	if err != nil {
		t.Fatalf("Integration: %v", err)
	}
	return integ
}

func (e *env) mustState(t *testing.T, want convrs.IntegrationState) *convrs.HubspotIntegration {
	t.Helper()
	integ := e.integration(t)
	if integ.State != want {
		t.Fatalf("state = %s, want %s (error reason %q)", integ.State, want, integ.ErrorReason)
	}
	return integ
}

// mustNothingStored checks that the workspace holds no integration and no tokens.
func (e *env) mustNothingStored(t *testing.T) {
	t.Helper()
	integ := e.mustState(t, convrs.IntegrationDisconnected)
	if integ.PortalID != 0 || integ.Options != (convrs.HubspotOptions{}) {
		t.Errorf("disconnected integration holds portal %d, options %+v", integ.PortalID, integ.Options)
	}
	if sealed, err := e.db.HubspotTokens(e.admin, wsID); err != nil || sealed != nil {
		t.Errorf("HubspotTokens = %+v, %v; want none", sealed, err)
	}
}

// refreshToken opens the stored refresh token (with the gateway's key).
func (e *env) refreshToken(t *testing.T) string {
	t.Helper()
	sealed, err := e.db.HubspotTokens(e.admin, wsID)
	if err != nil || sealed == nil {
		t.Fatalf("HubspotTokens = %v, %v", sealed, err)
	}
	rt, err := e.box.Open(sealed.RefreshTokenEnc, "hubspot:refresh:"+wsID)
	if err != nil {
		t.Fatalf("open refresh token: %v", err)
	}
	return rt
}

// ageTokens makes the stored access token expire in d, as if it had been issued long ago.
func (e *env) ageTokens(t *testing.T, d time.Duration) {
	t.Helper()
	sealed, err := e.db.HubspotTokens(e.admin, wsID)
	if err != nil || sealed == nil {
		t.Fatalf("HubspotTokens = %v, %v", sealed, err)
	}
	sealed.ExpiresAt = time.Now().Add(d)
	if err := e.db.SaveHubspotTokens(e.admin, wsID, sealed.PortalID, *sealed); err != nil {
		t.Fatal(err)
	}
}

// requests returns the simulator's requests since the first skip ones with the given method and path, or whose
// path starts with it when it ends with "/".
func (e *env) requests(skip int, method, path string) []hubspotsim.RequestLog {
	var out []hubspotsim.RequestLog
	for _, r := range e.sim.Requests()[skip:] {
		if r.Method == method && (r.Path == path || strings.HasSuffix(path, "/") && strings.HasPrefix(r.Path, path)) {
			out = append(out, r)
		}
	}
	return out
}

// revocationLog sends the gateway's OAuth calls on and keeps the refresh tokens HubSpot accepted to revoke
// (the token travels in the form body, so the simulator's request log cannot tell which one), each with the
// number of simulator requests before it.
type revocationLog struct {
	sim  *hubspotsim.TestServer
	mu   sync.Mutex
	list []revocation
}

type revocation struct {
	after int
	token string
}

func (l *revocationLog) RoundTrip(r *http.Request) (*http.Response, error) {
	var form url.Values
	if r.Method == http.MethodPost && r.URL.Path == hubspot.OAuthPathRevoke && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		form, _ = url.ParseQuery(string(b))
	}
	n := len(l.sim.Requests())
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && form != nil && resp.StatusCode/100 == 2 && form.Get("token_type_hint") == hubspot.TokenTypeHintRefresh {
		l.mu.Lock()
		l.list = append(l.list, revocation{after: n, token: form.Get("token")})
		l.mu.Unlock()
	}
	return resp, err
}

// revokedTokens returns the refresh tokens the gateway revoked at the simulator since request skip.
func (e *env) revokedTokens(skip int) []string {
	e.revocations.mu.Lock()
	defer e.revocations.mu.Unlock()
	var out []string
	for _, r := range e.revocations.list {
		if r.after >= skip {
			out = append(out, r.token)
		}
	}
	return out
}

// mustBeRevoked checks at the simulator that HubSpot no longer knows refresh token rt.
func (e *env) mustBeRevoked(t *testing.T, rt string) {
	t.Helper()
	ctx := context.Background()
	if info, err := e.oauth.RefreshTokenInfo(ctx, rt); err == nil {
		t.Errorf("refresh token of portal %d still known to HubSpot", info.HubID)
	}
	if _, err := e.oauth.Refresh(ctx, rt); err == nil {
		t.Error("revoked refresh token still refreshes")
	}
}

// openConversation opens a conversation with the env's customer.
func (e *env) openConversation(t *testing.T) string {
	t.Helper()
	conv, err := e.db.OpenInbound(e.agent, e.custID, "web", "Hello?")
	if err != nil {
		t.Fatal(err)
	}
	return conv.ID
}

func (e *env) closeConversation(t *testing.T, id string) {
	t.Helper()
	if _, err := e.db.CloseConversation(e.agent, id); err != nil {
		t.Fatal(err)
	}
}

// syncs lists the workspace's transcript sync records, most recently closed first.
func (e *env) syncs(t *testing.T) []*convrs.HubspotSync {
	t.Helper()
	page, err := e.db.ListHubspotSyncs(e.admin, convrs.HubspotSyncFilter{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Nodes
}

// closeQueuesSync opens and closes a conversation of the customer, and reports whether the close queued its
// transcript sync (syncing is on).
func (e *env) closeQueuesSync(t *testing.T) bool {
	t.Helper()
	conv := e.openConversation(t)
	e.closeConversation(t, conv)
	s, err := e.db.HubspotSync(e.admin, conv)
	if convrs.ErrorCode(err) == convrs.ENOTFOUND {
		return false
	} else if err != nil {
		t.Fatal(err)
	}
	return s.Status == convrs.SyncQueued
}

// contactID returns the ID of the demo contact with email in portal.
func (e *env) contactID(t *testing.T, portal int64, email string) string {
	t.Helper()
	for _, c := range e.sim.Contacts(portal) {
		if c.Properties["email"] == email {
			return c.ID
		}
	}
	t.Fatalf("portal %d has no contact %s", portal, email)
	return ""
}

func (e *env) customer(t *testing.T) *convrs.Customer {
	t.Helper()
	c, err := e.db.FindCustomer(e.admin, e.custID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// announcements counts the messages waiting on sub. The in-memory pub/sub delivers before Publish returns,
// so whatever a call announced is already there when it returns.
func announcements(sub <-chan []byte) int {
	n := 0
	for {
		select {
		case <-sub:
			n++
		default:
			return n
		}
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := convrs.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// form is an HTML form as a browser reads it.
type form struct {
	action string
	inputs []input
}

type input struct {
	typ, name, value string
	checked          bool
}

var (
	formRe  = regexp.MustCompile(`<form\s[^>]*action="([^"]*)"`)
	inputRe = regexp.MustCompile(`<input\s([^>]*)>`)
	attrRe  = regexp.MustCompile(`([a-z_-]+)(?:="([^"]*)")?`)
)

// parseForm reads the first form of an (unescaped) page: enough HTML for the pages of html/template.
func parseForm(t *testing.T, body string) form {
	t.Helper()
	m := formRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form on the page:\n%s", body)
	}
	f := form{action: m[1]}
	for _, tag := range inputRe.FindAllStringSubmatch(body, -1) {
		var in input
		for _, a := range attrRe.FindAllStringSubmatch(tag[1], -1) {
			switch a[1] {
			case "type":
				in.typ = a[2]
			case "name":
				in.name = a[2]
			case "value":
				in.value = a[2]
			case "checked":
				in.checked = true
			}
		}
		f.inputs = append(f.inputs, in)
	}
	return f
}

// cancelLink is the consent page's Cancel link.
func cancelLink(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]*)">Cancel</a>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no Cancel link on the consent page:\n%s", body)
	}
	return m[1]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// callTogether releases n callers at once, each making one HubSpot API call through the service pick(i) returns
// (its token refreshed as needed), and fails the test for any call that fails.
func callTogether(t *testing.T, n int, pick func(i int) *integration.Service) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		svc := pick(i)
		wg.Go(func() {
			<-start
			c, _, err := svc.Client(context.Background(), wsID)
			if err == nil {
				_, _, err = c.Account.Details(context.Background())
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call: %v", err)
		}
	}
}
