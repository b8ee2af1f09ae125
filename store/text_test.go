package store_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// Every text input refuses a NUL character and text over its length limit with EINVALID naming the field,
// on both engines (PostgreSQL cannot store NUL at all), and nothing is written.
func TestTextInputsRefuseNULAndOverlongText(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_text")
		long := func(n int) string { return strings.Repeat("é", n+1) } // runes, not bytes, are counted
		for _, bad := range []struct {
			name, value string
		}{{"nul", "Ali\x00ce"}, {"long", ""}} {
			val := func(max int) *string {
				if bad.name == "long" {
					return ptr(long(max))
				}
				return ptr(bad.value)
			}
			str := func(max int) string { return *val(max) }
			cases := []struct {
				field string
				run   func() error
			}{
				{"text", func() error { _, err := db.SendMessage(f.agent, f.conv.ID, str(convrs.MaxMessageLength)); return err }},
				{"text", func() error {
					_, err := db.PostCustomerMessage(f.agent, f.conv.ID, str(convrs.MaxMessageLength))
					return err
				}},
				{"query", func() error { _, err := db.ListCustomers(f.agent, str(convrs.MaxSearchLength), 10); return err }},
				{"firstName", func() error {
					_, err := db.UpdateCustomer(f.agent, f.customer.ID, convrs.CustomerInput{FirstName: val(convrs.MaxNameLength)})
					return err
				}},
				{"lastName", func() error {
					_, err := db.UpdateCustomer(f.agent, f.customer.ID, convrs.CustomerInput{LastName: val(convrs.MaxNameLength)})
					return err
				}},
				{"email", func() error {
					_, err := db.UpdateCustomer(f.agent, f.customer.ID, convrs.CustomerInput{Email: val(convrs.MaxEmailLength)})
					return err
				}},
				{"phone", func() error {
					_, err := db.UpdateCustomer(f.agent, f.customer.ID, convrs.CustomerInput{Phone: val(convrs.MaxPhoneLength)})
					return err
				}},
				{"subject", func() error {
					_, err := db.StartConversation(f.agent, convrs.StartConversationInput{CustomerID: f.customer.ID, Channel: "web", Subject: str(convrs.MaxSubjectLength), Message: "Hi"})
					return err
				}},
				{"message", func() error {
					_, err := db.StartConversation(f.agent, convrs.StartConversationInput{CustomerID: f.customer.ID, Channel: "web", Message: str(convrs.MaxMessageLength)})
					return err
				}},
				{"firstName", func() error {
					_, err := db.StartConversation(f.agent, convrs.StartConversationInput{Customer: convrs.CustomerInput{Email: ptr("new@example.com"), FirstName: val(convrs.MaxNameLength)}, Channel: "web", Message: "Hi"})
					return err
				}},
				{"name", func() error {
					_, err := db.UpdateWorkspace(f.admin, f.ws.ID, convrs.WorkspaceUpdate{Name: val(convrs.MaxWorkspaceNameLength)})
					return err
				}},
				{"timeZone", func() error {
					_, err := db.UpdateWorkspace(f.admin, f.ws.ID, convrs.WorkspaceUpdate{TimeZone: val(convrs.MaxTimeZoneLength)})
					return err
				}},
				{"defaultRegion", func() error {
					_, err := db.UpdateWorkspace(f.admin, f.ws.ID, convrs.WorkspaceUpdate{DefaultRegion: val(convrs.MaxRegionLength)})
					return err
				}},
			}
			for _, c := range cases {
				err := c.run()
				var e *convrs.Error
				if convrs.ErrorCode(err) != convrs.EINVALID || !asError(err, &e) || e.Field != c.field {
					t.Errorf("%s %s: %v, want EINVALID for %s", bad.name, c.field, err, c.field)
					continue
				}
				want := "NUL"
				if bad.name == "long" {
					want = "too long"
				}
				if !strings.Contains(e.Message, want) {
					t.Errorf("%s %s: message %q does not say %q", bad.name, c.field, e.Message, want)
				}
			}
		}
		// Nothing was written.
		msgs, err := db.ListMessages(f.agent, f.conv.ID)
		if err != nil || len(msgs) != 1 {
			t.Errorf("messages = %d, %v; want the one the fixture wrote", len(msgs), err)
		}
		got, err := db.FindCustomer(f.agent, f.customer.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(f.customer, got); diff != "" {
			t.Errorf("refused updates changed the customer (-before +after):\n%s", diff)
		}
		convs, _ := db.ListConversations(f.agent, convrs.ConversationFilter{})
		ws, _ := db.FindWorkspace(f.agent, f.ws.ID)
		if len(convs) != 1 || ws.Name != f.ws.Name || ws.TimeZone != "Europe/London" {
			t.Errorf("after refused writes: %d conversations, workspace %+v", len(convs), ws)
		}
		// At the limit, text is accepted.
		if _, err := db.StartConversation(f.agent, convrs.StartConversationInput{CustomerID: f.customer.ID, Channel: "web", Subject: strings.Repeat("é", convrs.MaxSubjectLength), Message: "Hi"}); err != nil {
			t.Errorf("subject of %d characters: %v", convrs.MaxSubjectLength, err)
		}
	})
}

func asError(err error, target **convrs.Error) bool {
	e, ok := err.(*convrs.Error)
	*target = e
	return ok
}

// A search for % or _ finds the customers whose details contain that character, not everyone.
func TestCustomerSearchEscapesWildcards(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_like")
		for _, in := range []convrs.CustomerInput{
			{FirstName: ptr("Percy"), LastName: ptr("100%"), Email: ptr("percy@example.com")},
			{FirstName: ptr("Under"), Email: ptr("under_score@example.com")},
			{FirstName: ptr("Back"), LastName: ptr(`Slash\Name`), Email: ptr("back@example.com")},
			{FirstName: ptr("Plain"), Email: ptr("plain@example.com")},
		} {
			if _, err := db.CreateCustomer(f.agent, in); err != nil {
				t.Fatal(err)
			}
		}
		for query, want := range map[string][]string{
			"%":      {"Percy"},
			"_":      {"Under"},
			"r_s":    {"Under"},
			`\`:      {"Back"},
			"0%":     {"Percy"},
			"%ali%":  nil,
			"lai":    {"Plain"},
			"under_": {"Under"},
		} {
			found, err := db.ListCustomers(f.agent, query, 50)
			if err != nil {
				t.Fatalf("%q: %v", query, err)
			}
			var names []string
			for _, c := range found {
				names = append(names, c.FirstName)
			}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("search %q (-want +got):\n%s", query, diff)
			}
		}
	})
}
