package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/integration"
)

// dist is the built frontend (npm run build writes it; .gitkeep keeps the folder for fresh clones).
//
//go:embed all:dist
var dist embed.FS

func (a *App) routes(r *graph.Resolver) http.Handler {
	a.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "convrs_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "convrs_http_request_duration_seconds", Help: "HTTP request duration by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	a.metrics.MustRegister(requests, duration)

	mux := http.NewServeMux()
	handle := func(pattern, route string, h http.Handler) {
		mux.Handle(pattern, instrument(route, requests, duration, a.withDeadlines(h)))
	}
	handle("/query", "query", limitBody(maxQueryBytes, interactive(a.signer.Middleware(a.graphQL(r)))))
	handle("GET /healthz", "healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) }))
	handle("GET /readyz", "readyz", http.HandlerFunc(a.readyz))
	// Served on METRICS_ADDR only; a scraper pointed here gets a 404 rather than the SPA.
	handle("/metrics", "metrics_off", http.NotFoundHandler())
	connect := &hubspotConnect{svc: a.hubspot, publicURL: a.cfg.PublicURL}
	handle("GET "+integration.StartPath, "oauth_start", http.HandlerFunc(connect.start))
	handle("GET "+integration.CallbackPath, "oauth_callback", http.HandlerFunc(connect.callback))
	handle("POST "+integration.ConfirmPath, "oauth_confirm", http.HandlerFunc(connect.confirm))
	handle("POST "+WebhookPath, "hubspot_webhook", a.webhook)
	handle("GET "+HubspotCardPath, "hubspot_card", a.hubspotCard())
	if a.cfg.Development() {
		handle("GET /auth/dev/staff", "dev_staff", http.HandlerFunc(a.devStaff))
		handle("POST /auth/dev/signin", "dev_signin", http.HandlerFunc(a.devSignin))
	} else {
		// Without this the SPA fallback would answer 200 with index.html, and the sign-in page reads 404 as "off".
		handle("/auth/dev/", "dev_off", http.NotFoundHandler())
	}
	handle("/", "spa", spaHandler())
	return a.securityHeaders(mux)
}

// metricsHandler serves /metrics, on its own listener (METRICS_ADDR), never on the public one: the counts and
// process details are for the operator's scraper only.
func (a *App) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}))
	return mux
}

// Deadlines of a request that is not a websocket.
const (
	defaultReadTimeout  = 15 * time.Second
	defaultWriteTimeout = 60 * time.Second
)

// withDeadlines gives a request until the read timeout to arrive whole and until the write timeout to be
// answered, so a client sending its body a byte at a time cannot hold a request open. Websocket upgrades are
// left without deadlines: they live as long as their session.
func (a *App) withDeadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			rc := http.NewResponseController(w)
			now := time.Now()
			// Errors mean a writer without deadlines (tests' recorders): nothing to bound there.
			_ = rc.SetReadDeadline(now.Add(a.readTimeout))
			_ = rc.SetWriteDeadline(now.Add(a.writeTimeout))
		}
		next.ServeHTTP(w, r)
	})
}

// interactive marks GraphQL requests (and the subscriptions of a websocket) as people's: their HubSpot calls
// stay out of the share of the budget kept for the transcript sync.
func interactive(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(hubspot.NewInteractiveContext(r.Context())))
	})
}

// maxQueryBytes bounds a GraphQL request body: the largest legitimate one (a 20,000-character message,
// JSON-escaped) is far smaller, and a bigger one must not be buffered in memory.
const maxQueryBytes = 1 << 20

// limitBody refuses bodies over n bytes with 413 before anything reads them into memory.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"errors": []map[string]any{{
				"message": fmt.Sprintf("The request is too large (%d bytes at most).", n), "extensions": map[string]string{"code": "EINVALID"},
			}}})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

// WriteHeader records the status the client got: the first one (gqlgen writes a second, ignored, 400 after a
// refused websocket upgrade has already answered 403).
func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController (and the websocket upgrade) reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func instrument(route string, requests *prometheus.CounterVec, duration *prometheus.HistogramVec, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: 200}
		h.ServeHTTP(rec, r)
		requests.WithLabelValues(route, strconv.Itoa(rec.code)).Inc()
		duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// securityHeaders sets the headers every answer carries, and those of its kind: GraphQL answers (personal data)
// are never stored by caches; the OAuth pages (which set their own CSP) cannot be framed; the console can be
// framed by its own origin and the FRAME_ANCESTORS only. Production adds HSTS.
func (a *App) securityHeaders(next http.Handler) http.Handler {
	ancestors := strings.Join(append([]string{"'self'"}, a.cfg.FrameAncestors...), " ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !a.cfg.Development() {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		switch {
		case r.URL.Path == "/query":
			h.Set("Cache-Control", "no-store")
		case strings.HasPrefix(r.URL.Path, "/oauth/"):
			h.Set("X-Frame-Options", "DENY")
		default:
			h.Set("Content-Security-Policy", consoleCSP(r.Host, ancestors))
			if len(a.cfg.FrameAncestors) == 0 {
				h.Set("X-Frame-Options", "SAMEORIGIN") // for browsers without frame-ancestors
			}
		}
		next.ServeHTTP(w, r)
	})
}

