package contactcard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
)

// A warm card keeps the integration a few seconds, yet the next card after a change, made in this process or in
// another sharing the cache, shows it: a revoke (HubSpot refusing the token), a disconnect, an enable.
func TestWarmCardSeesIntegrationChangesAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		hubTwo, svcTwo := e.process()
		e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com"})
		bob := e.customer("Bob", "", "bob@example.com", "")
		cardOf := func(name string, svc *contactcard.Service) *convrs.HubspotContactLookup {
			t.Helper()
			lk, err := svc.Contact(e.agent, bob.ID)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return lk
		}
		for _, p := range []struct {
			name string
			svc  *contactcard.Service
		}{{"this process", e.svc}, {"the other process", svcTwo}} {
			if lk := cardOf(p.name, p.svc); lk.Outcome != convrs.ContactFound {
				t.Fatalf("card on %s before any change: %s %q", p.name, lk.Outcome, lk.Message)
			}
		}

		// Revoked in HubSpot: the other process's call is refused, which puts the integration in ERROR.
		e.sim.RevokeApp(e.portal)
		hc, _, err := hubTwo.Client(context.Background(), wsID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := hc.Account.Details(context.Background()); err == nil {
			t.Fatal("a revoked app's call worked")
		}
		if lk := cardOf("after the revoke", e.svc); lk.Outcome != convrs.ContactUnavailable || !strings.Contains(lk.Message, "Reconnect") {
			t.Errorf("card after the revoke (made on the other process): %s %q, want UNAVAILABLE asking to reconnect", lk.Outcome, lk.Message)
		}

		// Disconnected on the other process, then on this one after a reconnect.
		if _, err := hubTwo.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		if lk := cardOf("after the disconnect", e.svc); lk.Outcome != convrs.ContactNotEnabled {
			t.Errorf("card after a disconnect on the other process: %s %q, want NOT_ENABLED", lk.Outcome, lk.Message)
		}
		e.connect()
		if _, err := hubTwo.Enable(e.admin); err != nil {
			t.Fatal(err)
		}
		if lk := cardOf("after the enable", e.svc); lk.Outcome != convrs.ContactFound {
			t.Errorf("card after a reconnect and enable on the other process: %s %q, want FOUND", lk.Outcome, lk.Message)
		}
		if lk := cardOf("warm on the other process", svcTwo); lk.Outcome != convrs.ContactFound {
			t.Fatalf("card on the other process: %s %q", lk.Outcome, lk.Message)
		}
		if _, err := e.hub.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		if lk := cardOf("after the disconnect here", e.svc); lk.Outcome != convrs.ContactNotEnabled {
			t.Errorf("card after a disconnect in this process: %s %q, want NOT_ENABLED", lk.Outcome, lk.Message)
		}
		if lk := cardOf("on the other process after the disconnect here", svcTwo); lk.Outcome != convrs.ContactNotEnabled {
			t.Errorf("card on the other process after a disconnect here: %s %q, want NOT_ENABLED", lk.Outcome, lk.Message)
		}
	})
}
