package match_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

const day = 24 * time.Hour

func mustFind(t *testing.T, e *env, c *convrs.Customer) *match.Result {
	t.Helper()
	res, err := e.m.Find(context.Background(), e.hc, e.target(c))
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	return res
}

func checkResult(t *testing.T, res *match.Result, id string, rule convrs.HubspotMatchRule, candidates int) {
	t.Helper()
	if res.Contact == nil || res.Contact.ID != id || res.Rule != rule || res.Candidates != candidates {
		got := "<nil>"
		if res.Contact != nil {
			got = res.Contact.ID
		}
		t.Errorf("matched %s by %s (%d candidates); want %s by %s (%d)", got, res.Rule, res.Candidates, id, rule, candidates)
	}
}

func TestEmailMatchIsLinkedAndReused(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	id := e.seed(map[string]string{"email": "Ada@Example.com", "firstname": "Ada"}, day)
	c := customer(convrs.Customer{Email: "ada@example.COM"})

	res := mustFind(t, e, c)
	checkResult(t, res, id, convrs.MatchEmail, 1)
	if !res.Linked {
		t.Error("Linked = false on a new match")
	}
	if l, _ := e.links.get(c.ID); l.portal != e.portal || l.contact != id {
		t.Errorf("stored link = %+v; want %s in %d", l, id, e.portal)
	}
	if res.Contact.Prop("firstname") != "Ada" || res.Contact.Prop("createdate") == "" {
		t.Errorf("contact properties = %v; want match.Properties read", res.Contact.Properties)
	}

	// The second lookup (the next conversation, or the card) goes straight to the contact.
	before := e.searches()
	res = mustFind(t, e, e.links.apply(c))
	checkResult(t, res, id, convrs.MatchCRMID, 1)
	if res.Linked {
		t.Error("Linked = true for an unchanged link")
	}
	if n := e.searches() - before; n != 0 {
		t.Errorf("%d searches on the linked lookup; want none", n)
	}
	if e.links.calls != 1 {
		t.Errorf("%d link writes; want 1", e.links.calls)
	}
}

func TestRuleOrder(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	byPhone := e.seed(map[string]string{"phone": "+447911123456"}, 30*day) // older than the email match
	byEmail := e.seed(map[string]string{"email": "bob@example.com"}, day)
	linked := e.seed(map[string]string{"email": "someone-else@example.com"}, 2*day)
	base := convrs.Customer{Email: "bob@example.com", Phone: "+447911123456", FirstName: "Bob"}

	t.Run("CRM ID before email", func(t *testing.T) {
		c := base
		c.HubspotContactID, c.HubspotPortalID = linked, e.portal
		checkResult(t, mustFind(t, e, customer(c)), linked, convrs.MatchCRMID, 1)
	})
	t.Run("a link to another portal does not count", func(t *testing.T) {
		c := base
		c.HubspotContactID, c.HubspotPortalID = linked, e.portal+1
		res := mustFind(t, e, customer(c))
		checkResult(t, res, byEmail, convrs.MatchEmail, 1)
		if !res.Linked {
			t.Error("Linked = false; the link must now name this portal's contact")
		}
	})
	t.Run("email before phone", func(t *testing.T) {
		checkResult(t, mustFind(t, e, customer(base)), byEmail, convrs.MatchEmail, 1)
	})
	t.Run("phone when the email matches nothing", func(t *testing.T) {
		c := base
		c.Email = "nobody@example.com"
		checkResult(t, mustFind(t, e, customer(c)), byPhone, convrs.MatchPhone, 1)
	})
	t.Run("phone when there is no email", func(t *testing.T) {
		c := base
		c.Email = ""
		checkResult(t, mustFind(t, e, customer(c)), byPhone, convrs.MatchPhone, 1)
	})
}

