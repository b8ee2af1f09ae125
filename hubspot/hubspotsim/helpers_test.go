package hubspotsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/internal/testkit"
)

// env is a running simulator with one portal and a token holding every product scope.
type env struct {
	t      *testing.T
	ts     *hubspotsim.TestServer
	clock  *testkit.Clock
	portal int64
	token  string
}

func newEnv(t *testing.T, opts ...func(*hubspotsim.Options)) *env {
	t.Helper()
	clock := testkit.NewClock(time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC))
	// Generous limits: tests of other things must not trip the rate limiter (its own tests lower them).
	o := hubspotsim.Options{Now: clock.Now, SearchPerSecond: 1000, BurstLimit: 100000, RedirectURIs: []string{redirectURI}}
	for _, f := range opts {
		f(&o)
	}
	ts := hubspotsim.NewTestServer(t, o)
	p := ts.CreatePortal(hubspotsim.PortalSpec{Name: "Test portal", UserEmail: "admin@test.test"})
	access, _ := ts.IssueTokens(p.ID, "")
	return &env{t: t, ts: ts, clock: clock, portal: p.ID, token: access}
}

// response is a decoded HTTP response.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Raw, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Raw)
	}
	return m
}

func (r response) Into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		t.Fatalf("decode body: %v\n%s", err, r.Raw)
	}
}

// call sends a request with the env's token; body is JSON-encoded unless it is a string or url.Values.
func (e *env) call(method, path string, body any) response {
	e.t.Helper()
	return e.callAs(e.token, method, path, body)
}

func (e *env) callAs(token, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, e.ts.URL()+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
}

func (e *env) mustStatus(r response, want int) {
	e.t.Helper()
	if r.Status != want {
		e.t.Fatalf("status = %d, want %d; body: %s", r.Status, want, r.Raw)
	}
}

// createContact creates a contact through the API and returns its ID.
func (e *env) createContact(props map[string]string) string {
	e.t.Helper()
	r := e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": props})
	e.mustStatus(r, http.StatusCreated)
	return r.JSON(e.t)["id"].(string)
}

// search runs a contact search and returns the IDs found and the raw body.
func (e *env) search(body map[string]any) ([]string, map[string]any) {
	e.t.Helper()
	r := e.call("POST", "/crm/v3/objects/contacts/search", body)
	e.mustStatus(r, http.StatusOK)
	m := r.JSON(e.t)
	var ids []string
	for _, res := range m["results"].([]any) {
		ids = append(ids, res.(map[string]any)["id"].(string))
	}
	return ids, m
}

func eqFilter(prop, value string) map[string]any {
	return map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]any{"propertyName": prop, "operator": "EQ", "value": value},
	}}}}
}

// dropVolatile removes correlationId, which is random.
func dropVolatile(m map[string]any) map[string]any {
	delete(m, "correlationId")
	return m
}
