// Package match finds the HubSpot contact of a Convrs customer with the help page's rules, in order, and is
// the one implementation the transcript sync (FindOrCreate) and the agent's HubSpot card (Find) share, so both
// choose the same contact:
//
//  1. CRM ID: the customer's stored link, if it names a contact of the connected portal, is read by ID (no
//     search). A deleted contact falls through to the next rules, whose match replaces the link. A merged
//     contact comes back under its new ID: the link follows it.
//  2. Email: the contacts whose email equals the customer's, ignoring case; several → the oldest by
//     createdate. The same search also finds a contact holding it among its additional emails
//     (hs_additional_emails, kept by HubSpot after a merge and unique like primary emails), used when no
//     contact has it as its primary email. Search lags behind writes, so when it finds none a strongly
//     consistent read by email decides.
//  3. Phone: only a valid stored number (phonenumbers' validity, not mere possibility). One search ORs the E.164
//     number against phone and mobilephone and the national number against HubSpot's calculated
//     hs_searchable_calculated_phone_number / _mobile_number; a candidate counts only if its phone or mobile
//     phone, read in the workspace's region when written without a country code, is the customer's number
//     (the same national digits in another country are not a match); the oldest wins.
//  4. Create (FindOrCreate only): a contact from the email, the valid phone and the names; a 409 means the
//     email's contact exists, and it is used.
//
// A match by rules 2–4 is linked to the customer, so the next lookup skips the search. A customer with no
// email, no valid phone and no name is anonymous: nothing is sent to HubSpot. FindOrCreate runs under a
// per-customer lock, so two syncs of one new customer end on one contact even while search lags.
package match

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/phone"
)

// Contacts is the part of the HubSpot client the matcher needs; *hubspot.ContactsService satisfies it.
type Contacts interface {
	Get(ctx context.Context, id string, props []string) (*hubspot.Contact, *hubspot.Response, error)
	GetByEmail(ctx context.Context, email string, props []string) (*hubspot.Contact, *hubspot.Response, error)
	Search(ctx context.Context, sr *hubspot.SearchRequest) (*hubspot.SearchResult[*hubspot.Contact], *hubspot.Response, error)
	Create(ctx context.Context, props map[string]string) (*hubspot.Contact, *hubspot.Response, error)
}

// Links stores the customer → contact link and how it was made (*store.DB satisfies it).
type Links interface {
	LinkHubspotContact(ctx context.Context, customerID string, portalID int64, contactID string, src convrs.HubspotLinkSource) error
}

// Config holds a Matcher's dependencies. Links is required; Locker is required by FindOrCreate.
type Config struct {
	Links Links
	// Locker serialises FindOrCreate per customer; Redis-backed, it does so across gateway processes.
	Locker convrs.Locker
	// LockTTL bounds how long a crashed holder blocks the customer's other syncs; default 2 minutes.
	LockTTL time.Duration
	Logger  *slog.Logger
}

// Matcher applies the matching rules. It is safe for concurrent use.
type Matcher struct {
	links   Links
	locker  convrs.Locker
	lockTTL time.Duration
	log     *slog.Logger
}

