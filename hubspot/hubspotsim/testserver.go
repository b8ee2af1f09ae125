package hubspotsim

import (
	"context"
	"errors"
	"net"
	"net/http"
)

// Tester is the part of testing.TB that NewTestServer uses, so this package (linked into the product's demo mode)
// does not import package testing. *testing.T, *testing.B and *testing.F implement it.
type Tester interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// TestServer is a Simulator served on a loopback port of its own, closed when the test ends.
type TestServer struct {
	*Simulator
	url       string
	transport *http.Transport
}

// NewTestServer starts a simulator on a loopback port; t.Cleanup closes it after its requests complete.
func NewTestServer(t Tester, opts Options) *TestServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("hubspotsim: listen on loopback: %v", err)
	}
	sim := New(opts)
	srv := &http.Server{Handler: sim}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ts := &TestServer{Simulator: sim, url: "http://" + ln.Addr().String(), transport: &http.Transport{}}
	t.Cleanup(func() {
		sim.Close()
		ts.transport.CloseIdleConnections()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Fatalf("hubspotsim: shut down: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Fatalf("hubspotsim: serve: %v", err)
		}
	})
	return ts
}

// URL is the base URL of both the API and the UI, e.g. "http://127.0.0.1:41235".
func (t *TestServer) URL() string { return t.url }

// Client returns an HTTP client for the server that does not follow redirects, so OAuth redirects can be read.
func (t *TestServer) Client() *http.Client {
	return &http.Client{
		Transport:     t.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
