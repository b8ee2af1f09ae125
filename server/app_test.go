package main

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/internal/testkit"
)

// newTestApp builds the app in development mode on a temporary data directory (SQLite, the simulator on a
// free port); extra environment pairs are added or override.
func newTestApp(t *testing.T, extra ...string) *App {
	t.Helper()
	return newTestAppEnv(t, append([]string{"APP_ENV", "development", "DATA_DIR", t.TempDir(), "HUBSPOT_SIM_ADDR", "127.0.0.1:0", "LOG_LEVEL", "error"}, extra...)...)
}

func newTestAppEnv(t *testing.T, kv ...string) *App {
	t.Helper()
	cfg, err := LoadConfig(env(kv...))
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	return app
}

// serve sends one request to the app's handler.
func serve(t *testing.T, app *App, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	app.handler.ServeHTTP(w, r)
	return w
}

// serveMetrics asks the app's metrics listener (METRICS_ADDR) for /metrics.
func serveMetrics(t *testing.T, app *App) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	app.metricsHandler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w
}

func decodeJSON(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	app := newTestApp(t)
	w := serve(t, app, "GET", "/healthz", "")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"status":"ok"}` {
		t.Errorf("/healthz = %d %s", w.Code, w.Body)
	}
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	w = serve(t, app, "GET", "/readyz", "")
	var checks map[string]string
	decodeJSON(t, w, &checks)
	if w.Code != 200 || !cmp.Equal(checks, map[string]string{"database": "ok"}) {
		t.Errorf("/readyz = %d %v", w.Code, checks)
	}

	app.db.Close()
	w = serve(t, app, "GET", "/readyz", "")
	decodeJSON(t, w, &checks)
	if w.Code != http.StatusServiceUnavailable || checks["database"] != "unreachable" {
		t.Errorf("/readyz with the database closed = %d %v", w.Code, checks)
	}
}

func TestReadinessWithRedis(t *testing.T) {
	app := newTestApp(t, "REDIS_URL", testkit.RedisURL(t))
	w := serve(t, app, "GET", "/readyz", "")
	var checks map[string]string
	decodeJSON(t, w, &checks)
	if w.Code != 200 || !cmp.Equal(checks, map[string]string{"database": "ok", "redis": "ok"}) {
		t.Errorf("/readyz = %d %v", w.Code, checks)
	}
}

func TestMetrics(t *testing.T) {
	app := newTestApp(t)
	serve(t, app, "GET", "/healthz", "")
	serve(t, app, "GET", "/healthz", "")
	serve(t, app, "GET", "/no/such/page", "")
	w := serveMetrics(t, app)
	body := w.Body.String()
	for _, want := range []string{
		`convrs_http_requests_total{code="200",route="healthz"} 2`,
		`convrs_http_request_duration_seconds_count{route="healthz"} 2`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

type devStaff struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	WorkspaceID   string `json:"workspaceId"`
	WorkspaceName string `json:"workspaceName"`
}

func TestDevSignIn(t *testing.T) {
	app := newTestApp(t)
	w := serve(t, app, "GET", "/auth/dev/staff", "")
	var staff []devStaff
	decodeJSON(t, w, &staff)
	want := []devStaff{
		{"stf_ada", "Ada Admin", "ada@acme.test", "admin", "ws_demo", "Acme Support"},
		{"stf_sam", "Sam Agent", "sam@acme.test", "agent", "ws_demo", "Acme Support"},
		{"stf_gina", "Gina Globex", "gina@globex.test", "admin", "ws_globex", "Globex Sales"},
	}
	if diff := cmp.Diff(want, staff); w.Code != 200 || diff != "" {
		t.Errorf("/auth/dev/staff = %d (-want +got):\n%s", w.Code, diff)
	}

	w = serve(t, app, "POST", "/auth/dev/signin", `{"staffId":"stf_gina"}`)
	var out struct {
		Token string `json:"token"`
	}
	decodeJSON(t, w, &out)
	if w.Code != 200 || out.Token == "" {
		t.Fatalf("/auth/dev/signin = %d %s", w.Code, w.Body)
	}
	var me struct {
		Me struct {
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"me"`
		Workspace struct {
			Name string `json:"name"`
		} `json:"workspace"`
	}
	c := client.New(app.handler, client.Path("/query"), client.AddHeader("Authorization", "Bearer "+out.Token))
	if err := c.Post(`{ me { name role } workspace { name } }`, &me); err != nil {
		t.Fatal(err)
	}
	if me.Me.Name != "Gina Globex" || me.Me.Role != "ADMIN" || me.Workspace.Name != "Globex Sales" {
		t.Errorf("me with the dev token = %+v", me)
	}

	for body, code := range map[string]int{
		`{"staffId":"stf_nobody"}`: 404,
		`{}`:                       400,
		`not json`:                 400,
	} {
		w := serve(t, app, "POST", "/auth/dev/signin", body)
		var e map[string]string
		decodeJSON(t, w, &e)
		if w.Code != code || e["error"] == "" || e["token"] != "" {
			t.Errorf("/auth/dev/signin %s = %d %v, want %d with an error", body, w.Code, e, code)
		}
	}
}