// New returns a Matcher.
func New(cfg Config) *Matcher {
	m := &Matcher{links: cfg.Links, locker: cfg.Locker, lockTTL: cfg.LockTTL, log: cfg.Logger}
	if m.lockTTL <= 0 {
		m.lockTTL = 2 * time.Minute
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m
}

// Properties is what every lookup reads (the card's display properties included), so the card and the sync
// ask for the same ones.
var Properties = []string{
	"firstname", "lastname", "email", "phone", "mobilephone", "lifecyclestage", "hubspot_owner_id",
	"createdate", "hs_object_id", "hs_merged_object_ids", PropAdditionalEmails, PropLastActivity,
}

// PropAdditionalEmails holds a contact's other emails, separated by ";" (e.g. the emails of contacts merged
// into it). HubSpot treats them as unique identifiers, like the primary email.
const PropAdditionalEmails = "hs_additional_emails"

// HasAdditionalEmail reports whether email is among the contact's additional emails, ignoring case.
func HasAdditionalEmail(c *hubspot.Contact, email string) bool {
	email = strings.TrimSpace(email)
	for _, e := range strings.Split(c.Prop(PropAdditionalEmails), ";") {
		if e = strings.TrimSpace(e); e != "" && strings.EqualFold(e, email) {
			return true
		}
	}
	return false
}

// PropLastActivity is HubSpot's "Last activity date" of a contact (what tells duplicates apart, if known).
const PropLastActivity = "notes_last_updated"

// Target is who and where to match.
type Target struct {
	// Customer as stored; its HubspotContactID counts only if HubspotPortalID == PortalID.
	Customer *convrs.Customer
	// PortalID is the workspace's connected portal.
	PortalID int64
	// Region is the workspace's default region (ISO 3166-1 alpha-2), used to read numbers stored in HubSpot
	// without a country code. Empty: the region of the customer's own number.
	Region string
	// Reload, if set, is called by FindOrCreate after it takes the customer's lock, to see a link another
	// process stored meanwhile. Without it a second sync of a phone-only customer cannot see the first one's
	// contact while HubSpot's search index lags.
	Reload func(ctx context.Context) (*convrs.Customer, error)
}

// Result is the outcome of a match.
type Result struct {
	// Contact is the matched contact; nil when nothing matched (with ErrNoMatch or ErrAnonymous).
	Contact *hubspot.Contact
	Rule    convrs.HubspotMatchRule
	// Candidates is how many contacts share the email or phone (1 for CRM_ID and CREATED); more than 1 means
	// the oldest was taken.
	Candidates int
	// Linked reports that the stored link was set or changed (a new match, a merged ID followed).
	Linked bool
	// Source is how the link was made: for a stored link (CRM_ID) the rule or person recorded when it was
	// made, so a match stays "matched by email" after it is stored; else the rule and value matched now.
	Source convrs.HubspotLinkSource
	// Warnings say in words what was not used and why (an invalid stored number, a deleted linked contact).
	Warnings []string
}

var (
	// ErrAnonymous: the customer has nothing to match on; nothing was sent to HubSpot.
	ErrAnonymous = errors.New("match: customer has no email, phone or name")
	// ErrNoMatch: no contact matches (Find only).
	ErrNoMatch = errors.New("match: no HubSpot contact matches")
	// ErrNotThisPerson: the only contact with the customer's email is one an agent unlinked as "not this
	// person" (FindOrCreate: HubSpot refused a second contact with that email). Nothing was linked.
	ErrNotThisPerson = errors.New("match: the customer's email belongs to a HubSpot contact marked not this person")
)

// searchLimit is the page size of the email and phone searches: enough to count the usual duplicates in
// one call (Total counts the rest).
const searchLimit = 100

// Find applies rules 1–3 (CRM ID → email → phone) and never creates. A match by email or phone is linked so
// the next lookup skips the search. It returns ErrAnonymous or ErrNoMatch with a non-nil Result carrying the
// warnings; HubSpot errors pass through wrapped.
func (m *Matcher) Find(ctx context.Context, hc Contacts, t Target) (*Result, error) {
	if t.Customer == nil {
		return nil, errors.New("match: find: no customer")
	}
	return m.find(ctx, hc, t)
}

// FindOrCreate applies rules 1–4 under the customer's lock ("match:<workspace>:<customer>"), so two syncs of
// one new customer end on one contact even while HubSpot's search lags: the second sees the first's link
// (Target.Reload), or the email's contact through a strongly consistent read, or the create's 409. It returns
// ErrAnonymous with a non-nil Result carrying the warnings.
func (m *Matcher) FindOrCreate(ctx context.Context, hc Contacts, t Target) (*Result, error) {
	if t.Customer == nil {
		return nil, errors.New("match: find or create: no customer")
	}
	if m.locker == nil {
		return nil, errors.New("match: find or create: no locker configured")
	}
	key := "match:" + t.Customer.WorkspaceID + ":" + t.Customer.ID
	unlock, err := m.locker.Lock(ctx, key, m.lockTTL)
	if err != nil {
		return nil, fmt.Errorf("match: lock customer: %w", err)
	}
	defer unlock()
	if t.Reload != nil {
		c, err := t.Reload(ctx)
		if err != nil {
			return nil, fmt.Errorf("match: reload customer: %w", err)
		}
		if c != nil {
			t.Customer = c
		}
	}
	res, err := m.find(ctx, hc, t)
	if !errors.Is(err, ErrNoMatch) {
		return res, err
	}
	return m.create(ctx, hc, t, res)
}

// find runs rules 1–3.
func (m *Matcher) find(ctx context.Context, hc Contacts, t Target) (*Result, error) {
	c := t.Customer
	res := &Result{}

	if c.HubspotContactID != "" && c.HubspotPortalID == t.PortalID && t.PortalID != 0 {
		ct, _, err := hc.Get(ctx, c.HubspotContactID, Properties)
		switch {
		case err == nil:
			res.Contact, res.Rule, res.Candidates = ct, convrs.MatchCRMID, 1
			res.Source = c.HubspotLink
			if !res.Source.Known() {
				res.Source = convrs.HubspotLinkSource{Rule: convrs.MatchCRMID}
			}
			if ct.ID != c.HubspotContactID {
				// Merged: HubSpot answers a GET of an old ID with the merged record under its new ID.
				if err := m.link(ctx, t, ct.ID, res); err != nil {
					return nil, err
				}
				m.log.InfoContext(ctx, "match: followed merged hubspot contact", "customer_id", c.ID,
					"portal_id", t.PortalID, "old_contact_id", c.HubspotContactID, "contact_id", ct.ID)
			}
			return res, nil
		case errors.Is(err, hubspot.ErrNotFound):
			res.Warnings = append(res.Warnings, fmt.Sprintf(
				"The linked HubSpot contact %s no longer exists; the customer was matched again.", c.HubspotContactID))
		default:
			return nil, fmt.Errorf("match: get linked contact: %w", err)
		}
	}

	email := strings.TrimSpace(c.Email)
	e164, warning := validPhone(c, t.Region)
	if warning != "" {
		res.Warnings = append(res.Warnings, warning)
	}
	if email == "" && e164 == "" && c.Name() == "" {
		return res, ErrAnonymous
	}

	keep := func(ct *hubspot.Contact) bool { return !c.IsNotThisPerson(t.PortalID, ct.ID) }
	if email != "" {
		ct, n, err := findByEmail(ctx, hc, email, keep)
		if err != nil {
			return nil, err
		}
		if ct != nil {
			return m.matched(ctx, t, res, ct, convrs.MatchEmail, email, n)
		}
	}
	if e164 != "" {
		ct, n, err := findByPhone(ctx, hc, e164, cmp.Or(t.Region, phone.Region(e164)), keep)
		if err != nil {
			return nil, err
		}
		if ct != nil {
			return m.matched(ctx, t, res, ct, convrs.MatchPhone, e164, n)
		}
	}
	return res, ErrNoMatch
}

func (m *Matcher) matched(ctx context.Context, t Target, res *Result, ct *hubspot.Contact, rule convrs.HubspotMatchRule, value string, n int) (*Result, error) {
	res.Contact, res.Rule, res.Candidates = ct, rule, n
	res.Source = convrs.HubspotLinkSource{Rule: rule, Value: value}
	if err := m.link(ctx, t, ct.ID, res); err != nil {
		return nil, err
	}
	return res, nil
}

// link stores customer → contactID unless it is stored already.
func (m *Matcher) link(ctx context.Context, t Target, contactID string, res *Result) error {
	c := t.Customer
	if c.HubspotContactID == contactID && c.HubspotPortalID == t.PortalID {
		return nil
	}
	if m.links == nil {
		return errors.New("match: link contact: no link store configured")
	}
	if err := m.links.LinkHubspotContact(ctx, c.ID, t.PortalID, contactID, res.Source); err != nil {
		return fmt.Errorf("match: link contact: %w", err)
	}
	res.Linked = true
	return nil
}

// findByEmail returns the oldest contact whose email equals email (case-insensitive) and how many there are;
// when none has it as its primary email, the oldest that has it among its additional emails. One search ORs
// both (email EQ, hs_additional_emails CONTAINS_TOKEN: HubSpot stores them ";"-separated) and each candidate
// is checked for the exact address. Contacts keep refuses (a customer's "not this person") are passed over;
// when every one found is refused, there is no match. Search lags behind writes, so when it finds none a
// strongly consistent read by email has the last word.
func findByEmail(ctx context.Context, hc Contacts, email string, keep func(*hubspot.Contact) bool) (*hubspot.Contact, int, error) {
	sr := hubspot.NewSearch().Where("email", hubspot.OpEQ, email).
		Or().Where(PropAdditionalEmails, hubspot.OpContainsToken, email).
		Sort("createdate", hubspot.Ascending).Properties(Properties...).Limit(searchLimit).Request()
	out, _, err := hc.Search(ctx, sr)
	if err != nil {
		return nil, 0, fmt.Errorf("match: search email: %w", err)
	}
	var primary, additional []*hubspot.Contact
	for _, ct := range out.Results {
		switch {
		case ct == nil:
		case strings.EqualFold(strings.TrimSpace(ct.Prop("email")), email):
			primary = append(primary, ct)
		case HasAdditionalEmail(ct, email):
			additional = append(additional, ct)
		}
	}
	all := len(primary) + len(additional)
	refused := func(ct *hubspot.Contact) bool { return !keep(ct) }
	primary, additional = slices.DeleteFunc(primary, refused), slices.DeleteFunc(additional, refused)
	if len(primary) > 0 {
		return oldest(primary), count(out, len(primary)), nil
	}
	if len(additional) > 0 {
		return oldest(additional), count(out, len(additional)), nil
	}
	if all > 0 {
		return nil, 0, nil
	}
	ct, _, err := hc.GetByEmail(ctx, email, Properties)
	switch {
	case err == nil && !keep(ct):
		return nil, 0, nil
	case err == nil:
		return ct, 1, nil
	case errors.Is(err, hubspot.ErrNotFound):
		return nil, 0, nil
	default:
		return nil, 0, fmt.Errorf("match: get contact by email: %w", err)
	}
}

// findByPhone runs the one ORed phone search of API-NOTES.md's Decision and keeps the contacts whose phone or
// mobile phone, read in region when written without a country code, is the customer's number: a national
// number alone is ambiguous across countries.
func findByPhone(ctx context.Context, hc Contacts, e164, region string, keep func(*hubspot.Contact) bool) (*hubspot.Contact, int, error) {
	national := phone.National(e164)
	b := hubspot.NewSearch().
		Where("phone", hubspot.OpEQ, e164).Or().
		Where("mobilephone", hubspot.OpEQ, e164)
	if national != "" {
		b.Or().Where("hs_searchable_calculated_phone_number", hubspot.OpEQ, national).
			Or().Where("hs_searchable_calculated_mobile_number", hubspot.OpEQ, national)
	}
	sr := b.Sort("createdate", hubspot.Ascending).Properties(Properties...).Limit(searchLimit).Request()
	out, _, err := hc.Search(ctx, sr)
	if err != nil {
		return nil, 0, fmt.Errorf("match: search phone: %w", err)
	}
	var found []*hubspot.Contact
	for _, ct := range out.Results {
		if ct != nil && keep(ct) && (sameNumber(ct.Prop("phone"), e164, region) || sameNumber(ct.Prop("mobilephone"), e164, region)) {
			found = append(found, ct)
		}
	}
	if len(found) == 0 {
		return nil, 0, nil
	}
	// Candidates beyond the first page cannot be checked for their country; the count is of those checked.
	return oldest(found), len(found), nil
}

// sameNumber reports whether raw, as stored in HubSpot and read in region when it has no country code, is e164.
// The stored number need not be valid: HubSpot keeps any text.
func sameNumber(raw, e164, region string) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return false
	}
	if strings.HasPrefix(raw, "00") {
		raw = "+" + raw[2:]
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(region))
	if err != nil {
		return false
	}
	return phonenumbers.Format(num, phonenumbers.E164) == e164
}