// consoleCSP allows the console's own scripts, styles and API (HTTP and websockets) and nothing else.
func consoleCSP(host, ancestors string) string {
	connect := "'self'"
	if host != "" && !strings.ContainsAny(host, " ;,'\"") {
		connect += " ws://" + host + " wss://" + host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
		"connect-src " + connect + "; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors " + ancestors
}

// checkHost refuses requests whose Host is not the gateway's (development mode): a web page on another site
// cannot reach a development gateway through DNS rebinding (its requests carry the attacker's host name). A
// loopback alias of PUBLIC_URL's host (127.0.0.1 for localhost) is redirected to PUBLIC_URL.
func checkHost(cfg *Config, next http.Handler) http.Handler {
	allowed := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	loopback := maps.Clone(allowed)
	public, err := url.Parse(cfg.PublicURL)
	if err != nil {
		public = &url.URL{}
	}
	publicHost := strings.ToLower(public.Hostname())
	allowed[publicHost] = true
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, port := r.Host, ""
		if h, p, err := net.SplitHostPort(host); err == nil {
			host, port = h, p
		}
		host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
		if !allowed[host] {
			http.Error(w, "Unknown host: a development gateway answers only to localhost, 127.0.0.1 and its PUBLIC_URL's host.", http.StatusMisdirectedRequest)
			return
		}
		// One address: the session and HubSpot's redirect belong to PUBLIC_URL's origin, so the same listener
		// reached by another loopback name sends the browser there (a dev server proxying from its own port
		// is left alone).
		if host != publicHost && loopback[host] && loopback[publicHost] && port == public.Port() && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			http.Redirect(w, r, cfg.PublicURL+r.URL.RequestURI(), http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// readyz answers 200 when the database (and Redis, if configured) answer within 2 s.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok"}
	code := http.StatusOK
	if err := a.db.Ping(ctx); err != nil {
		checks["database"], code = "unreachable", http.StatusServiceUnavailable
	}
	if a.redis != nil {
		checks["redis"] = "ok"
		if err := a.redis.Ping(ctx).Err(); err != nil {
			checks["redis"], code = "unreachable", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, code, checks)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

type devStaffJSON struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	WorkspaceID   string `json:"workspaceId"`
	WorkspaceName string `json:"workspaceName"`
}

// devStaff lists the staff a person can sign in as on the development sign-in page.
func (a *App) devStaff(w http.ResponseWriter, r *http.Request) {
	entries, err := a.db.StaffDirectory(r.Context())
	if err != nil {
		a.logger.Error("dev staff", "error", err)
		writeJSON(w, 500, map[string]string{"error": "Internal error."})
		return
	}
	out := make([]devStaffJSON, len(entries))
	for i, e := range entries {
		out[i] = devStaffJSON{ID: e.Staff.ID, Name: e.Staff.Name, Email: e.Staff.Email, Role: string(e.Staff.Role), WorkspaceID: e.Staff.WorkspaceID, WorkspaceName: e.WorkspaceName}
	}
	writeJSON(w, 200, out)
}

// devSignin issues a session token for a staff member, without a password: development mode only.
func (a *App) devSignin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		StaffID string `json:"staffId"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.StaffID == "" {
		writeJSON(w, 400, map[string]string{"error": "Send {\"staffId\": \"…\"}."})
		return
	}
	s, err := a.db.StaffByID(r.Context(), in.StaffID)
	if err != nil {
		writeJSON(w, 404, map[string]string{"error": "No such staff member."})
		return
	}
	tok, err := a.signer.Issue(convrs.Principal{StaffID: s.ID, WorkspaceID: s.WorkspaceID, Role: s.Role}, 12*time.Hour)
	if err != nil {
		writeJSON(w, 500, map[string]string{"error": "Internal error."})
		return
	}
	writeJSON(w, 200, map[string]string{"token": tok})
}

// spaHandler serves the built frontend: files as they are, and index.html for every other path so that the
// single-page app's own routes load.
func spaHandler() http.Handler {
	sub, _ := fs.Sub(dist, "dist")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/")
		if path != "" {
			if f, err := sub.Open(path); err == nil {
				f.Close()
				if strings.HasPrefix(path, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		index, err := fs.ReadFile(sub, "index.html")
		if err != nil {
			http.Error(w, "The frontend is not built: run `make build` (or `npm run build`).", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}
