package match_test

import (
	"context"
	"errors"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/match"
)

// A stored match keeps the rule that found it: the next lookup reads the contact by its ID but still says
// "matched by email (the address)", not an anonymous CRM link.
func TestStoredLinkKeepsItsRule(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	id := e.seed(map[string]string{"email": "ada@example.com"}, day)
	c := customer(convrs.Customer{Email: "ada@example.com"})
	res := mustFind(t, e, c)
	if want := (convrs.HubspotLinkSource{Rule: convrs.MatchEmail, Value: "ada@example.com"}); res.Source != want {
		t.Errorf("first match's source = %+v, want %+v", res.Source, want)
	}
	if l, _ := e.links.get(c.ID); l.src.Rule != convrs.MatchEmail || l.src.Value != "ada@example.com" {
		t.Errorf("stored provenance = %+v, want the email rule and address", l.src)
	}
	res = mustFind(t, e, e.links.apply(c))
	checkResult(t, res, id, convrs.MatchCRMID, 1)
	if res.Source.Rule != convrs.MatchEmail || res.Source.Value != "ada@example.com" {
		t.Errorf("linked lookup's source = %+v, want the email rule kept", res.Source)
	}
}

// A contact an agent unlinked as "not this person" is never matched again by the rules: the next duplicate
// is, or nothing; and the sync does not create a second contact under the same email.
func TestNotThisPersonIsNeverMatched(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	bob := e.seed(map[string]string{"email": "bob@example.com", "firstname": "Bob"}, 30*day)
	robert := e.seed(map[string]string{"email": "bob@example.com", "firstname": "Robert"}, day)
	c := customer(convrs.Customer{Email: "bob@example.com", FirstName: "Bob"})
	checkResult(t, mustFind(t, e, c), bob, convrs.MatchEmail, 2)

	c.HubspotNotThisPerson = []convrs.HubspotContactRef{{PortalID: e.portal, ContactID: bob}}
	checkResult(t, mustFind(t, e, c), robert, convrs.MatchEmail, 1)

	c.HubspotNotThisPerson = append(c.HubspotNotThisPerson, convrs.HubspotContactRef{PortalID: e.portal, ContactID: robert})
	if _, err := e.m.Find(context.Background(), e.hc, e.target(c)); !errors.Is(err, match.ErrNoMatch) {
		t.Errorf("Find with both unlinked = %v, want ErrNoMatch", err)
	}

	// One contact per email, as HubSpot's API keeps it: the create's 409 names the unlinked one.
	alone := e.seed(map[string]string{"email": "zoe@example.com"}, day)
	z := customer(convrs.Customer{Email: "zoe@example.com", HubspotNotThisPerson: []convrs.HubspotContactRef{{PortalID: e.portal, ContactID: alone}}})
	before := len(e.live())
	if _, err := e.m.FindOrCreate(context.Background(), e.hc, e.target(z)); !errors.Is(err, match.ErrNotThisPerson) {
		t.Errorf("FindOrCreate = %v, want ErrNotThisPerson", err)
	}
	if l, ok := e.links.get(z.ID); ok {
		t.Errorf("customer linked to %+v despite not this person", l)
	}
	if n := len(e.live()); n != before {
		t.Errorf("%d contacts after, want %d: no contact created", n, before)
	}
	// "Not this person" counts in the connected portal only.
	z.HubspotNotThisPerson[0].PortalID = e.portal + 1
	checkResult(t, mustFind(t, e, z), alone, convrs.MatchEmail, 1)
}