// validPhone returns the customer's number in E.164 if it is a valid number (phonenumbers' validity, not mere
// possibility), else "" and, when a number is stored, a warning in words.
func validPhone(c *convrs.Customer, region string) (string, string) {
	stored := cmp.Or(strings.TrimSpace(c.Phone), strings.TrimSpace(c.PhoneRaw))
	if stored == "" {
		return "", ""
	}
	bad := fmt.Sprintf("The stored phone number %s is not a valid number; it was not used for matching.", stored)
	e164, err := phone.Parse(stored, cmp.Or(region, "US"))
	if err != nil {
		return "", bad
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", bad
	}
	return e164, ""
}

// oldest returns the contact created first (by createdate, then numeric ID, as HubSpot's IDs grow).
func oldest(cs []*hubspot.Contact) *hubspot.Contact {
	return slices.MinFunc(cs, func(a, b *hubspot.Contact) int {
		if c := createdAt(a).Compare(createdAt(b)); c != 0 {
			return c
		}
		ai, _ := strconv.ParseInt(a.ID, 10, 64)
		bi, _ := strconv.ParseInt(b.ID, 10, 64)
		return cmp.Compare(ai, bi)
	})
}

func createdAt(c *hubspot.Contact) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, c.Prop("createdate")); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(c.Prop("createdate"), 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	return c.CreatedAt
}

