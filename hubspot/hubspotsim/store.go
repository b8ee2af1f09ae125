package hubspotsim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PortalSpec describes a portal (a HubSpot account) to create.
type PortalSpec struct {
	// ID is the hub ID; 0 picks the next free one.
	ID   int64
	Name string
	// UIDomain is where HubSpot's UI lives for this portal; default "app.hubspot.com".
	UIDomain string
	// UserEmail is the user who installs the app; default "admin@<portal>.hubspot.test".
	UserEmail string
	// Users are further users of the portal.
	Users []string
	// Country is the ISO 3166-1 region used to read phone numbers stored without a country code; default "US".
	Country string
}

// Portal is a snapshot of a portal's settings.
type Portal struct {
	ID                  int64
	Name                string
	UIDomain            string
	UserEmail           string
	Users               []string
	Country             string
	TimeZone            string
	Currency            string
	DataHostingLocation string
}

// Contact is a snapshot of a contact record.
type Contact struct {
	ID         string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	// MergedInto is the ID of the contact this one was merged into ("" if it was not merged).
	MergedInto string
}

// Note is a snapshot of a note engagement.
type Note struct {
	ID         string
	Body       string
	Timestamp  time.Time
	OwnerID    string
	ContactIDs []string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Owner is a HubSpot owner (a user who can own records).
type Owner struct {
	// ID is the owner ID put in hubspot_owner_id; "" picks the next free one.
	ID        string
	Email     string
	FirstName string
	LastName  string
	// UserID is the owner's user ID; 0 picks one. Deactivated owners have no user ID (null on the wire).
	UserID      int64
	Deactivated bool
	// Teams the owner belongs to; at most one is primary.
	Teams     []Team
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Team is a HubSpot team an owner belongs to.
type Team struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

type portal struct {
	info         Portal
	contacts     map[string]*record
	contactOrder []string
	notes        map[string]*record
	noteOrder    []string
	owners       map[string]*Owner
	ownerOrder   []string
	burstHits    []time.Time
	searchHits   []time.Time
	stages       []PropertyOption
	// required are the properties the portal's validation rules require, by object type (contacts, notes).
	required map[string][]string
	// emails finds contacts by email without scanning them all.
	emails emailIndex
}

// record is a contact or a note. Search reads the indexed versions, everything else reads props.
type record struct {
	id        string
	props     map[string]string
	assoc     []string // notes: associated contact IDs
	createdAt time.Time
	updatedAt time.Time
	archived  bool
	// mergedInto is the ID of the record this one was merged into (it is then archived too); reads by this
	// ID follow it, as HubSpot's do.
	mergedInto string
	// emails is the portal's email index, for contacts (nil for notes).
	emails emailIndex
	index  []indexVersion
}

// indexVersion is what search sees of a record from a point in time on.
type indexVersion struct {
	at        time.Time
	props     map[string]string
	updatedAt time.Time
	archived  bool
}

// reindex queues the current state for search, visible at at. Every change of a record calls it.
func (r *record) reindex(at time.Time) {
	r.index = append(r.index, indexVersion{at: at, props: maps.Clone(r.props), updatedAt: r.updatedAt, archived: r.archived})
	if r.emails != nil {
		r.emails.add(r)
	}
}

// emailIndex maps a lower-cased email (primary or additional) to the contacts that have had it: a superset,
// kept by reindex and at creation, so a lookup checks each candidate's current properties.
type emailIndex map[string][]*record

func (ix emailIndex) add(r *record) {
	for _, e := range append([]string{r.props["email"]}, splitMulti(r.props["hs_additional_emails"])...) {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && !slices.Contains(ix[e], r) {
			ix[e] = append(ix[e], r)
		}
	}
}

// oldestOf returns the oldest live contact of p among candidates that keep accepts (the lower ID on a tie, as
// creation order).
func oldestOf(p *portal, candidates []*record, keep func(*record) bool) *record {
	var best *record
	for _, rec := range candidates {
		if rec.archived || p.contacts[rec.id] != rec || !keep(rec) {
			continue
		}
		if best == nil || rec.createdAt.Before(best.createdAt) || (rec.createdAt.Equal(best.createdAt) && compareIDs(rec.id, best.id) < 0) {
			best = rec
		}
	}
	return best
}

// indexed returns what search sees at now, or nil when the record is not indexed yet.
func (r *record) indexed(now time.Time) *indexVersion {
	last := -1
	for i, v := range r.index {
		if !v.at.After(now) {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	if last > 0 {
		r.index = r.index[last:]
	}
	return &r.index[0]
}

type accessToken struct {
	token     string
	portalID  int64
	user      string
	userID    int64
	scopes    []string
	expiresAt time.Time
	revoked   bool
}

func (t *accessToken) has(scope string) bool { return slices.Contains(t.scopes, scope) }

type refreshToken struct {
	token    string
	portalID int64
	user     string
	userID   int64
	scopes   []string
	revoked  bool
}

type authCode struct {
	code        string
	portalID    int64
	user        string
	scopes      []string
	redirectURI string
	clientID    string
	expiresAt   time.Time
	used        bool
}

// CreatePortal adds a portal and returns its settings. An existing ID is replaced.
func (s *Simulator) CreatePortal(spec PortalSpec) *Portal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createPortalLocked(spec)
}

func (s *Simulator) createPortalLocked(spec PortalSpec) *Portal {
	if spec.ID == 0 {
		for s.portals[s.nextPortalID] != nil {
			s.nextPortalID++
		}
		spec.ID = s.nextPortalID
		s.nextPortalID++
	}
	if spec.Name == "" {
		spec.Name = fmt.Sprintf("Portal %d", spec.ID)
	}
	if spec.UIDomain == "" {
		spec.UIDomain = "app.hubspot.com"
	}
	if spec.UserEmail == "" {
		spec.UserEmail = fmt.Sprintf("admin@portal-%d.hubspot.test", spec.ID)
	}
	if spec.Country == "" {
		spec.Country = "US"
	}
	spec.Country = strings.ToUpper(spec.Country)
	info := Portal{
		ID:                  spec.ID,
		Name:                spec.Name,
		UIDomain:            spec.UIDomain,
		UserEmail:           spec.UserEmail,
		Users:               slices.Clone(spec.Users),
		Country:             spec.Country,
		TimeZone:            "US/Eastern",
		Currency:            "USD",
		DataHostingLocation: "na1",
	}
	if strings.Contains(spec.UIDomain, "-eu1") {
		info.DataHostingLocation = "eu1"
		info.TimeZone, info.Currency = "Europe/Berlin", "EUR"
	}
	if spec.Country == "GB" {
		info.TimeZone, info.Currency = "Europe/London", "GBP"
	}
	if !slices.Contains(info.Users, info.UserEmail) {
		info.Users = append([]string{info.UserEmail}, info.Users...)
	}
	if s.portals[spec.ID] == nil {
		s.portalOrder = append(s.portalOrder, spec.ID)
	}
	s.portals[spec.ID] = &portal{
		info:     info,
		contacts: map[string]*record{},
		emails:   emailIndex{},
		notes:    map[string]*record{},
		owners:   map[string]*Owner{},
		stages:   defaultLifecycleStages(),
	}
	cp := info
	cp.Users = slices.Clone(info.Users)
	return &cp
}

// Portals returns every portal, in creation order.
func (s *Simulator) Portals() []*Portal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Portal, 0, len(s.portalOrder))
	for _, id := range s.portalOrder {
		cp := s.portals[id].info
		cp.Users = slices.Clone(cp.Users)
		out = append(out, &cp)
	}
	return out
}

func (s *Simulator) mustPortal(id int64) *portal {
	p := s.portals[id]
	if p == nil {
		panic(fmt.Sprintf("hubspotsim: unknown portal %d", id))
	}
	return p
}

// IssueTokens installs the app in a portal for a user without the consent page and returns fresh tokens.
// With no scopes it grants ProductScopes; an empty userEmail means the portal's user.
func (s *Simulator) IssueTokens(portalID int64, userEmail string, scopes ...string) (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPortal(portalID)
	if len(scopes) == 0 {
		scopes = ProductScopes
	}
	if userEmail == "" {
		userEmail = p.info.UserEmail
	}
	rt := s.newRefreshTokenLocked(p, userEmail, scopes)
	at := s.newAccessTokenLocked(rt)
	return at.token, rt.token
}

// userIDFor is a stable user ID per email, so token metadata stays consistent across installs.
func userIDFor(email string) int64 {
	var h int64 = 7
	for _, c := range strings.ToLower(email) {
		h = (h*31 + int64(c)) % 90000000
	}
	return 10000000 + h
}

func (s *Simulator) newRefreshTokenLocked(p *portal, user string, scopes []string) *refreshToken {
	rt := &refreshToken{
		token:    p.info.DataHostingLocation + "-" + newUUID(),
		portalID: p.info.ID,
		user:     user,
		userID:   userIDFor(user),
		scopes:   slices.Clone(scopes),
	}
	s.refreshTokens[rt.token] = rt
	return rt
}

func (s *Simulator) newAccessTokenLocked(rt *refreshToken) *accessToken {
	at := &accessToken{
		token:     "C" + randomToken(96),
		portalID:  rt.portalID,
		user:      rt.user,
		userID:    rt.userID,
		scopes:    slices.Clone(rt.scopes),
		expiresAt: s.now().Add(s.opts.AccessTokenTTL),
	}
	s.accessTokens[at.token] = at
	return at
}

// ExpireAccessToken makes an access token expire now.
func (s *Simulator) ExpireAccessToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.accessTokens[token]; at != nil {
		at.expiresAt = s.now()
	}
}