func TestEmailOldestWins(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	e.seed(map[string]string{"email": "dup@example.com"}, 10*day)
	oldest := e.seed(map[string]string{"email": "DUP@example.com"}, 400*day)
	e.seed(map[string]string{"email": "Dup@Example.com"}, 100*day)
	e.seed(map[string]string{"email": "dup@example.com.au"}, 900*day) // not the same address
	e.seed(map[string]string{"email": "xdup@example.com"}, 900*day)

	res := mustFind(t, e, customer(convrs.Customer{Email: "dup@example.com"}))
	checkResult(t, res, oldest, convrs.MatchEmail, 3)
}

func TestEmailSeenThroughIndexDelay(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{indexDelay: time.Hour})
	created, _, err := e.hc.Create(context.Background(), map[string]string{"email": "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// Search cannot see it for an hour; the strongly consistent read by email does.
	res := mustFind(t, e, customer(convrs.Customer{Email: "new@example.com"}))
	checkResult(t, res, created.ID, convrs.MatchEmail, 1)
}

func TestPhoneFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		region  string
		stored  map[string]string
		want    bool
		warning bool
	}{
		{"E.164 in phone", "GB", map[string]string{"phone": "+447911123456"}, true, false},
		{"E.164 with spaces", "GB", map[string]string{"phone": "+44 7911 123456"}, true, false},
		{"national with trunk 0", "GB", map[string]string{"phone": "07911 123456"}, true, false},
		{"national with dashes", "GB", map[string]string{"phone": "07911-123-456"}, true, false},
		{"brackets", "GB", map[string]string{"phone": "(07911) 123 456"}, true, false},
		{"00 international prefix", "GB", map[string]string{"phone": "0044 7911 123456"}, true, false},
		{"only in mobilephone", "GB", map[string]string{"mobilephone": "+447911123456"}, true, false},
		{"national only in mobilephone", "GB", map[string]string{"mobilephone": "07911 123456"}, true, false},
		{"without a country code in a GB workspace", "GB", map[string]string{"phone": "7911 123456"}, true, false},
		{"another number", "GB", map[string]string{"phone": "+447911123457"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, envOpts{country: tt.region})
			id := e.seed(tt.stored, day)
			res, err := e.m.Find(context.Background(), e.hc, e.target(customer(convrs.Customer{Phone: "+447911123456", FirstName: "Carol"})))
			if !tt.want {
				if !errors.Is(err, match.ErrNoMatch) {
					t.Fatalf("Find = %+v, %v; want ErrNoMatch", res, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res, id, convrs.MatchPhone, 1)
		})
	}
}

func TestPhoneCountries(t *testing.T) {
	t.Parallel()
	us := "+14155550134"
	t.Run("same national digits in another country are not a match", func(t *testing.T) {
		t.Parallel()
		e := setup(t, envOpts{country: "US"})
		e.seed(map[string]string{"phone": "+44 415 555 0134"}, 300*day) // national 4155550134 too, and older
		want := e.seed(map[string]string{"mobilephone": "(415) 555-0134"}, day)
		checkResult(t, mustFind(t, e, customer(convrs.Customer{Phone: us})), want, convrs.MatchPhone, 1)
	})
	t.Run("only another country's number: no match", func(t *testing.T) {
		t.Parallel()
		e := setup(t, envOpts{country: "US"})
		e.seed(map[string]string{"phone": "+44 415 555 0134"}, day)
		if res, err := e.m.Find(context.Background(), e.hc, e.target(customer(convrs.Customer{Phone: us}))); !errors.Is(err, match.ErrNoMatch) {
			t.Fatalf("Find = %+v, %v; want ErrNoMatch", res, err)
		}
	})
	t.Run("a number without a country code is read in the workspace region", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			region string
			want   bool
		}{{"US", true}, {"GB", false}} {
			e := setup(t, envOpts{country: tc.region})
			id := e.seed(map[string]string{"phone": "415 555 0134"}, day)
			res, err := e.m.Find(context.Background(), e.hc, e.target(customer(convrs.Customer{Phone: us})))
			if tc.want {
				if err != nil {
					t.Fatalf("region %s: %v", tc.region, err)
				}
				checkResult(t, res, id, convrs.MatchPhone, 1)
			} else if !errors.Is(err, match.ErrNoMatch) {
				t.Errorf("region %s: Find = %+v, %v; want ErrNoMatch (415… in GB is not +1 415…)", tc.region, res, err)
			}
		}
	})
}

