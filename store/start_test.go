package store_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// The Create New Chat defects: invalid numbers stored, existing customers overwritten, channels without their
// contact detail, one error per submit.
func TestStartConversationDefects(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_a")
		before, _ := db.FindCustomer(f.agent, f.customer.ID)

		// 12345 is possible in GB but not a valid number: refused, not stored as +4412345.
		_, err := db.StartConversation(f.agent, convrs.StartConversationInput{
			Customer: convrs.CustomerInput{Phone: ptr("12345"), FirstName: ptr("Zed")}, Channel: "sms", Message: "Hi"})
		wantFields(t, err, "phone")
		if _, err := db.CreateCustomer(f.agent, convrs.CustomerInput{Phone: ptr("12345")}); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("CreateCustomer with 12345: %v, want EINVALID", err)
		}
		if _, err := db.UpdateCustomer(f.agent, f.customer.ID, convrs.CustomerInput{Phone: ptr("+4412345")}); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("UpdateCustomer with +4412345: %v, want EINVALID", err)
		}

		// An existing customer's email with a new phone: ECONFLICT naming them, and their data untouched.
		_, err = db.StartConversation(f.agent, convrs.StartConversationInput{
			Customer: convrs.CustomerInput{Email: ptr("ALICE@example.com"), Phone: ptr("+44 7400 123456"), FirstName: ptr("Mallory")},
			Channel:  "whatsapp", Message: "Hi again"})
		var appErr *convrs.Error
		if !errors.As(err, &appErr) || appErr.Code != convrs.ECONFLICT {
			t.Fatalf("start with an existing email: %v, want ECONFLICT", err)
		}
		if want := "This matches Alice Johnson (alice@example.com)."; appErr.Message != want {
			t.Errorf("message = %q, want %q", appErr.Message, want)
		}
		if appErr.Extensions["customerId"] != f.customer.ID || appErr.Field != "email" {
			t.Errorf("extensions = %v, field %q; want customerId %s, field email", appErr.Extensions, appErr.Field, f.customer.ID)
		}
		after, _ := db.FindCustomer(f.agent, f.customer.ID)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("existing customer changed (-before +after):\n%s", diff)
		}
		// "Use this customer": the chat starts with them, still unchanged.
		conv, err := db.StartConversation(f.agent, convrs.StartConversationInput{CustomerID: f.customer.ID, Channel: "email", Message: "Hi"})
		if err != nil || conv.CustomerID != f.customer.ID {
			t.Fatalf("start with the existing customer: %+v, %v", conv, err)
		}
		// The channel needs its detail: Alice has no phone, so no SMS chat with her.
		_, err = db.StartConversation(f.agent, convrs.StartConversationInput{CustomerID: f.customer.ID, Channel: "sms", Message: "Hi"})
		wantFields(t, err, "phone")
		_, err = db.StartConversation(f.agent, convrs.StartConversationInput{
			Customer: convrs.CustomerInput{Phone: ptr("+44 20 7946 0958")}, Channel: "email", Message: "Hi"})
		wantFields(t, err, "email")

		// Every invalid field at once.
		_, err = db.StartConversation(f.agent, convrs.StartConversationInput{
			Customer: convrs.CustomerInput{Email: ptr("not-an-email"), Phone: ptr("12345")}, Channel: "sms", Message: " "})
		wantFields(t, err, "message", "email", "phone")

		if custs, _ := db.ListCustomers(f.agent, "", 0); len(custs) != 1 {
			t.Errorf("%d customers; refused starts must create none", len(custs))
		}
	})
}

func TestUpdateWorkspaceReportsEveryField(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_a")
		_, err := db.UpdateWorkspace(f.admin, "ws_a", convrs.WorkspaceUpdate{Name: ptr(" "), DefaultRegion: ptr("XX"), TimeZone: ptr("Mars/Base")})
		wantFields(t, err, "name", "defaultRegion", "timeZone")
	})
}

// wantFields checks that err is EINVALID for exactly these fields, in order.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var many convrs.FieldErrors
	var got []string
	if errors.As(err, &many) {
		for _, e := range many {
			got = append(got, e.Field)
		}
	} else if e := (*convrs.Error)(nil); errors.As(err, &e) && e.Code == convrs.EINVALID {
		got = []string{e.Field}
	}
	if diff := cmp.Diff(fields, got); diff != "" {
		t.Errorf("invalid fields of %v (-want +got):\n%s", err, diff)
	}
}