// RevokeApp uninstalls the app from a portal: every refresh token (BAD_REFRESH_TOKEN on refresh) and access
// token (401 INVALID_AUTHENTICATION) of the portal stops working.
func (s *Simulator) RevokeApp(portalID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rt := range s.refreshTokens {
		if rt.portalID == portalID {
			rt.revoked = true
		}
	}
	for _, at := range s.accessTokens {
		if at.portalID == portalID {
			at.revoked = true
		}
	}
}

// SeedContact stores a contact directly: no validation, no duplicate-email check, indexed for search at once.
// A zero createdAt means now.
func (s *Simulator) SeedContact(portalID int64, props map[string]string, createdAt time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPortal(portalID)
	if createdAt.IsZero() {
		createdAt = s.now()
	}
	rec := s.newContactLocked(p, props, createdAt)
	rec.reindex(time.Time{}) // the zero time: visible to search at once
	return rec.id
}

// newContactLocked stores a contact with its computed properties; it is not indexed.
func (s *Simulator) newContactLocked(p *portal, props map[string]string, createdAt time.Time) *record {
	id := strconv.FormatInt(s.nextContactID, 10)
	s.nextContactID++
	rec := &record{id: id, props: map[string]string{}, createdAt: createdAt, updatedAt: createdAt, emails: p.emails}
	defer p.emails.add(rec)
	for k, v := range props {
		if v != "" {
			rec.props[k] = v
		}
	}
	rec.props["createdate"] = formatTime(createdAt)
	rec.props["lastmodifieddate"] = formatTime(createdAt)
	rec.props["hs_object_id"] = id
	computePhones(rec.props, p.info.Country)
	p.contacts[id] = rec
	p.contactOrder = append(p.contactOrder, id)
	return rec
}

