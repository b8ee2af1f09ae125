package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/convrs/gateway/internal/drive"
)

// cluster is the two gateways seen as users see them behind a load balancer: each call goes to one that is up,
// and to the other when the first gives no answer.
type cluster struct {
	gws   []*gateway
	token string // the demo admin's session (both gateways share SESSION_SECRET)
	http  *http.Client
}

// gql runs one operation. A *drive.GraphQLError is a refusal; any other error means no answer came from
// either gateway, so a mutation's outcome is unknown.
func (c *cluster) gql(query string, vars map[string]any, out any) error {
	first := rand.IntN(len(c.gws))
	var err error
	for i := range c.gws {
		g := c.gws[(first+i)%len(c.gws)]
		if !g.up() {
			continue
		}
		err = drive.GQL(c.http, g.url, c.token, query, vars, out)
		var refused *drive.GraphQLError
		if err == nil || errors.As(err, &refused) {
			return err
		}
	}
	if err == nil {
		err = errors.New("no gateway is up")
	}
	return err
}

// simControl calls the simulator's control API (/_sim/...).
type simControl struct {
	url    string
	portal int64
	http   *http.Client
}

func (s *simControl) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("simulator %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("simulator %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// faults sets the simulator's faults (the fields of POST /_sim/faults).
func (s *simControl) faults(f map[string]any) error { return s.call("POST", "/_sim/faults", f, nil) }

// calm turns every fault off and puts the defaults back: HubSpot-like 2 s indexing, 30-minute tokens.
func (s *simControl) calm() error {
	return s.faults(map[string]any{"failureRatePercent": 0, "failNext": 0, "latencyMs": 0, "latencyAfterWriteMs": 0,
		"loseNext": 0, "loseRatePercent": 0, "indexDelayMs": 2000, "accessTokenTtlMs": (30 * time.Minute).Milliseconds()})
}

func (s *simControl) seedContact(props map[string]string) (string, error) {
	var out struct{ ID string }
	err := s.call("POST", fmt.Sprintf("/_sim/portals/%d/contacts", s.portal), map[string]any{"properties": props}, &out)
	return out.ID, err
}

type simContact struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
}

type simNote struct {
	ID         string   `json:"id"`
	Body       string   `json:"body"`
	ContactIDs []string `json:"contactIds"`
}

func (s *simControl) contacts() ([]simContact, error) {
	var out []simContact
	return out, s.call("GET", fmt.Sprintf("/_sim/portals/%d/contacts", s.portal), nil, &out)
}

func (s *simControl) notes(contactID string) ([]simNote, error) {
	var out []simNote
	return out, s.call("GET", fmt.Sprintf("/_sim/portals/%d/contacts/%s/notes", s.portal, contactID), nil, &out)
}

func (s *simControl) revoke() error {
	return s.call("POST", fmt.Sprintf("/_sim/portals/%d/revoke", s.portal), nil, nil)
}

// calls summarises the simulator's request log since t: how many API calls HubSpot answered and the faults it
// gave (the log keeps the newest 10,000 requests; "≥" when older ones of the run were dropped).
func (s *simControl) calls(since time.Time) (string, error) {
	var reqs []struct {
		Path   string    `json:"path"`
		Status int       `json:"status"`
		Fault  string    `json:"fault"`
		Time   time.Time `json:"time"`
	}
	if err := s.call("GET", "/_sim/requests", nil, &reqs); err != nil {
		return "", err
	}
	n, by := 0, map[string]int{}
	for _, r := range reqs {
		if r.Time.Before(since) {
			continue
		}
		n++
		switch {
		case strings.HasSuffix(r.Path, "/token"):
			by["token refreshes"]++
		case r.Fault == "lost-answer":
			by["lost after the write (502)"]++
		case r.Fault == "reset":
			by["lost after the write (reset)"]++
		case r.Status == 401 || r.Status == 429 || r.Status >= 500:
			by[fmt.Sprintf("%d", r.Status)]++
		}
	}
	out := fmt.Sprintf("%d calls", n)
	if len(reqs) > 0 && len(reqs) >= 10000 && !reqs[0].Time.Before(since) {
		out = "≥ " + out
	}
	for _, k := range []string{"token refreshes", "500", "429", "401", "lost after the write (502)", "lost after the write (reset)"} {
		if by[k] > 0 {
			out += fmt.Sprintf(", %d× %s", by[k], k)
		}
	}
	return out, nil
}