func TestPhoneOldestWins(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	e.seed(map[string]string{"phone": "+447911123456"}, 5*day)
	oldest := e.seed(map[string]string{"mobilephone": "07911 123456"}, 50*day)
	e.seed(map[string]string{"phone": "+44 (0)7911 123-456"}, 20*day)
	e.seed(map[string]string{"phone": "+1 791 112 3456"}, 500*day) // same digits, another country
	res := mustFind(t, e, customer(convrs.Customer{Phone: "+447911123456"}))
	checkResult(t, res, oldest, convrs.MatchPhone, 3)
}

func TestInvalidStoredNumber(t *testing.T) {
	t.Parallel()
	for _, number := range []string{"+447700900123", "+4412345", "12345"} {
		t.Run(number, func(t *testing.T) {
			t.Parallel()
			e := setup(t, envOpts{})
			e.seed(map[string]string{"phone": number}, day)
			c := customer(convrs.Customer{Phone: number, FirstName: "Dan"})

			res, err := e.m.Find(context.Background(), e.hc, e.target(c))
			if !errors.Is(err, match.ErrNoMatch) {
				t.Fatalf("Find = %+v, %v; want ErrNoMatch (an invalid number is not used)", res, err)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], number) || !strings.Contains(res.Warnings[0], "not a valid number") {
				t.Errorf("warnings = %q", res.Warnings)
			}
			if n := e.searches(); n != 0 {
				t.Errorf("%d searches; want none (a name alone is not searched)", n)
			}

			res, err = e.m.FindOrCreate(context.Background(), e.hc, e.target(c))
			if err != nil {
				t.Fatal(err)
			}
			if res.Rule != convrs.MatchCreated || len(res.Warnings) != 1 {
				t.Errorf("FindOrCreate = %s, warnings %q", res.Rule, res.Warnings)
			}
			got, _ := e.sim.Contact(e.portal, res.Contact.ID)
			if got.Properties["phone"] != "" || got.Properties["firstname"] != "Dan" {
				t.Errorf("created %v; want the name and no invalid phone", got.Properties)
			}
		})
	}
}