// SeedOwner stores an owner and returns its ID.
func (s *Simulator) SeedOwner(portalID int64, o Owner) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPortal(portalID)
	if o.ID == "" {
		for {
			o.ID = strconv.FormatInt(s.nextOwnerID, 10)
			s.nextOwnerID++
			if !s.ownerIDTakenLocked(o.ID) {
				break
			}
		}
	}
	if o.UserID == 0 && !o.Deactivated {
		o.UserID = s.nextUserID
		s.nextUserID++
	}
	if o.Deactivated {
		o.UserID = 0
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now()
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	if p.owners[o.ID] == nil {
		p.ownerOrder = append(p.ownerOrder, o.ID)
	}
	p.owners[o.ID] = &o
	return o.ID
}

func (s *Simulator) ownerIDTakenLocked(id string) bool {
	for _, p := range s.portals {
		if p.owners[id] != nil {
			return true
		}
	}
	return false
}

// Contact returns a contact of a portal (archived ones too).
func (s *Simulator) Contact(portalID int64, id string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil || p.contacts[id] == nil {
		return Contact{}, false
	}
	return p.contacts[id].contact(), true
}

// Contacts returns the portal's contacts that are not archived, in creation order.
func (s *Simulator) Contacts(portalID int64) []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil {
		return nil
	}
	var out []Contact
	for _, id := range p.contactOrder {
		if rec := p.contacts[id]; !rec.archived {
			out = append(out, rec.contact())
		}
	}
	return out
}

