package hubspotsim_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/internal/testkit"
)

func TestMigrationInProgress477(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ts.FailNextMigration(1, 90*time.Second)
	r := e.call("GET", "/crm/objects/2026-03/contacts", nil)
	e.mustStatus(r, hubspotsim.StatusMigrationInProgress)
	m := dropVolatile(r.JSON(t))
	if r.Header.Get("Retry-After") != "90" || m["status"] != "error" || m["category"] != "MIGRATION_IN_PROGRESS" || m["message"] == "" {
		t.Errorf("477: Retry-After %q, body %v", r.Header.Get("Retry-After"), m)
	}
	e.mustStatus(e.call("GET", "/crm/objects/2026-03/contacts", nil), http.StatusOK)

	// Through the control API, up to a day.
	r = e.callAs("", "POST", "/_sim/faults", map[string]any{"failNext": 2, "status": 477, "retryAfterSeconds": 86400})
	e.mustStatus(r, http.StatusOK)
	if m := r.JSON(t); m["failNext"] != 2.0 || m["status"] != 477.0 || m["retryAfterSeconds"] != 86400.0 {
		t.Errorf("faults answer = %v", m)
	}
	for range 2 {
		r = e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "m@example.com"}})
		e.mustStatus(r, hubspotsim.StatusMigrationInProgress)
		if r.Header.Get("Retry-After") != "86400" {
			t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
	}
	if len(e.ts.Contacts(e.portal)) != 0 {
		t.Error("a write refused with 477 was stored")
	}
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "m@example.com"}}), http.StatusCreated)
}

func TestLatencyAfterWriteStoresFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ts.SetLatencyAfterWrite(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.ts.URL()+"/crm/objects/2026-03/contacts",
		bytes.NewReader([]byte(`{"properties":{"email":"slow@example.com"}}`)))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	answered := make(chan error, 1)
	go func() {
		resp, err := e.ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	// The record is there (and readable by email) while the client still waits for the answer.
	testkit.Eventually(t, "the slow write is stored", func() bool { return len(e.ts.Contacts(e.portal)) == 1 })
	e.mustStatus(e.call("GET", "/crm/objects/2026-03/contacts/slow@example.com?idProperty=email", nil), http.StatusOK)
	select {
	case err := <-answered:
		t.Fatalf("the write was answered before its latency: %v", err)
	default:
	}
	cancel()
	if err := <-answered; !errors.Is(err, context.Canceled) {
		t.Errorf("client error = %v, want context.Canceled", err)
	}

	// Reads are not held back; with a short latency the write's own answer arrives whole, marked in the log.
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts/search", map[string]any{}), http.StatusOK)
	r := e.callAs("", "POST", "/_sim/faults", map[string]any{"latencyAfterWriteMs": 1})
	e.mustStatus(r, http.StatusOK)
	r = e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "fast@example.com"}})
	e.mustStatus(r, http.StatusCreated)
	if r.JSON(t)["properties"].(map[string]any)["email"] != "fast@example.com" {
		t.Errorf("delayed answer = %s", r.Raw)
	}
	logs := e.ts.Requests()
	if last := logs[len(logs)-1]; last.Fault != "latency-after-write" || last.Status != http.StatusCreated {
		t.Errorf("log = %+v", last)
	}
}

func TestLostAnswersAfterTheWrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: hubspotsim.ContactSubscriptions()}); err != nil {
		t.Fatal(err)
	}

	// A 502 once the contact is stored: the write happened, webhook included.
	e.ts.LoseNext(1, hubspotsim.LostAs502)
	r := e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "lost@example.com"}})
	e.mustStatus(r, http.StatusBadGateway)
	if m := r.JSON(t); m["status"] != "error" || m["category"] != "BAD_GATEWAY" {
		t.Errorf("502 body = %s", r.Raw)
	}
	cs := e.ts.Contacts(e.portal)
	if len(cs) != 1 || cs[0].Properties["email"] != "lost@example.com" {
		t.Fatalf("contacts after the lost answer = %+v", cs)
	}
	if ev := rc.next().events; len(ev) != 1 || ev[0]["subscriptionType"] != "contact.creation" {
		t.Errorf("webhook of the lost write = %v", ev)
	}
	// The retry a client makes then meets the record it created.
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "lost@example.com"}}), http.StatusConflict)

	// A refused write does not use the fault up; the next successful one loses its answer as a reset.
	e.ts.LoseNext(1, hubspotsim.LostAsReset)
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "bad"}}), http.StatusBadRequest)
	req, _ := http.NewRequest("POST", e.ts.URL()+"/crm/objects/2026-03/notes", bytes.NewReader(mustJSON(t, noteInput(cs[0].ID, "<p>n</p>", "2025-03-10T10:00:00Z"))))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := e.ts.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset write answered %d", resp.StatusCode)
	}
	if notes := e.ts.Notes(e.portal, cs[0].ID); len(notes) != 1 {
		t.Errorf("notes after the reset = %+v", notes)
	}
	var reset *hubspotsim.RequestLog
	testkit.Eventually(t, "the reset is logged", func() bool {
		for _, l := range e.ts.Requests() {
			if l.Fault == "reset" {
				reset = &l
				return true
			}
		}
		return false
	})
	if reset.Status != 0 || reset.Path != "/crm/objects/2026-03/notes" {
		t.Errorf("reset logged as %+v", reset)
	}

	// At a rate, through the control API: every write, no read.
	r = e.callAs("", "POST", "/_sim/faults", map[string]any{"loseRatePercent": 100, "loseAs": "502"})
	e.mustStatus(r, http.StatusOK)
	if m := r.JSON(t); m["loseRatePercent"] != 100.0 || m["loseAs"] != "502" {
		t.Errorf("faults answer = %v", m)
	}
	e.mustStatus(e.call("PATCH", "/crm/objects/2026-03/contacts/"+cs[0].ID, map[string]any{"properties": map[string]string{"firstname": "L"}}), http.StatusBadGateway)
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts/search", map[string]any{}), http.StatusOK)
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts/batch/read", map[string]any{"inputs": []any{map[string]string{"id": cs[0].ID}}}), http.StatusOK)
	if c, _ := e.ts.Contact(e.portal, cs[0].ID); c.Properties["firstname"] != "L" {
		t.Errorf("the lost PATCH was not stored: %v", c.Properties)
	}
	e.mustStatus(e.callAs("", "POST", "/_sim/faults", map[string]any{"loseRatePercent": 0}), http.StatusOK)
	e.mustStatus(e.call("PATCH", "/crm/objects/2026-03/contacts/"+cs[0].ID, map[string]any{"properties": map[string]string{"firstname": "M"}}), http.StatusOK)
	e.mustStatus(e.callAs("", "POST", "/_sim/faults", map[string]any{"loseAs": "timeout"}), http.StatusBadRequest)
}

func TestIndexDelayThroughControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.callAs("", "POST", "/_sim/faults", map[string]any{"indexDelayMs": 150000})
	e.mustStatus(r, http.StatusOK)
	if r.JSON(t)["indexDelayMs"] != 150000.0 {
		t.Errorf("faults answer = %s", r.Raw)
	}
	id := e.createContact(map[string]string{"email": "late@example.com"})
	if got, _ := e.search(eqFilter("email", "late@example.com")); len(got) != 0 {
		t.Fatalf("search found %v before the index delay", got)
	}
	e.clock.Advance(149 * time.Second)
	if got, _ := e.search(eqFilter("email", "late@example.com")); len(got) != 0 {
		t.Fatalf("search found %v before the index delay", got)
	}
	e.clock.Advance(time.Second)
	if got, _ := e.search(eqFilter("email", "late@example.com")); len(got) != 1 || got[0] != id {
		t.Errorf("search after the delay = %v", got)
	}
}

func TestAccessTokenTTLThroughControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.callAs("", "POST", "/_sim/faults", map[string]any{"accessTokenTtlMs": 5000})
	e.mustStatus(r, http.StatusOK)
	if r.JSON(t)["accessTokenTtlMs"] != 5000.0 {
		t.Errorf("faults answer = %s", r.Raw)
	}
	// The token issued before (30 minutes) is cut to 5 s.
	e.mustStatus(e.call("GET", "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	e.clock.Advance(5 * time.Second)
	r = e.call("GET", "/crm/objects/2026-03/contacts", nil)
	e.mustStatus(r, http.StatusUnauthorized)
	if r.JSON(t)["category"] != "EXPIRED_AUTHENTICATION" {
		t.Errorf("answer after 5 s = %s", r.Raw)
	}
	// A token issued now lives 5 s too.
	access, _ := e.ts.IssueTokens(e.portal, "")
	e.mustStatus(e.callAs(access, "GET", "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	e.clock.Advance(5 * time.Second)
	e.mustStatus(e.callAs(access, "GET", "/crm/objects/2026-03/contacts", nil), http.StatusUnauthorized)
}
