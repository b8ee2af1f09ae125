package hubspotsim

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestServer is a Simulator behind an httptest.Server, closed when the test ends.
type TestServer struct {
	*Simulator
	srv *httptest.Server
}

// NewTestServer starts a simulator on a loopback port; tb.Cleanup closes it.
func NewTestServer(tb testing.TB, opts Options) *TestServer {
	tb.Helper()
	sim := New(opts)
	ts := &TestServer{Simulator: sim, srv: httptest.NewServer(sim)}
	tb.Cleanup(func() {
		sim.Close()
		ts.srv.Close()
	})
	return ts
}

// URL is the base URL of both the API and the UI, e.g. "http://127.0.0.1:41235".
func (t *TestServer) URL() string { return t.srv.URL }

// Client returns an HTTP client for the server that does not follow redirects, so OAuth redirects can be read.
func (t *TestServer) Client() *http.Client {
	c := *t.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
