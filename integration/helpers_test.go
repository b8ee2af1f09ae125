package integration_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	// browser is the admin's browser: the cookies the gateway set in it, sent back on every request.
	browser *browser
}

// browser keeps the cookies the gateway sets, by name (one host, so no domain or path matching is needed).
type browser struct {
	mu      sync.Mutex
	cookies map[string]*http.Cookie
}

func newBrowser() *browser { return &browser{cookies: map[string]*http.Cookie{}} }

// keep stores the cookies an answer set (and forgets those it expired).
func (b *browser) keep(resp *http.Response) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
}

// send adds the kept cookies to r.
func (b *browser) send(r *http.Request) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
}

func (b *browser) names() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for n := range b.cookies {
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
	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{
		RedirectURIs: []string{publicURL + integration.CallbackPath},
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", "hubspotsim"),
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
	e.oauth = &hubspot.OAuthConfig{
		ClientID: hubspotsim.DefaultClientID, ClientSecret: hubspotsim.DefaultClientSecret,
		RedirectURL: publicURL + integration.CallbackPath, Scopes: integration.RequiredScopes,
		AppURL: sim.URL(), APIURL: sim.URL(),
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

var tagRe = regexp.MustCompile(`<[^>]*>`)

// page is an HTML answer, unescaped for matching words.
type page struct {
	Status int
	Body   string
}

// mustContain checks that the page has each of words, in its HTML or in its text as a reader sees it.
func (p page) mustContain(t *testing.T, words ...string) {
	t.Helper()
	text := strings.Join(strings.Fields(tagRe.ReplaceAllString(p.Body, "")), " ")
	for _, w := range words {
		if !strings.Contains(p.Body, w) && !strings.Contains(text, w) {
			t.Errorf("page (status %d) lacks %q:\n%s", p.Status, w, p.Body)
		}
	}
}

// mustFail checks an error page: its status, its words, and the way back to Convrs.
func (p page) mustFail(t *testing.T, status int, words ...string) {
	t.Helper()
	if p.Status != status {
		t.Errorf("status = %d, want %d", p.Status, status)
	}
	p.mustContain(t, append(words, `<a class="button" href="`+backURL+`">Return to Convrs</a>`)...)
}

func readPage(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{Status: resp.StatusCode, Body: html.UnescapeString(string(b))}
}

// callback serves HubSpot's redirect to the gateway's callback handler, as the admin's browser would.
func (e *env) callback(t *testing.T, redirect string) page {
	t.Helper()
	return e.callbackFrom(t, e.browser, redirect)
}

// callbackFrom serves HubSpot's redirect as browser b would (nil: a browser without cookies).
func (e *env) callbackFrom(t *testing.T, b *browser, redirect string) page {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, redirect, nil)
	b.send(req)
	e.svc.CallbackHandler().ServeHTTP(rec, req)
	if b != nil {
		b.keep(rec.Result())
	}
	return readPage(t, rec.Result())
}

// confirm submits the portal-change confirmation form of p with decision ("confirm" or "cancel"), from the
// admin's browser on the gateway's page.
func (e *env) confirm(t *testing.T, p page, decision string) page {
	t.Helper()
	return e.confirmFrom(t, e.browser, publicURL, p, decision)
}

// confirmFrom submits the confirmation form of p from browser b, as a page of origin would.
func (e *env) confirmFrom(t *testing.T, b *browser, origin string, p page, decision string) page {
	t.Helper()
	f := parseForm(t, p.Body)
	if f.action != integration.ConfirmPath {
		t.Fatalf("confirmation form posts to %q, want %q", f.action, integration.ConfirmPath)
	}
	v := url.Values{"workspace": {f.value("workspace")}, "pending": {f.value("pending")}, "decision": {decision}}
	req := httptest.NewRequest(http.MethodPost, publicURL+integration.ConfirmPath, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	b.send(req)
	rec := httptest.NewRecorder()
	e.svc.ConfirmHandler().ServeHTTP(rec, req)
	if b != nil {
		b.keep(rec.Result())
	}
	return readPage(t, rec.Result())
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

// start opens a start link in browser b and returns the answer (a redirect to HubSpot, or an error page).
func (e *env) start(t *testing.T, b *browser, link string) *http.Response {
	t.Helper()
	if !strings.HasPrefix(link, publicURL+integration.StartPath+"?") {
		t.Fatalf("start link %s is not on the gateway's own origin", link)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, link, nil)
	b.send(req)
	e.svc.StartHandler().ServeHTTP(rec, req)
	b.keep(rec.Result())
	return rec.Result()
}

// authorize calls Connect as the admin, opens the start link in the admin's browser and returns the HubSpot
// authorization URL it redirects to.
func (e *env) authorize(t *testing.T) string {
	t.Helper()
	return e.authorizeIn(t, e.browser)
}

func (e *env) authorizeIn(t *testing.T, b *browser) string {
	t.Helper()
	resp := e.start(t, b, e.connectLink(t))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start link: status %d, want 303\n%s", resp.StatusCode, readPage(t, resp).Body)
	}
	return resp.Header.Get("Location")
}

// consentPage loads the simulator's consent page for authURL, as a browser that does not follow redirects.
func (e *env) consentPage(t *testing.T, authURL string) page {
	t.Helper()
	resp, err := e.sim.Client().Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	p := readPage(t, resp)
	if p.Status != http.StatusOK {
		t.Fatalf("consent page: status %d\n%s", p.Status, p.Body)
	}
	return p
}

// consent approves authURL on the simulator's consent page for portal, every scope ticked except untick, and
// returns where HubSpot redirects the browser (the gateway's callback URL).
func (e *env) consent(t *testing.T, authURL string, portal int64, untick ...string) string {
	t.Helper()
	f := parseForm(t, e.consentPage(t, authURL).Body)
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
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "HubSpot connected") {
		t.Fatalf("connect portal %d: status %d\n%s", portal, p.Status, p.Body)
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

// requests returns the simulator's requests since the first skip ones whose method and path start as given.
func (e *env) requests(skip int, method, pathPrefix string) []hubspotsim.RequestLog {
	var out []hubspotsim.RequestLog
	for _, r := range e.sim.Requests()[skip:] {
		if r.Method == method && strings.HasPrefix(r.Path, pathPrefix) {
			out = append(out, r)
		}
	}
	return out
}

// revokedTokens returns the refresh tokens the gateway revoked at the simulator since request skip.
func (e *env) revokedTokens(skip int) []string {
	var out []string
	for _, r := range e.requests(skip, http.MethodDelete, "/oauth/v1/refresh-tokens/") {
		if r.Status == http.StatusNoContent {
			out = append(out, strings.TrimPrefix(r.Path, "/oauth/v1/refresh-tokens/"))
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

func (e *env) hooks(t *testing.T) []string {
	t.Helper()
	hooks, err := e.db.Hooks(e.admin)
	if err != nil {
		t.Fatal(err)
	}
	return hooks
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

func (f form) value(name string) string {
	for _, in := range f.inputs {
		if in.name == name {
			return in.value
		}
	}
	return ""
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
