package graph_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

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

// Websockets outlive the request that opened them, so the HTTP server's shutdown ends them (as the listener's
// context did when they lived in their request): the client sees a normal closure, and the socket's places
// are given back.
func TestWebsocketsEndWhenTheServerShutsDown(t *testing.T) {
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

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := readUntilClosed(w); closeCode(err) != websocket.StatusNormalClosure {
		t.Fatalf("after the shutdown the socket ended with %v, want a normal closure", err)
	}
	for deadline := time.Now().Add(10 * time.Second); s.server.Stats().Connections() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d websockets still counted 10 s after the shutdown", s.server.Stats().Connections())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