// count is how many contacts share the value: those of the page that matched, plus the ones beyond it.
func count(out *hubspot.SearchResult[*hubspot.Contact], matched int) int {
	if rest := out.Total - len(out.Results); rest > 0 {
		return matched + rest
	}
	return matched
}

// create is rule 4: a contact from what is known (email, valid phone, names). A 409 means the email's contact
// exists (search had not seen it yet): that contact is used, as an email match.
func (m *Matcher) create(ctx context.Context, hc Contacts, t Target, res *Result) (*Result, error) {
	c := t.Customer
	props := map[string]string{}
	if e := strings.TrimSpace(c.Email); e != "" {
		props["email"] = e
	}
	if e164, _ := validPhone(c, t.Region); e164 != "" {
		props["phone"] = e164
	}
	if c.FirstName != "" {
		props["firstname"] = c.FirstName
	}
	if c.LastName != "" {
		props["lastname"] = c.LastName
	}
	ct, _, err := hc.Create(ctx, props)
	var conflict *hubspot.ConflictError
	switch {
	case err == nil:
		res.Contact, res.Rule, res.Candidates = ct, convrs.MatchCreated, 1
		res.Source = convrs.HubspotLinkSource{Rule: convrs.MatchCreated}
		m.log.InfoContext(ctx, "match: created hubspot contact", "customer_id", c.ID, "portal_id", t.PortalID, "contact_id", ct.ID)
	case errors.As(err, &conflict) && c.IsNotThisPerson(t.PortalID, conflict.ExistingID):
		return res, ErrNotThisPerson
	case errors.As(err, &conflict) && conflict.ExistingID != "":
		existing, _, gerr := hc.Get(ctx, conflict.ExistingID, Properties)
		if gerr != nil {
			return nil, fmt.Errorf("match: get existing contact %s: %w", conflict.ExistingID, gerr)
		}
		res.Contact, res.Rule, res.Candidates = existing, convrs.MatchEmail, 1
		res.Source = convrs.HubspotLinkSource{Rule: convrs.MatchEmail, Value: props["email"]}
	default:
		return nil, fmt.Errorf("match: create contact: %w", err)
	}
	if err := m.link(ctx, t, res.Contact.ID, res); err != nil {
		return nil, err
	}
	return res, nil
}