// ArchiveContact deletes a contact as HubSpot does (archived, gone from reads and search after IndexDelay).
func (s *Simulator) ArchiveContact(portalID int64, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil || p.contacts[id] == nil || p.contacts[id].archived {
		return false
	}
	s.archiveLocked(p.contacts[id])
	s.emitLocked(p, contactEvent(EventContactDeletion, id, "CRM_UI"))
	return true
}

// RestoreContact brings back a deleted (archived, not merged) contact, as HubSpot's recycle bin does; it
// reaches search again after IndexDelay. False if there is no such contact or its email is taken meanwhile.
func (s *Simulator) RestoreContact(portalID int64, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil || p.contacts[id] == nil || !p.contacts[id].archived || p.contacts[id].mergedInto != "" {
		return false
	}
	rec := p.contacts[id]
	if email := rec.props["email"]; email != "" && contactWithEmailLocked(p, email) != nil {
		return false
	}
	now := s.now()
	rec.archived = false
	rec.updatedAt = now
	rec.props["lastmodifieddate"] = formatTime(now)
	rec.reindex(now.Add(s.opts.IndexDelay))
	s.emitLocked(p, contactEvent(EventContactRestore, id, "CRM_UI"))
	return true
}

func (s *Simulator) archiveLocked(rec *record) {
	now := s.now()
	rec.archived = true
	rec.updatedAt = now
	rec.reindex(now.Add(s.opts.IndexDelay))
}

func (r *record) contact() Contact {
	return Contact{ID: r.id, Properties: maps.Clone(r.props), CreatedAt: r.createdAt, UpdatedAt: r.updatedAt,
		Archived: r.archived, MergedInto: r.mergedInto}
}

func (r *record) note() Note {
	n := Note{
		ID:         r.id,
		Body:       r.props["hs_note_body"],
		OwnerID:    r.props["hubspot_owner_id"],
		ContactIDs: slices.Clone(r.assoc),
		Properties: maps.Clone(r.props),
		CreatedAt:  r.createdAt,
		UpdatedAt:  r.updatedAt,
	}
	n.Timestamp, _ = parseTimeValue(r.props["hs_timestamp"])
	return n
}

// Notes returns the notes associated with a contact, newest (by hs_timestamp) first.
func (s *Simulator) Notes(portalID int64, contactID string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil {
		return nil
	}
	return notesOfLocked(p, contactID)
}

func notesOfLocked(p *portal, contactID string) []Note {
	var out []Note
	for _, id := range p.noteOrder {
		rec := p.notes[id]
		if !rec.archived && slices.Contains(rec.assoc, contactID) {
			out = append(out, rec.note())
		}
	}
	slices.SortStableFunc(out, func(a, b Note) int {
		if c := b.Timestamp.Compare(a.Timestamp); c != 0 {
			return c
		}
		return compareIDs(b.ID, a.ID)
	})
	return out
}

// contactByEmailLocked finds the oldest live contact whose primary email matches, case-insensitively.
func contactByEmailLocked(p *portal, email string) *record {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil
	}
	return oldestOf(p, p.emails[email], func(rec *record) bool { return strings.ToLower(rec.props["email"]) == email })
}

// contactWithEmailLocked finds the oldest live contact that has email as its primary email or as one of
// its additional emails (hs_additional_emails): both identify a contact uniquely in HubSpot.
func contactWithEmailLocked(p *portal, email string) *record {
	if rec := contactByEmailLocked(p, email); rec != nil {
		return rec
	}
	email = strings.TrimSpace(email)
	if email == "" {
		return nil
	}
	return oldestOf(p, p.emails[strings.ToLower(email)], func(rec *record) bool {
		return slices.ContainsFunc(splitMulti(rec.props["hs_additional_emails"]), func(e string) bool { return strings.EqualFold(e, email) })
	})
}

func compareIDs(a, b string) int {
	ai, errA := strconv.ParseInt(a, 10, 64)
	bi, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// formatTime is HubSpot's timestamp format: UTC, milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// parseTimeValue reads epoch milliseconds or an ISO-8601 date or timestamp.
func parseTimeValue(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if isDigits(v) || (strings.HasPrefix(v, "-") && isDigits(v[1:])) {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
