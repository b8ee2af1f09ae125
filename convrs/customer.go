package convrs

import (
	"net/mail"
	"strings"
)

// NormalizeEmail returns an email address trimmed and lower-cased, and whether it is a bare address such as
// ada@example.com (no display name, a dot in the domain, at most MaxEmailLength bytes). "" stays "", valid.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") || len(s) > MaxEmailLength {
		return "", false
	}
	return strings.ToLower(s), true
}

// ValidateText checks every text of in, trimmed, with ValidText against its limit, before anything parses it.
func (in CustomerInput) ValidateText() error {
	for _, f := range []struct {
		v     *string
		field string
		max   int
	}{
		{in.Email, "email", MaxEmailLength}, {in.Phone, "phone", MaxPhoneLength},
		{in.FirstName, "firstName", MaxNameLength}, {in.LastName, "lastName", MaxNameLength},
	} {
		if f.v == nil {
			continue
		}
		if e := ValidText(f.field, strings.TrimSpace(*f.v), f.max); e != nil {
			return e
		}
	}
	return nil
}

// ValidContactID returns nil if id (trimmed) is empty or a HubSpot contact ID (digits, at most
// MaxContactIDLength of them), else EINVALID for field "hubspotContactId". A long ID is not quoted back.
func ValidContactID(id string) error {
	id = strings.TrimSpace(id)
	if len(id) > MaxContactIDLength {
		return Invalidf("hubspotContactId", "A HubSpot contact ID has at most %d digits.", MaxContactIDLength)
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return Invalidf("hubspotContactId", "%q is not a HubSpot contact ID.", id)
		}
	}
	return nil
}
