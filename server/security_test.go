package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
)

// Without APP_ENV the gateway is in production: it refuses to start without its secrets, naming the first
// missing one and saying how to get the demo, and writes no development secrets.
func TestAppEnvDefaultsToProduction(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadConfig(env("DATA_DIR", dir))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Var != "SESSION_SECRET" || !strings.Contains(err.Error(), "APP_ENV=development") {
		t.Fatalf("error = %v, want SESSION_SECRET required, mentioning APP_ENV=development", err)
	}
	var out strings.Builder
	if err := run(context.Background(), nil, env("DATA_DIR", dir, "PORT", "1"), &out, io.Discard); err == nil || !strings.Contains(err.Error(), "SESSION_SECRET") {
		t.Errorf("serve without APP_ENV or secrets: %v, want a refusal naming SESSION_SECRET", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secrets.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("development secrets written without APP_ENV (stat: %v)", err)
	}

	// Every production variable but APP_ENV: production, listening on every interface, no metrics listener.
	full := productionEnv(t.TempDir())[2:]
	cfg, err := LoadConfig(env(full...))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Development() || cfg.ListenAddr != ":8080" || cfg.MetricsAddr != "" {
		t.Errorf("without APP_ENV: env %s, listen %q, metrics %q", cfg.Env, cfg.ListenAddr, cfg.MetricsAddr)
	}
	app := newTestAppEnv(t, full...)
	if w := serve(t, app, "GET", "/auth/dev/staff", ""); w.Code != http.StatusNotFound {
		t.Errorf("without APP_ENV /auth/dev/staff = %d, want 404", w.Code)
	}
}

func TestListenAndMetricsConfig(t *testing.T) {
	for _, tc := range []struct {
		name            string
		env             []string
		listen, metrics string
	}{
		{"development", nil, "127.0.0.1:8080", "127.0.0.1:9090"},
		{"development, all interfaces", []string{"LISTEN_ADDR", ":8080"}, ":8080", "127.0.0.1:9090"},
		{"development, port", []string{"PORT", "9000"}, "127.0.0.1:9000", "127.0.0.1:9090"},
		{"development, metrics off", []string{"METRICS_ADDR", "off"}, "127.0.0.1:8080", ""},
		{"production metrics", []string{"APP_ENV", "production", "METRICS_ADDR", "10.0.0.5:9100"}, ":8080", "10.0.0.5:9100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := append(append([]string{"DATA_DIR", t.TempDir()}, tc.env...), "APP_ENV", "development")
			if tc.env != nil && tc.env[0] == "APP_ENV" {
				kv = append(productionEnv(t.TempDir()), tc.env[2:]...)
			}
			cfg, err := LoadConfig(env(kv...))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.ListenAddr != tc.listen || cfg.MetricsAddr != tc.metrics {
				t.Errorf("listen %q, metrics %q; want %q, %q", cfg.ListenAddr, cfg.MetricsAddr, tc.listen, tc.metrics)
			}
		})
	}
	for v, bad := range map[string]string{"LISTEN_ADDR": "8080", "METRICS_ADDR": "localhost", "FRAME_ANCESTORS": "https://ok.example 'unsafe-inline'"} {
		_, err := LoadConfig(devEnv("DATA_DIR", t.TempDir(), v, bad))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != v {
			t.Errorf("%s=%q: %v, want a ConfigError naming %s", v, bad, err, v)
		}
	}
}

// startServing runs `serve` with kv until the test ends and returns the gateway's and the metrics listener's
// addresses, read from its log.
func startServing(t *testing.T, kv ...string) (addr, metrics string) {
	t.Helper()
	addr, metrics, _ = startServingLog(t, kv...)
	return addr, metrics
}

