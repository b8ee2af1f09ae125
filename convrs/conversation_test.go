package convrs_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
)

// fieldErrors lists the fields and messages of an EINVALID error, one or several (FieldErrors).
func fieldErrors(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var errs convrs.FieldErrors
	if !errs.Add(err) {
		t.Fatalf("%v is not EINVALID", err)
	}
	var out []string
	for _, e := range errs {
		if e.Code != convrs.EINVALID {
			t.Errorf("%s: code %s, want EINVALID", e.Field, e.Code)
		}
		out = append(out, e.Field+": "+e.Message)
	}
	return out
}

func TestChannelValidate(t *testing.T) {
	for _, ch := range convrs.Channels {
		if err := ch.Validate(); err != nil {
			t.Errorf("%s: %v", ch, err)
		}
	}
	for _, ch := range []convrs.Channel{"", "fax", "SMS"} {
		want := []string{"channel: Choose a channel: web, whatsapp, sms, email."}
		if diff := cmp.Diff(want, fieldErrors(t, ch.Validate())); diff != "" {
			t.Errorf("%q (-want +got):\n%s", ch, diff)
		}
	}
}

// Each channel needs its contact detail: a phone for SMS and WhatsApp, an email for email, either for web chat.
func TestChannelNeedsContact(t *testing.T) {
	const (
		phone  = "phone: %s chat needs the customer's phone number."
		email  = "email: An email chat needs the customer's email address."
		either = "email: Enter an email address or a phone number to reach the customer."
	)
	for _, tc := range []struct {
		ch                 convrs.Channel
		hasEmail, hasPhone bool
		want               string // "" when reachable
	}{
		{convrs.ChannelSMS, true, false, strings.Replace(phone, "%s", "An SMS", 1)},
		{convrs.ChannelSMS, false, true, ""},
		{convrs.ChannelWhatsApp, true, false, strings.Replace(phone, "%s", "A WhatsApp", 1)},
		{convrs.ChannelWhatsApp, false, true, ""},
		{convrs.ChannelEmail, false, true, email},
		{convrs.ChannelEmail, true, false, ""},
		{convrs.ChannelWeb, false, false, either},
		{convrs.ChannelWeb, true, false, ""},
		{convrs.ChannelWeb, false, true, ""},
		{"fax", false, false, ""}, // refused by Validate, not here
	} {
		var want []string
		if tc.want != "" {
			want = []string{tc.want}
		}
		if diff := cmp.Diff(want, fieldErrors(t, tc.ch.NeedsContact(tc.hasEmail, tc.hasPhone))); diff != "" {
			t.Errorf("%s with email %v, phone %v (-want +got):\n%s", tc.ch, tc.hasEmail, tc.hasPhone, diff)
		}
	}
}

func TestValidMessage(t *testing.T) {
	if got, err := convrs.ValidMessage("  Hello there \n"); got != "Hello there" || err != nil {
		t.Errorf(`ValidMessage("  Hello there \n") = %q, %v; want it trimmed`, got, err)
	}
	if got, err := convrs.ValidMessage(strings.Repeat("é", convrs.MaxMessageLength)); err != nil || got == "" {
		t.Errorf("a message at the limit: %v", err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "text: Write a message first."},
		{"blank", " \t\n", "text: Write a message first."},
		{"NUL", "a\x00b", "text: The text contains a NUL character, which is not allowed."},
		{"too long", strings.Repeat("é", convrs.MaxMessageLength+1), "text: The text is too long: 20001 characters, 20000 at most."},
	} {
		got, err := convrs.ValidMessage(tc.in)
		if diff := cmp.Diff([]string{tc.want}, fieldErrors(t, err)); got != "" || diff != "" {
			t.Errorf("%s: %q (-want +got):\n%s", tc.name, got, diff)
		}
	}
}

// A start reports its channel and its first message together, the message as the form's field "message".
func TestStartConversationInputValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   convrs.StartConversationInput
		want []string
	}{
		{"valid", convrs.StartConversationInput{Channel: "sms", Message: "Hi"}, nil},
		{"no message", convrs.StartConversationInput{Channel: "web", Message: " "}, []string{"message: Write a message first."}},
		{"both", convrs.StartConversationInput{Channel: "pigeon", Message: ""},
			[]string{"channel: Choose a channel: web, whatsapp, sms, email.", "message: Write a message first."}},
	} {
		if diff := cmp.Diff(tc.want, fieldErrors(t, tc.in.Validate())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
