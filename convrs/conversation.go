package convrs

import "strings"

// Channel is what a conversation runs on (Conversation.Channel, StartConversationInput.Channel).
type Channel string

const (
	ChannelWeb      Channel = "web"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelSMS      Channel = "sms"
	ChannelEmail    Channel = "email"
)

// Channels a conversation can run on.
var Channels = []Channel{ChannelWeb, ChannelWhatsApp, ChannelSMS, ChannelEmail}

// Validate returns nil for one of Channels, else EINVALID for field "channel" listing them.
func (c Channel) Validate() error {
	names := make([]string, len(Channels))
	for i, ch := range Channels {
		if ch == c {
			return nil
		}
		names[i] = string(ch)
	}
	return Invalidf("channel", "Choose a channel: %s.", strings.Join(names, ", "))
}

// NeedsContact returns nil if a customer with these contact details can be reached on c, else EINVALID naming
// the detail to add: a phone for sms and whatsapp, an email for email, either for web.
func (c Channel) NeedsContact(hasEmail, hasPhone bool) error {
	switch c {
	case ChannelSMS, ChannelWhatsApp:
		if !hasPhone {
			return Invalidf("phone", "%s %s chat needs the customer's phone number.", c.article(), c.label())
		}
	case ChannelEmail:
		if !hasEmail {
			return Invalidf("email", "An email chat needs the customer's email address.")
		}
	case ChannelWeb:
		if !hasEmail && !hasPhone {
			return Invalidf("email", "Enter an email address or a phone number to reach the customer.")
		}
	}
	return nil
}

// article is the indefinite article before the channel's label: "An SMS chat", "A WhatsApp chat".
func (c Channel) article() string {
	if c == ChannelSMS {
		return "An"
	}
	return "A"
}

// label is how messages name the channel.
func (c Channel) label() string {
	switch c {
	case ChannelSMS:
		return "SMS"
	case ChannelWhatsApp:
		return "WhatsApp"
	}
	return string(c)
}

// MaxMessageLength caps one message's text, in characters.
const MaxMessageLength = 20000

// ValidMessage returns a message's text trimmed, or EINVALID for field "text" when nothing is left of it or it
// fails ValidText against MaxMessageLength.
func ValidMessage(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Invalidf("text", "Write a message first.")
	}
	if e := ValidText("text", text, MaxMessageLength); e != nil {
		return "", e
	}
	return text, nil
}

// Validate reports the channel and the first message (as field "message") when they are invalid, together
// (FieldErrors), so the caller can add the new customer's details, which need the workspace's region.
func (in StartConversationInput) Validate() error {
	var errs FieldErrors
	if err := Channel(in.Channel).Validate(); err != nil {
		errs.Add(err)
	}
	if _, err := ValidMessage(in.Message); err != nil {
		errs = append(errs, Invalidf("message", "%s", ErrorMessage(err)))
	}
	return errs.Err()
}
