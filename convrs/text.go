package convrs

import (
	"strings"
	"unicode/utf8"
)

// Length limits of text inputs, in characters. Every text that comes in is checked against one of them by
// ValidText before it is stored or searched for.
const (
	MaxNameLength          = 200 // a customer's first or last name, a staff member's name
	MaxEmailLength         = 254 // RFC 5321's limit on a forward path
	MaxPhoneLength         = 50  // a phone number as typed, spaces and punctuation included
	MaxSubjectLength       = 300 // a conversation's subject
	MaxSearchLength        = 200 // a customer search query
	MaxWorkspaceNameLength = 200
	MaxTimeZoneLength      = 64 // the longest IANA zone name is 32 characters
	MaxRegionLength        = 8
	MaxContactIDLength     = 20 // a HubSpot contact ID (digits; HubSpot's IDs are 64-bit numbers)
)

// ValidText returns nil if s is valid UTF-8 without a NUL character and at most max characters long, and
// otherwise an EINVALID error naming field. NUL is refused everywhere: it is never meant in text, and
// PostgreSQL can neither store nor compare it.
func ValidText(field, s string, max int) *Error {
	switch {
	case !utf8.ValidString(s):
		return Invalidf(field, "The text is not valid UTF-8.")
	case strings.ContainsRune(s, 0):
		return Invalidf(field, "The text contains a NUL character, which is not allowed.")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Invalidf(field, "The text is too long: %d characters, %d at most.", n, max)
	}
	return nil
}
