package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/seed"
)

// gauge reads a metric of the app's registry (wherever /metrics is served from).
func gauge(t *testing.T, app *App, name string) (float64, bool) {
	t.Helper()
	families, err := app.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			m := f.GetMetric()[0]
			if g := m.GetGauge(); g != nil {
				return g.GetValue(), true
			}
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

// The websocket counts are in the metrics: an open, initialised socket is counted, and released on close.
func TestWebsocketMetrics(t *testing.T) {
	app := newTestApp(t)
	srv := httptest.NewServer(app.handler)
	t.Cleanup(srv.Close)
	for _, name := range []string{"convrs_websocket_connections", "convrs_websocket_operations", "convrs_websocket_refused_connections_total",
		"convrs_websocket_refused_operations_total", "convrs_websocket_init_timeouts_total", "convrs_websocket_expired_closed_total"} {
		if v, ok := gauge(t, app, name); !ok || v != 0 {
			t.Errorf("%s = %v (present: %v), want 0", name, v, ok)
		}
	}
	tok, err := app.signer.Issue(convrs.Principal{StaffID: seed.AgentID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAgent}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + tok}}); err != nil {
		t.Fatal(err)
	}
	var ack struct{ Type string }
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("init: %+v, %v", ack, err)
	}
	if v, _ := gauge(t, app, "convrs_websocket_connections"); v != 1 {
		t.Errorf("convrs_websocket_connections = %v with one socket open", v)
	}
	_ = conn.Close(websocket.StatusNormalClosure, "")
	testkit.Eventually(t, "convrs_websocket_connections is 0 after the close", func() bool {
		v, _ := gauge(t, app, "convrs_websocket_connections")
		return v == 0
	})
}
