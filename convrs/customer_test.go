package convrs_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{" Alice@Example.COM ", "alice@example.com", true},
		{"", "", true},
		{"not-an-email", "", false},
		{"Alice <alice@example.com>", "", false}, // a bare address only
		{"alice@localhost", "", false},           // the domain needs a dot
		{"a@" + strings.Repeat("b", convrs.MaxEmailLength) + ".com", "", false},
	} {
		if got, ok := convrs.NormalizeEmail(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeEmail(%.40q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// Every text of a customer's details is checked against its own limit, trimmed, and named by its field.
func TestCustomerInputValidateText(t *testing.T) {
	ptr := func(s string) *string { return &s }
	long := func(n int) *string { return ptr(strings.Repeat("é", n+1)) }
	if err := (convrs.CustomerInput{Email: ptr("  a@b.co  "), FirstName: ptr(strings.Repeat("é", convrs.MaxNameLength) + " ")}).ValidateText(); err != nil {
		t.Errorf("text within the limits: %v", err)
	}
	for _, tc := range []struct {
		in    convrs.CustomerInput
		field string
	}{
		{convrs.CustomerInput{Email: long(convrs.MaxEmailLength)}, "email"},
		{convrs.CustomerInput{Phone: long(convrs.MaxPhoneLength)}, "phone"},
		{convrs.CustomerInput{FirstName: long(convrs.MaxNameLength)}, "firstName"},
		{convrs.CustomerInput{LastName: ptr("O\x00Brien")}, "lastName"},
	} {
		got := fieldErrors(t, tc.in.ValidateText())
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.field+": ") {
			t.Errorf("%s: %v, want one EINVALID for %s", tc.field, got, tc.field)
		}
	}
}

func TestValidContactID(t *testing.T) {
	for _, id := range []string{"", "101", " 51234 ", strings.Repeat("9", convrs.MaxContactIDLength)} {
		if err := convrs.ValidContactID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	for _, id := range []string{"abc", "12-3", " 1 2 "} {
		want := []string{`hubspotContactId: "` + strings.TrimSpace(id) + `" is not a HubSpot contact ID.`}
		if diff := cmp.Diff(want, fieldErrors(t, convrs.ValidContactID(id))); diff != "" {
			t.Errorf("%q (-want +got):\n%s", id, diff)
		}
	}
	want := []string{"hubspotContactId: A HubSpot contact ID has at most 20 digits."}
	if diff := cmp.Diff(want, fieldErrors(t, convrs.ValidContactID(strings.Repeat("1", 5000)))); diff != "" {
		t.Errorf("5,000 digits (-want +got):\n%s", diff)
	}
}

func TestStaffValidate(t *testing.T) {
	ok := convrs.Staff{Name: "Ada Admin", Email: "Ada@Example.com", Role: convrs.RoleAdmin}
	if err := ok.Validate(); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	for _, tc := range []struct {
		s    convrs.Staff
		want string
	}{
		{convrs.Staff{Name: "Ada", Email: "ada@example.com", Role: "owner"}, "role: Role must be admin or agent."},
		{convrs.Staff{Name: " ", Email: "ada@example.com", Role: convrs.RoleAgent}, "name: Enter a name."},
		{convrs.Staff{Name: "Ada", Email: "", Role: convrs.RoleAgent}, `email: "" is not an email address.`},
		{convrs.Staff{Name: "Ada", Email: "ada", Role: convrs.RoleAgent}, `email: "ada" is not an email address.`},
	} {
		if diff := cmp.Diff([]string{tc.want}, fieldErrors(t, tc.s.Validate())); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tc.s, diff)
		}
	}
}
