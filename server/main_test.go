package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
)

func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	getenv := devEnv("DATA_DIR", dir, "HUBSPOT_SIM_ADDR", "127.0.0.1:0", "LOG_LEVEL", "error")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"token", "--workspace", "ws_demo", "--staff", "stf_sam", "--role", "agent", "--ttl", "1h"}, getenv, &out, &errOut)
	if err != nil {
		t.Fatalf("token: %v (stderr %s)", err, errOut.String())
	}
	tok := strings.TrimSpace(out.String())
	if strings.Count(out.String(), "\n") != 1 || strings.ContainsAny(tok, " \n") {
		t.Fatalf("token output %q, want one line", out.String())
	}

	// The app on the same data directory (same development secrets) accepts it.
	app := newTestAppEnv(t, "APP_ENV", "development", "DATA_DIR", dir, "HUBSPOT_SIM_ADDR", "127.0.0.1:0", "LOG_LEVEL", "error")
	p, err := app.signer.Verify(tok)
	if err != nil {
		t.Fatalf("the app's signer refuses the token: %v", err)
	}
	if until := time.Until(p.Expires); until < 59*time.Minute || until > time.Hour {
		t.Errorf("the token expires in %v, want 1h", until)
	}
	if got := (convrs.Principal{StaffID: p.StaffID, WorkspaceID: p.WorkspaceID, Role: p.Role}); got != (convrs.Principal{StaffID: "stf_sam", WorkspaceID: "ws_demo", Role: convrs.RoleAgent}) {
		t.Errorf("principal = %+v", p)
	}
	var me struct {
		Me struct {
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"me"`
	}
	if err := client.New(app.handler, client.Path("/query"), client.AddHeader("Authorization", "Bearer "+tok)).Post(`{ me { name role } }`, &me); err != nil {
		t.Fatal(err)
	}
	if me.Me.Name != "Sam Agent" || me.Me.Role != "AGENT" {
		t.Errorf("me = %+v", me.Me)
	}
}

func TestTokenCommandRefuses(t *testing.T) {
	getenv := devEnv("DATA_DIR", t.TempDir(), "LOG_LEVEL", "error")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"wrong role", []string{"--workspace", "ws_demo", "--staff", "stf_sam", "--role", "admin"}, []string{`"stf_sam" is agent`, "not admin"}},
		{"wrong workspace", []string{"--workspace", "ws_globex", "--staff", "stf_sam", "--role", "agent"}, []string{`workspace "ws_demo"`, `"ws_globex"`}},
		{"unknown staff", []string{"--workspace", "ws_demo", "--staff", "stf_nobody", "--role", "agent"}, []string{"stf_nobody", "not found"}},
		{"no such role", []string{"--workspace", "ws_demo", "--staff", "stf_sam", "--role", "owner"}, []string{"--role admin|agent"}},
		{"missing staff", []string{"--workspace", "ws_demo", "--role", "agent"}, []string{"--staff"}},
		{"unknown flag", []string{"--user", "stf_sam"}, []string{"-user"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"token"}, tc.args...), getenv, &out, io.Discard)
			if err == nil {
				t.Fatalf("no error; printed %q", out.String())
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(out.String(), "cv1.") {
				t.Errorf("printed a token: %q", out.String())
			}
		})
	}
}

func TestSeedCommand(t *testing.T) {
	getenv := devEnv("DATA_DIR", t.TempDir(), "LOG_LEVEL", "error")
	for _, want := range []string{"demo data seeded: true\n", "demo data seeded: false\n"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"seed"}, getenv, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("seed printed %q, want %q", out.String(), want)
		}
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, env(), &out, io.Discard); err != nil || !strings.Contains(out.String(), "hubspot-sim") {
		t.Errorf("help: %v %q", err, out.String())
	}
	// -h and --help print the usage too, and never start the server (which would fail here on PORT).
	for _, arg := range []string{"-h", "--help", "-help"} {
		out.Reset()
		if err := run(context.Background(), []string{arg}, env("PORT", "abc"), &out, io.Discard); err != nil || !strings.Contains(out.String(), "hubspot-app") {
			t.Errorf("%s: %v %q", arg, err, out.String())
		}
	}
	if err := run(context.Background(), []string{"serv"}, env(), &out, io.Discard); err == nil || !strings.Contains(err.Error(), `unknown command "serv"`) {
		t.Errorf("unknown command: %v", err)
	}
	// serve stops at a bad configuration before listening.
	if err := run(context.Background(), nil, env("PORT", "abc"), &out, io.Discard); err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Errorf("serve with PORT=abc: %v", err)
	}
}

// signalWriter collects output and closes ready once the output contains marker.
type signalWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	ready  chan struct{}
	once   sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.once.Do(func() { close(w.ready) })
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestHubspotSimCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &signalWriter{marker: "HUBSPOT_CLIENT_SECRET=", ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"hubspot-sim", "--addr", "127.0.0.1:0"}, env(), out, io.Discard) }()

	select {
	case <-out.ready:
	case err := <-done:
		t.Fatalf("hubspot-sim returned early: %v\n%s", err, out.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("hubspot-sim printed no client credentials within 10s:\n%s", out.String())
	}
	text := out.String()
	if !strings.Contains(text, "HUBSPOT_CLIENT_ID="+hubspotsim.DefaultClientID) {
		t.Errorf("output lacks the client ID:\n%s", text)
	}
	m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("output lacks the address:\n%s", text)
	}
	resp, err := http.Get(m[1] + "/_sim/portals")
	if err != nil {
		t.Fatalf("the simulator does not serve: %v", err)
	}
	var portals any
	err = json.NewDecoder(resp.Body).Decode(&portals)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil {
		t.Errorf("GET /_sim/portals = %d (%v)", resp.StatusCode, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("hubspot-sim after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hubspot-sim did not stop within 10s of the cancel")
	}
	if _, err := http.Get(m[1] + "/_sim/portals"); err == nil {
		t.Error("the simulator still serves after the cancel")
	}
}

func TestHubspotSimCommandFlags(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &signalWriter{marker: "legacy APIs", ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hubspot-sim", "--addr", "127.0.0.1:0", "--legacy-apis", "off", "--index-delay", "30s"}, env(), out, io.Discard)
	}()
	select {
	case <-out.ready:
	case err := <-done:
		t.Fatalf("hubspot-sim returned early: %v\n%s", err, out.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("hubspot-sim printed no settings within 10s:\n%s", out.String())
	}
	text := out.String()
	if !strings.Contains(text, "search index delay 30s; legacy APIs off") {
		t.Errorf("output lacks the settings:\n%s", text)
	}
	base := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(text)[1]
	for path, want := range map[string]int{"/crm/v3/owners": http.StatusGone, "/oauth/v1/access-tokens/x": http.StatusGone, "/crm/owners/2026-03": http.StatusUnauthorized} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err := http.Post(base+"/_sim/faults", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var faults struct {
		IndexDelayMS int64 `json:"indexDelayMs"`
	}
	err = json.NewDecoder(resp.Body).Decode(&faults)
	resp.Body.Close()
	if err != nil || faults.IndexDelayMS != 30000 {
		t.Errorf("index delay = %d ms (%v), want 30000", faults.IndexDelayMS, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("hubspot-sim after cancel: %v", err)
	}

	if err := run(context.Background(), []string{"hubspot-sim", "--legacy-apis", "maybe"}, env(), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--legacy-apis") {
		t.Errorf("a bad --legacy-apis: %v", err)
	}
	// HUBSPOT_SIM_LEGACY_APIS is the flag's default, as for the gateway's embedded simulator.
	if err := run(context.Background(), []string{"hubspot-sim"}, env("HUBSPOT_SIM_LEGACY_APIS", "nope"), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("a bad HUBSPOT_SIM_LEGACY_APIS: %v", err)
	}
}
