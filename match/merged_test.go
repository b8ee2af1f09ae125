package match_test

import (
	"context"
	"testing"

	"github.com/convrs/gateway/convrs"
)

// A merged contact: HubSpot gives the merged record a new ID and answers a GET of either old ID with it. The
// matcher follows it and stores the new ID, without a search.
func TestMergedLinkedContactIsFollowed(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	primary := e.seed(map[string]string{"email": "kim@example.com", "firstname": "Kim"}, 20*day)
	other := e.seed(map[string]string{"email": "kim.work@example.com"}, 10*day)
	merged, ok := e.sim.MergeContacts(e.portal, primary, other)
	if !ok || merged.ID == primary || merged.ID == other {
		t.Fatalf("merge = %+v, %v; want a new ID", merged, ok)
	}

	for _, old := range []string{primary, other} {
		c := customer(convrs.Customer{Email: "kim@example.com", HubspotContactID: old, HubspotPortalID: e.portal})
		before := e.searches()
		res, err := e.m.FindOrCreate(context.Background(), e.hc, e.target(c))
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res, merged.ID, convrs.MatchCRMID, 1)
		if !res.Linked {
			t.Errorf("linked to %s: Linked = false after following the merge", old)
		}
		if l, _ := e.links.get(c.ID); l.portal != e.portal || l.contact != merged.ID {
			t.Errorf("linked to %s: stored link = %+v; want %s", old, l, merged.ID)
		}
		if n := e.searches() - before; n != 0 {
			t.Errorf("linked to %s: %d searches; want none", old, n)
		}
		if res.Contact.Prop("hs_merged_object_ids") == "" {
			t.Errorf("hs_merged_object_ids not read: %v", res.Contact.Properties)
		}
	}
	if n := len(e.live()); n != 1 {
		t.Errorf("%d live contacts; want the merged one only", n)
	}
}