// Candidates returns the contacts the email and phone rules consider for the customer (those an agent marked
// "not this person" included), oldest first, each once: what Change contact offers to choose among.
func Candidates(ctx context.Context, hc Contacts, t Target) ([]*hubspot.Contact, error) {
	c := t.Customer
	var out []*hubspot.Contact
	seen := map[string]bool{}
	add := func(cs []*hubspot.Contact) {
		for _, ct := range cs {
			if ct != nil && !seen[ct.ID] {
				seen[ct.ID] = true
				out = append(out, ct)
			}
		}
	}
	if email := strings.TrimSpace(c.Email); email != "" {
		sr := hubspot.NewSearch().Where("email", hubspot.OpEQ, email).
			Sort("createdate", hubspot.Ascending).Properties(Properties...).Limit(searchLimit).Request()
		res, _, err := hc.Search(ctx, sr)
		if err != nil {
			return nil, fmt.Errorf("match: candidates by email: %w", err)
		}
		add(slices.DeleteFunc(res.Results, func(ct *hubspot.Contact) bool {
			return ct == nil || !strings.EqualFold(strings.TrimSpace(ct.Prop("email")), email)
		}))
	}
	if e164, _ := validPhone(c, t.Region); e164 != "" {
		region := cmp.Or(t.Region, phone.Region(e164))
		b := hubspot.NewSearch().Where("phone", hubspot.OpEQ, e164).Or().Where("mobilephone", hubspot.OpEQ, e164)
		if national := phone.National(e164); national != "" {
			b.Or().Where("hs_searchable_calculated_phone_number", hubspot.OpEQ, national).
				Or().Where("hs_searchable_calculated_mobile_number", hubspot.OpEQ, national)
		}
		res, _, err := hc.Search(ctx, b.Sort("createdate", hubspot.Ascending).Properties(Properties...).Limit(searchLimit).Request())
		if err != nil {
			return nil, fmt.Errorf("match: candidates by phone: %w", err)
		}
		add(slices.DeleteFunc(res.Results, func(ct *hubspot.Contact) bool {
			return ct == nil || !(sameNumber(ct.Prop("phone"), e164, region) || sameNumber(ct.Prop("mobilephone"), e164, region))
		}))
	}
	slices.SortStableFunc(out, func(a, b *hubspot.Contact) int {
		if x := createdAt(a).Compare(createdAt(b)); x != 0 {
			return x
		}
		ai, _ := strconv.ParseInt(a.ID, 10, 64)
		bi, _ := strconv.ParseInt(b.ID, 10, 64)
		return cmp.Compare(ai, bi)
	})
	return out, nil
}

// CreatedAt is when HubSpot says the contact was created (createdate), or the zero time.
func CreatedAt(c *hubspot.Contact) time.Time { return createdAt(c) }