// startServingLog is startServing that also returns what the gateway wrote to its log output.
func startServingLog(t *testing.T, kv ...string) (addr, metrics string, log *signalWriter) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &signalWriter{marker: "gateway listening", ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, env(kv...), io.Discard, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15 s")
		}
	})
	select {
	case <-out.ready:
	case err := <-done:
		t.Fatalf("serve returned: %v\n%s", err, out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30 s:\n%s", out.String())
	}
	if m := regexp.MustCompile(`gateway listening.*? addr=(\S+)`).FindStringSubmatch(out.String()); m != nil {
		addr = m[1]
	}
	if m := regexp.MustCompile(`metrics listening"? addr=(\S+)`).FindStringSubmatch(out.String()); m != nil {
		metrics = m[1]
	}
	return addr, metrics, out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func get(t *testing.T, url, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Development mode listens on loopback only, answers only to its own host names (no DNS rebinding), and
// serves /metrics on its metrics address, not on the main listener.
func TestDevelopmentListener(t *testing.T) {
	port := freePort(t)
	addr, metrics := startServing(t, "APP_ENV", "development", "DATA_DIR", t.TempDir(), "PORT", port,
		"PUBLIC_URL", "http://gateway.test:"+port, "HUBSPOT_SIM_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0", "LOG_LEVEL", "info")
	if addr != "127.0.0.1:"+port {
		t.Fatalf("development listens on %q, want 127.0.0.1:%s", addr, port)
	}
	base := "http://" + addr
	for host, want := range map[string]int{
		"":                         200, // 127.0.0.1:port
		"localhost:" + port:        200,
		"gateway.test:" + port:     200, // PUBLIC_URL's host
		"evil.example:" + port:     http.StatusMisdirectedRequest,
		"localhost.evil.example":   http.StatusMisdirectedRequest,
		"127.0.0.1.nip.io:" + port: http.StatusMisdirectedRequest,
	} {
		if code, body := get(t, base+"/healthz", host); code != want {
			t.Errorf("Host %q: status %d (%.80s), want %d", host, code, body, want)
		}
	}
	if metrics == "" || !strings.HasPrefix(metrics, "127.0.0.1:") {
		t.Fatalf("metrics listener %q, want one on loopback", metrics)
	}
	if code, body := get(t, "http://"+metrics+"/metrics", ""); code != 200 || !strings.Contains(body, `convrs_http_requests_total{code="200",route="healthz"}`) {
		t.Errorf("metrics listener: %d %.200s", code, body)
	}
	if code, body := get(t, base+"/metrics", ""); code != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on the main listener: %d %.200s, want 404", code, body)
	}
}

// In development the console has one address, PUBLIC_URL's: the same listener reached by another loopback name
// sends the browser there, path and query kept, and prints that address at start.
func TestDevelopmentOneAddress(t *testing.T) {
	port := freePort(t)
	addr, _, out := startServingLog(t, "APP_ENV", "development", "DATA_DIR", t.TempDir(), "PORT", port,
		"HUBSPOT_SIM_ADDR", "127.0.0.1:0", "LOG_LEVEL", "info")
	public := "http://localhost:" + port
	if !strings.Contains(out.String(), "Convrs is running on "+public+"\n") {
		t.Errorf("start output lacks the address:\n%s", out.String())
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, host := range []string{"127.0.0.1:" + port, "[::1]:" + port} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/oauth/hubspot/callback?state=s&code=c", nil)
		req.Host = host
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := public + "/oauth/hubspot/callback?state=s&code=c"; resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
			t.Errorf("Host %s: %d to %q, want 302 to %s", host, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	for host, want := range map[string]int{"localhost:" + port: 200, "127.0.0.1:5173": 200} { // PUBLIC_URL itself; a dev server's proxy
		if code, body := get(t, "http://"+addr+"/healthz", host); code != want {
			t.Errorf("Host %q: status %d (%.80s), want %d", host, code, body, want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	dev := newTestApp(t)
	w := serve(t, dev, "GET", "/", "")
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'self'", "connect-src 'self' ws://example.com wss://example.com"} {
		if !strings.Contains(csp, want) {
			t.Errorf("console CSP %q lacks %q", csp, want)
		}
	}
	if got := w.Header().Get("X-Frame-Options"); got != "SAMEORIGIN" {
		t.Errorf("console X-Frame-Options = %q", got)
	}
	if got := w.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("development sends HSTS %q", got)
	}
	w = serve(t, dev, "POST", "/query", `{"query":"{ me { name } }"}`)
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("GraphQL Cache-Control = %q, want no-store", got)
	}
	for _, path := range []string{"/oauth/hubspot/callback?state=x&code=y", "/oauth/hubspot/start?state=x"} {
		w = serve(t, dev, "GET", path, "")
		if got := w.Header().Get("X-Frame-Options"); got != "DENY" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: X-Frame-Options %q, CSP %q; want them unframeable", path, got, w.Header().Get("Content-Security-Policy"))
		}
	}

	prod := newTestAppEnv(t, append(productionEnv(t.TempDir()), "FRAME_ANCESTORS", "https://crm.example.com https://*.partner.example")...)
	w = serve(t, prod, "GET", "/", "")
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://crm.example.com https://*.partner.example") {
		t.Errorf("production CSP %q lacks the FRAME_ANCESTORS", csp)
	}
	if got := w.Header().Get("X-Frame-Options"); got != "" {
		t.Errorf("X-Frame-Options %q would forbid the FRAME_ANCESTORS", got)
	}
	if got := w.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("production HSTS = %q", got)
	}
}

// In production only the gateway's own origin may open websockets; local origins are development only.
func TestWebsocketOriginsProduction(t *testing.T) {
	app := newTestAppEnv(t, productionEnv(t.TempDir())...)
	for origin, accepted := range map[string]bool{
		"https://convrs.example.com": true,
		"http://localhost:8080":      false,
		"http://127.0.0.1:5173":      false,
		"https://evil.example":       false,
		"":                           false, // no browser: scripts use POST
	} {
		opts := []client.Option{client.Path("/query")}
		if origin != "" {
			opts = append(opts, client.AddHeader("Origin", origin))
		}
		sub := client.New(app.handler, opts...).WebsocketWithPayload(`subscription { conversationEvents { kind } }`, nil)
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
}

// The data directory and the SQLite files are private to the gateway's user, an existing DATA_DIR included.
func TestDataFilesPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	app := newTestAppEnv(t, "APP_ENV", "development", "DATA_DIR", dir, "HUBSPOT_SIM_ADDR", "127.0.0.1:0", "LOG_LEVEL", "error")
	serve(t, app, "GET", "/auth/dev/staff", "") // the database is in use
	for _, p := range []string{dir, filepath.Join(dir, "convrs.db"), filepath.Join(dir, "convrs.db-wal"), filepath.Join(dir, "secrets.json")} {
		info, err := os.Stat(p)
		if err != nil {
			if strings.HasSuffix(p, "-wal") && errors.Is(err, os.ErrNotExist) {
				continue
			}
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s is %v: readable by other users", filepath.Base(p), perm)
		}
	}
	// A SQLite file outside DATA_DIR is created private too.
	other := filepath.Join(t.TempDir(), "elsewhere", "prod.db")
	newTestApp(t, "DATABASE_URL", "sqlite://"+other)
	if info, err := os.Stat(other); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("new database file: %v %v, want 0600", info.Mode().Perm(), err)
	}
}
