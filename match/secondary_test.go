package match_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/cache"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

// A contact that holds the customer's email among its additional emails (HubSpot keeps a merged contact's
// other emails there) is the email rule's match: no duplicate is created for it.
func TestAdditionalEmailMatches(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	id := e.seed(map[string]string{"email": "ada@example.com", match.PropAdditionalEmails: "ada.old@example.com", "firstname": "Ada"}, day)
	c := customer(convrs.Customer{Email: "Ada.Old@Example.com"})

	res, err := e.m.FindOrCreate(context.Background(), e.hc, e.target(c))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, id, convrs.MatchEmail, 1)
	if n := len(e.live()); n != 1 {
		t.Errorf("%d contacts in the portal, want the one that has the email as an additional email", n)
	}
	if l, _ := e.links.get(c.ID); l.portal != e.portal || l.contact != id {
		t.Errorf("stored link = %+v; want %s", l, id)
	}
}

// fakeContacts answers the matcher's calls from a fixed search result and records the searches.
type fakeContacts struct {
	results  []*hubspot.Contact
	searches []*hubspot.SearchRequest
	created  map[string]string
}

func (f *fakeContacts) Get(context.Context, string, []string) (*hubspot.Contact, *hubspot.Response, error) {
	return nil, nil, hubspot.ErrNotFound
}

func (f *fakeContacts) GetByEmail(context.Context, string, []string) (*hubspot.Contact, *hubspot.Response, error) {
	return nil, nil, hubspot.ErrNotFound
}

func (f *fakeContacts) Search(_ context.Context, sr *hubspot.SearchRequest) (*hubspot.SearchResult[*hubspot.Contact], *hubspot.Response, error) {
	f.searches = append(f.searches, sr)
	return &hubspot.SearchResult[*hubspot.Contact]{Total: len(f.results), Results: f.results}, nil, nil
}

func (f *fakeContacts) Create(_ context.Context, props map[string]string) (*hubspot.Contact, *hubspot.Response, error) {
	f.created = props
	return contact("900", "2026-03-01T12:00:00Z", props["email"], ""), nil, nil
}

func contact(id, created, email, additional string) *hubspot.Contact {
	p := map[string]*string{"createdate": &created, "email": &email}
	if additional != "" {
		p[match.PropAdditionalEmails] = &additional
	}
	return &hubspot.Contact{ID: id, Properties: p}
}

func TestAdditionalEmailSearchAndCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		results []*hubspot.Contact
		want    string // "" = created
		rule    convrs.HubspotMatchRule
	}{
		{"one of several additional emails, any case", []*hubspot.Contact{
			contact("11", "2024-01-01T00:00:00Z", "x@example.com", "other@example.com;Bo@Example.com"),
		}, "11", convrs.MatchEmail},
		{"a token-wise near miss is not the address", []*hubspot.Contact{
			contact("12", "2024-01-01T00:00:00Z", "x@example.com", "bo@example.com.au;mr.bo@example.com"),
		}, "", convrs.MatchCreated},
		{"the primary email wins over an older additional one", []*hubspot.Contact{
			contact("13", "2020-01-01T00:00:00Z", "y@example.com", "bo@example.com"),
			contact("14", "2024-01-01T00:00:00Z", "BO@example.com", ""),
		}, "14", convrs.MatchEmail},
		{"the oldest of the additional ones", []*hubspot.Contact{
			contact("16", "2023-01-01T00:00:00Z", "z@example.com", "bo@example.com"),
			contact("15", "2022-01-01T00:00:00Z", "w@example.com", "bo@example.com; v@example.com"),
		}, "15", convrs.MatchEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeContacts{results: tc.results}
			m := match.New(match.Config{Links: &memLinks{}, Locker: cache.NewMemory()})
			res, err := m.FindOrCreate(context.Background(), f, match.Target{Customer: customer(convrs.Customer{Email: "bo@example.com"}), PortalID: 7})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = "900"
				if f.created["email"] != "bo@example.com" {
					t.Errorf("created %v, want a contact with the customer's email", f.created)
				}
			} else if f.created != nil {
				t.Errorf("created %v although contact %s matched", f.created, tc.want)
			}
			if res.Contact.ID != want || res.Rule != tc.rule {
				t.Errorf("matched %s by %s, want %s by %s", res.Contact.ID, res.Rule, want, tc.rule)
			}
			// One search, two ORed groups: the primary email, and the additional emails.
			if len(f.searches) != 1 {
				t.Fatalf("%d searches, want 1", len(f.searches))
			}
			wantGroups := []hubspot.FilterGroup{
				{Filters: []hubspot.Filter{{PropertyName: "email", Operator: hubspot.OpEQ, Value: "bo@example.com"}}},
				{Filters: []hubspot.Filter{{PropertyName: "hs_additional_emails", Operator: hubspot.OpContainsToken, Value: "bo@example.com"}}},
			}
			if diff := cmp.Diff(wantGroups, f.searches[0].FilterGroups); diff != "" {
				t.Errorf("filter groups (-want +got):\n%s", diff)
			}
		})
	}
}