func TestQueryWithoutTokenIsUnauthorized(t *testing.T) {
	app := newTestApp(t)
	raw, err := client.New(app.handler, client.Path("/query")).RawPost(`{ me { name } }`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw.Errors), `"code":"EUNAUTHORIZED"`) {
		t.Errorf("errors = %s", raw.Errors)
	}
}

// TestWebsocketOrigins tells a refused upgrade ("dial" fails) from an accepted one by sending no token: an
// accepted websocket then fails later, at connection_init.
func TestWebsocketOrigins(t *testing.T) {
	app := newTestApp(t)
	for origin, accepted := range map[string]bool{
		"https://evil.example":  false,
		"http://localhost:8080": true,
		"http://127.0.0.1:5173": true,
		"":                      true, // not a browser
	} {
		var opts []client.Option
		if origin != "" {
			opts = append(opts, client.AddHeader("Origin", origin))
		}
		sub := client.New(app.handler, append(opts, client.Path("/query"))...).WebsocketWithPayload(`subscription { conversationEvents { kind } }`, nil)
		err := sub.Next(&struct{}{})
		_ = sub.Close()
		want := "dial"
		if accepted {
			want = "connection_error"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("origin %q: %v, want %q", origin, err, want)
		}
	}
	// The metrics count the refusal as the 403 the client got.
	if body := serveMetrics(t, app).Body.String(); !strings.Contains(body, `convrs_http_requests_total{code="403",route="query"} 1`) {
		t.Errorf("/metrics does not count the refused upgrade as 403:\n%s", grepLines(body, "convrs_http_requests_total"))
	}
}

func grepLines(text, substr string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestProductionHasNoDevSignIn(t *testing.T) {
	dir := t.TempDir()
	app := newTestAppEnv(t, productionEnv(dir)...)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/auth/dev/staff", ""},
		{"POST", "/auth/dev/signin", `{"staffId":"stf_ada"}`},
	} {
		w := serve(t, app, r.method, r.path, r.body)
		if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "token") {
			t.Errorf("production %s %s = %d %.80q, want 404", r.method, r.path, w.Code, w.Body.String())
		}
	}
	// Production neither seeds demo data nor serves the simulator.
	if app.sim != nil {
		t.Error("production started the HubSpot simulator")
	}
	if entries, err := app.db.StaffDirectory(context.Background()); err != nil || len(entries) != 0 {
		t.Errorf("production seeded staff: %v %v", entries, err)
	}
}

