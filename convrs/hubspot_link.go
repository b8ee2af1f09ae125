package convrs

import (
	"strconv"
	"strings"
	"time"
)

// MatchChosen: a person chose the contact (an outbound pick, Change contact), not a rule.
const MatchChosen HubspotMatchRule = "CHOSEN"

// SyncReasonNotThisPerson: skipped, the only contact the rules find is one an agent marked "not this person".
const SyncReasonNotThisPerson = "NOT_THIS_PERSON"

// HubspotLinkSource is how a customer's (or a conversation's) HubSpot contact was chosen: the rule and the value
// it matched, or the person who chose it, and when. A zero Rule means a link made before links kept their
// provenance.
type HubspotLinkSource struct {
	// Rule is EMAIL, PHONE, CREATED (the transcript sync made the contact) or CHOSEN.
	Rule HubspotMatchRule
	// Value is the email or phone number a rule matched on.
	Value string
	// StaffID and StaffName are who chose the contact (CHOSEN).
	StaffID   string
	StaffName string
	At        time.Time
}

// Known reports whether the source was recorded.
func (s HubspotLinkSource) Known() bool { return s.Rule != "" }

// Words says in words how the link was made, with dates read in loc ("matched by email (bob@example.com)",
// "chosen by Sam Agent on 7 Dec"). now decides whether the year is worth saying.
func (s HubspotLinkSource) Words(loc *time.Location, now time.Time) string {
	switch s.Rule {
	case MatchEmail:
		return strings.TrimSpace("matched by email " + paren(s.Value))
	case MatchPhone:
		return strings.TrimSpace("matched by phone number " + paren(s.Value))
	case MatchCreated:
		return "created in HubSpot by the transcript sync" + on(s.At, loc, now)
	case MatchChosen:
		who := s.StaffName
		if who == "" {
			who = "an agent"
		}
		return "chosen by " + who + on(s.At, loc, now)
	case MatchCRMID:
		return "linked before Convrs recorded how"
	}
	return ""
}

func paren(v string) string {
	if v == "" {
		return ""
	}
	return "(" + v + ")"
}

// on is " on 7 Dec" (with the year when it is not now's), or "" for a zero time.
func on(t time.Time, loc *time.Location, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if t.Year() != now.In(loc).Year() {
		return " on " + t.Format("2 Jan 2006")
	}
	return " on " + t.Format("2 Jan")
}

// HubspotContactRef names a contact of a portal ("portal:contact" when stored).
type HubspotContactRef struct {
	PortalID  int64
	ContactID string
}

func (r HubspotContactRef) String() string {
	return strconv.FormatInt(r.PortalID, 10) + ":" + r.ContactID
}

// ParseHubspotContactRef reads a ref written by String; ok is false for anything else.
func ParseHubspotContactRef(s string) (HubspotContactRef, bool) {
	p, c, ok := strings.Cut(s, ":")
	if !ok || c == "" {
		return HubspotContactRef{}, false
	}
	n, err := strconv.ParseInt(p, 10, 64)
	if err != nil {
		return HubspotContactRef{}, false
	}
	return HubspotContactRef{PortalID: n, ContactID: c}, true
}

// IsNotThisPerson reports whether an agent said the customer is not contactID of portal ("Unlink"): the rules
// never match them again until someone links them.
func (c *Customer) IsNotThisPerson(portal int64, contactID string) bool {
	for _, r := range c.HubspotNotThisPerson {
		if r.PortalID == portal && r.ContactID == contactID {
			return true
		}
	}
	return false
}

// HubspotPick is the contact an agent picked in Create New Chat, as the server fetched it from the connected
// portal.
type HubspotPick struct {
	PortalID    int64
	ContactID   string
	ContactName string
}