func TestAnonymousIsSkipped(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	for _, c := range []*convrs.Customer{
		customer(convrs.Customer{}),
		customer(convrs.Customer{Email: "  "}),
		customer(convrs.Customer{Phone: "+4412345"}),
	} {
		for name, f := range map[string]func(context.Context, match.Contacts, match.Target) (*match.Result, error){
			"Find": e.m.Find, "FindOrCreate": e.m.FindOrCreate,
		} {
			res, err := f(context.Background(), e.hc, e.target(c))
			if !errors.Is(err, match.ErrAnonymous) {
				t.Errorf("%s(%+v) = %+v, %v; want ErrAnonymous", name, c, res, err)
			}
		}
	}
	if r := e.sim.Requests(); len(r) != 0 {
		t.Errorf("HubSpot got %d requests for anonymous customers; want none: %+v", len(r), r)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	e.seed(map[string]string{"email": "other@example.com", "phone": "+447911000000"}, day)
	c := customer(convrs.Customer{Email: "eve@example.com", Phone: "+447911123456", PhoneRaw: "07911 123456", FirstName: "Eve", LastName: "Adams"})

	if res, err := e.m.Find(context.Background(), e.hc, e.target(c)); !errors.Is(err, match.ErrNoMatch) || res.Contact != nil {
		t.Fatalf("Find = %+v, %v; want ErrNoMatch", res, err)
	}
	if n := len(e.live()); n != 1 {
		t.Fatalf("Find created a contact: %d contacts", n)
	}
	if e.links.calls != 0 {
		t.Fatal("Find without a match stored a link")
	}

	res, err := e.m.FindOrCreate(context.Background(), e.hc, e.target(c))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rule != convrs.MatchCreated || res.Candidates != 1 || !res.Linked {
		t.Errorf("result = %+v", res)
	}
	got, ok := e.sim.Contact(e.portal, res.Contact.ID)
	if !ok {
		t.Fatalf("contact %s not in the simulator", res.Contact.ID)
	}
	for k, want := range map[string]string{"email": "eve@example.com", "phone": "+447911123456", "firstname": "Eve", "lastname": "Adams"} {
		if got.Properties[k] != want {
			t.Errorf("created %s = %q; want %q", k, got.Properties[k], want)
		}
	}
	if l, _ := e.links.get(c.ID); l.portal != e.portal || l.contact != res.Contact.ID {
		t.Errorf("link = %+v", l)
	}
}

// racingContacts creates the customer's contact elsewhere right after the matcher's strongly consistent
// read, as another process (or a person in HubSpot) might: only the create's 409 can tell.
type racingContacts struct {
	match.Contacts
	race func()
}

func (r racingContacts) GetByEmail(ctx context.Context, email string, props []string) (*hubspot.Contact, *hubspot.Response, error) {
	c, resp, err := r.Contacts.GetByEmail(ctx, email, props)
	r.race()
	return c, resp, err
}

func TestCreateConflictUsesExistingContact(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{indexDelay: time.Hour})
	var existing string
	hc := racingContacts{Contacts: e.hc, race: func() {
		existing = e.sim.SeedContact(e.portal, map[string]string{"email": "fay@example.com"}, e.clock.Now())
	}}
	c := customer(convrs.Customer{Email: "fay@example.com", FirstName: "Fay"})
	res, err := e.m.FindOrCreate(context.Background(), hc, e.target(c))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, existing, convrs.MatchEmail, 1)
	if n := len(e.live()); n != 1 {
		t.Errorf("%d contacts; want 1", n)
	}
	if l, _ := e.links.get(c.ID); l.contact != existing {
		t.Errorf("link = %+v; want %s", l, existing)
	}
}

func TestDeletedLinkedContactFallsThrough(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	gone := e.seed(map[string]string{"email": "gus@example.com"}, 10*day)
	now := e.seed(map[string]string{"email": "gus@example.com"}, day)
	if !e.sim.ArchiveContact(e.portal, gone) {
		t.Fatal("archive failed")
	}
	c := customer(convrs.Customer{Email: "gus@example.com", HubspotContactID: gone, HubspotPortalID: e.portal})
	res := mustFind(t, e, c)
	checkResult(t, res, now, convrs.MatchEmail, 1)
	if !res.Linked || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], gone) {
		t.Errorf("Linked = %v, warnings %q", res.Linked, res.Warnings)
	}
	if l, _ := e.links.get(c.ID); l.contact != now {
		t.Errorf("link = %+v; want %s", l, now)
	}
}

func TestHubSpotErrorsPassThrough(t *testing.T) {
	t.Parallel()
	e := setup(t, envOpts{})
	for _, status := range []int{429, 500} {
		e.sim.FailNext(1, status)
		_, err := e.m.Find(context.Background(), e.hc, e.target(customer(convrs.Customer{Email: "hal@example.com"})))
		var he *hubspot.ErrorResponse
		if !errors.As(err, &he) || !strings.HasPrefix(err.Error(), "match: search email: ") {
			t.Errorf("status %d: err = %v; want a wrapped *hubspot.ErrorResponse", status, err)
		}
		if status == 429 {
			var rl *hubspot.RateLimitError
			if !errors.As(err, &rl) {
				t.Errorf("429: err = %T; want *hubspot.RateLimitError", err)
			}
		}
	}
	if e.links.calls != 0 {
		t.Error("a failed lookup stored a link")
	}
}