func TestSPA(t *testing.T) {
	index, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		t.Skip("the frontend is not built (make build); nothing to serve")
	}
	app := newTestApp(t)
	for _, path := range []string{"/", "/chat/123", "/integrations/hubspot"} {
		w := serve(t, app, "GET", path, "")
		if w.Code != 200 || w.Body.String() != string(index) || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
			w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s = %d %s %q, want index.html", path, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
		}
	}
	assets, err := fs.Glob(dist, "dist/assets/*")
	if err != nil || len(assets) == 0 {
		t.Fatalf("no built assets: %v", err)
	}
	asset := strings.TrimPrefix(assets[0], "dist")
	want, err := fs.ReadFile(dist, assets[0])
	if err != nil {
		t.Fatal(err)
	}
	w := serve(t, app, "GET", asset, "")
	if w.Code != 200 || w.Body.String() != string(want) || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d, Cache-Control %q", asset, w.Code, w.Header().Get("Cache-Control"))
	}
	if filepath.Ext(asset) == ".js" && !strings.Contains(w.Header().Get("Content-Type"), "javascript") {
		t.Errorf("GET %s: Content-Type %q", asset, w.Header().Get("Content-Type"))
	}
}

func TestOAuthCallbackRouted(t *testing.T) {
	app := newTestApp(t)
	w := serve(t, app, "GET", "/oauth/hubspot/callback?state=bad&code=x", "")
	body := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "connection link") || !strings.Contains(body, "Return to Convrs") {
		t.Errorf("callback with a bad state = %d %s", w.Code, body)
	}
	w = serve(t, app, "GET", "/oauth/hubspot/callback?error=access_denied", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "cancelled") {
		t.Errorf("callback after a cancel on HubSpot = %d %s", w.Code, w.Body)
	}
}

// A request body over the limit is refused before it is read into memory; normal requests still work.
func TestQueryBodyLimit(t *testing.T) {
	app := newTestApp(t)
	huge := `{"query":"{ me { name } }","variables":{"pad":"` + strings.Repeat("x", maxQueryBytes) + `"}}`
	w := serve(t, app, "POST", "/query", huge)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "too large") {
		t.Fatalf("status %d, body %.200s; want 413 saying it is too large", w.Code, w.Body.String())
	}
	// Without a Content-Length (chunked), the reader stops at the limit instead.
	r := httptest.NewRequest("POST", "/query", io.MultiReader(strings.NewReader(huge)))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	app.handler.ServeHTTP(w, r)
	if body := w.Body.String(); !strings.Contains(body, "request body too large") || strings.Contains(body, "EUNAUTHORIZED") {
		t.Fatalf("a chunked oversize body was not refused as too large: %d %.200s", w.Code, body)
	}
	w = serve(t, app, "POST", "/query", `{"query":"{ me { name } }"}`)
	if !strings.Contains(w.Body.String(), "EUNAUTHORIZED") {
		t.Fatalf("a normal request after the oversize ones: %d %s", w.Code, w.Body.String())
	}
}

func TestEmbeddedSimulatorSettings(t *testing.T) {
	app := newTestApp(t)
	if !app.sim.LegacyAPIs() || app.sim.Webhooks().Subscriptions[0].EventType != "object.creation" {
		t.Errorf("defaults: legacy APIs %v, subscriptions %+v (want the generic form the shipped project declares)", app.sim.LegacyAPIs(), app.sim.Webhooks().Subscriptions)
	}
	if app := newTestApp(t, "HUBSPOT_SIM_WEBHOOKS", "contact"); app.sim.Webhooks().Subscriptions[0].EventType != "contact.creation" {
		t.Errorf("HUBSPOT_SIM_WEBHOOKS=contact subscribed %+v", app.sim.Webhooks().Subscriptions)
	}
	app = newTestApp(t, "HUBSPOT_SIM_LEGACY_APIS", "off", "HUBSPOT_SIM_WEBHOOKS", "object")
	if app.sim.LegacyAPIs() {
		t.Error("HUBSPOT_SIM_LEGACY_APIS=off left the legacy APIs on")
	}
	var types []string
	for _, s := range app.sim.Webhooks().Subscriptions {
		types = append(types, s.EventType+"/"+s.ObjectType)
	}
	if !strings.HasPrefix(strings.Join(types, " "), "object.creation/contact ") || !strings.HasSuffix(strings.Join(types, " "), "contact.privacyDeletion/") {
		t.Errorf("HUBSPOT_SIM_WEBHOOKS=object subscribed %v", types)
	}
}
