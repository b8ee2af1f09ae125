package graph_test

import (
	"context"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/seed"
)

// A client may send connection_init in the same packet as the upgrade request (it need not wait for the 101):
// the server has then read it along with the request, and still answers it once the socket is handed over.
func TestWebsocketInitSentWithTheUpgrade(t *testing.T) {
	s := newStack(t)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	s.syncs.subscribed = make(chan struct{}, 1)
	c, err := dialRaw(srv.Listener.Addr().String(), s.token(t, seed.AgentID), syncUpdatedQuery)
	if err != nil {
		t.Fatalf("connection_init sent with the upgrade: %v", err)
	}
	defer c.conn.Close()
	select {
	case <-s.syncs.subscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription sent after connection_ack did not start within 10 s")
	}
}

// subscribedSocket opens a websocket to a new stack's server with one hubspotSyncUpdated subscription in place.
func subscribedSocket(t *testing.T) (*stack, *httptest.Server, *wsClient) {
	t.Helper()
	s := newStack(t)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	w, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	s.syncs.subscribed = make(chan struct{}, 1)
	w.init(s.token(t, seed.AgentID))
	w.start("1", syncUpdatedQuery)
	select {
	case <-s.syncs.subscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("subscription not in place within 10 s")
	}
	return s, srv, w
}

// Websockets outlive the request that opened them, so the HTTP server's shutdown ends them (as the listener's
// context did when they lived in their request): the client sees a normal closure, and the socket's places
// are given back.
func TestWebsocketsEndWhenTheServerShutsDown(t *testing.T) {
	s, srv, w := subscribedSocket(t)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := readUntilClosed(w); closeCode(err) != websocket.StatusNormalClosure {
		t.Fatalf("after the shutdown the socket ended with %v, want a normal closure", err)
	}
	testkit.Eventually(t, "no websocket is counted after the shutdown", func() bool { return s.server.Stats().Connections() == 0 })
}

// An open websocket holds no net/http request: once the upgrade is done, the connection's goroutine (and the
// buffers and stack it keeps) has ended, and the socket is served by a goroutine that starts at the transport.
func TestWebsocketKeepsNoRequestGoroutine(t *testing.T) {
	s, _, w := subscribedSocket(t)
	testkit.Eventually(t, "the websocket is no longer served inside its HTTP request's goroutine", func() bool {
		buf := make([]byte, 1<<20)
		stacks := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
		return !slices.ContainsFunc(stacks, func(g string) bool {
			return strings.Contains(g, "net/http.(*conn).serve") && strings.Contains(g, "graph.(*Server)")
		})
	})
	// The socket still works.
	w.start("2", `subscription { hubspotSyncUpdated { conversationId } }`)
	select {
	case <-s.syncs.subscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("a second subscription on the socket did not start within 10 s")
	}
}
