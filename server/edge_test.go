package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot"
)

// A refused webhook logs one bounded line (never the query string), and refusals are logged at most once a
// second with the count of those not logged: 50 requests with 500 KiB query strings once wrote 25 MB of log.
func TestWebhookRefusalLogBoundedAndThrottled(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	h, s, logs := newWebhookHandler(t, "https://convrs.test", now)
	query := "?junk=" + strings.Repeat("x", 500<<10)
	stamp := strconv.FormatInt(now.UnixMilli(), 10)
	for i := range 50 {
		r := httptest.NewRequest(http.MethodPost, "https://convrs.test"+WebhookPath+query, strings.NewReader(`[]`))
		if i%2 == 0 { // half reach the HMAC (fresh timestamp, wrong signature), half lack the headers
			r.Header.Set(hubspot.HeaderRequestTimestamp, stamp)
			r.Header.Set(hubspot.HeaderSignatureV3, "forged")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("request %d: status %d, want 401", i, w.Code)
		}
	}
	first := logs.Len()
	t.Logf("log bytes for 50 refused webhooks with 500 KiB query strings: %d", first)
	if first == 0 || first > 2<<10 {
		t.Errorf("50 refusals wrote %d bytes of log, want one line under 2 KiB:\n%.3000s", first, logs.String())
	}
	if n := strings.Count(logs.String(), "x"); n > 250 {
		t.Errorf("%d bytes of the query string were logged, want the URI cut to 200 bytes", n)
	}
	// A second later the next refusal is logged, saying how many were not.
	h.now = func() time.Time { return now.Add(time.Second) }
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "https://convrs.test"+WebhookPath+query, nil))
	if line := logs.String()[first:]; !strings.Contains(line, "refusals_not_logged=49") || len(line) > 2<<10 {
		t.Errorf("next refusal's line: %.500s", line)
	}
	if s.count() != 0 {
		t.Error("a refused request reached the service")
	}
}

// bodyWatch records whether anything read the request body.
type bodyWatch struct {
	io.Reader
	read bool
}

func (b *bodyWatch) Read(p []byte) (int, error) { b.read = true; return b.Reader.Read(p) }
func (b *bodyWatch) Close() error               { return nil }

// Missing signature headers or a stale timestamp are refused before the body is read or hashed.
func TestWebhookHeadersCheckedBeforeBody(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for name, headers := range map[string]map[string]string{
		"no signature": {hubspot.HeaderRequestTimestamp: strconv.FormatInt(now.UnixMilli(), 10)},
		"no timestamp": {hubspot.HeaderSignatureV3: "sig"},
		"stale":        {hubspot.HeaderSignatureV3: "sig", hubspot.HeaderRequestTimestamp: strconv.FormatInt(now.Add(-time.Hour).UnixMilli(), 10)},
	} {
		t.Run(name, func(t *testing.T) {
			h, _, _ := newWebhookHandler(t, "https://convrs.test", now)
			body := &bodyWatch{Reader: bytes.NewReader(bytes.Repeat([]byte("a"), 1<<20))}
			r := httptest.NewRequest(http.MethodPost, "https://convrs.test"+WebhookPath, nil)
			r.Body = body
			for k, v := range headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized || body.read {
				t.Errorf("status %d, body read: %v; want 401 without reading it", w.Code, body.read)
			}
		})
	}
}

// startPublic serves app's handler as Run does (newHTTPServer) on a loopback port.
func startPublic(t *testing.T, app *App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(app.handler)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// On a real listener: a 500 KiB query string is refused (431) before any handler runs, so it logs nothing; a
// body sent too slowly is cut off at the read deadline, on the webhook and on /query alike.
func TestPublicListenerBoundsRequests(t *testing.T) {
	logs := &bytes.Buffer{}
	cfg, err := LoadConfig(env(productionEnv(t.TempDir())...))
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(context.Background(), cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	app.readTimeout = 300 * time.Millisecond
	addr := startPublic(t, app)

	before := logs.Len()
	long := "http://" + addr + WebhookPath + "?junk=" + strings.Repeat("x", 500<<10)
	for range 50 {
		resp, err := http.Post(long, "application/json", strings.NewReader("[]"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("500 KiB query string: %d, want 431", resp.StatusCode)
		}
	}
	t.Logf("log bytes for 50 webhooks with 500 KiB query strings on the listener: %d", logs.Len()-before)
	if n := logs.Len() - before; n > 0 {
		t.Errorf("the refused requests wrote %d bytes of log", n)
	}

	stamp := strconv.FormatInt(time.Now().UnixMilli(), 10)
	for path, headers := range map[string]string{
		WebhookPath: hubspot.HeaderSignatureV3 + ": sig\r\n" + hubspot.HeaderRequestTimestamp + ": " + stamp + "\r\n",
		"/query":    "",
	} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Headers and one byte of a 1,000-byte body, then nothing: the gateway must not wait for the rest.
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: convrs.example.com\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n%s\r\n[", path, headers)
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound for the test, not the behaviour
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				resp.Body.Close()
			}
			var ne net.Error
			if err != nil && errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the gateway still waits for the body after 10 s: %v", err)
			}
			// The webhook says why (408); gqlgen answers /query's unreadable body in its own way. Either way the
			// request has ended instead of waiting for the rest of the body.
			if path == WebhookPath && (err != nil || resp.StatusCode != http.StatusRequestTimeout) {
				t.Errorf("slow webhook body: %v %v, want 408", resp, err)
			}
		})
	}
}
