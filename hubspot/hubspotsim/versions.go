package hubspotsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// API versions the simulator serves. HubSpot's date-based versions (one each March and September) sit in the
// path where v3 used to: /crm/objects/2026-03/contacts, /crm/owners/2026-09, /oauth/2026-03/token.
const (
	Version202603 = "2026-03"
	Version202609 = "2026-09"
)

// DatedVersions are the date-based API versions served, oldest first.
var DatedVersions = []string{Version202603, Version202609}

// validationRulesFrom is the first version that enforces a portal's validation rules on CRM writes.
const validationRulesFrom = Version202609

// legacyAPIs are the path prefixes of the APIs HubSpot is retiring (OAuth v1 on 2027-02-16; v1–v3 CRM and
// account APIs in September 2027, v4 in March 2027), with the replacement a retired answer points to.
var legacyAPIs = []struct{ prefix, name, replacement string }{
	{"/oauth/v1/", "oauth-v1", "/oauth/2026-03/token, /oauth/2026-03/token/introspect and /oauth/2026-03/token/revoke"},
	{"/oauth/v3/", "oauth-v3", "/oauth/2026-03/token"},
	{"/crm/v3/", "crm-v3", "the date-based CRM APIs (/crm/objects/2026-03/…, /crm/owners/2026-03, /crm/properties/2026-03/…)"},
	{"/crm/v4/", "crm-v4", "/crm/objects/2026-03/{objectType}/{objectId}/associations/{toObjectType}"},
	{"/account-info/v3/", "account-info-v3", "/account-info/2026-03/details"},
}

// legacyAPI returns the retired API a path belongs to, or ok false for a current path.
func legacyAPI(path string) (name, replacement string, ok bool) {
	for _, l := range legacyAPIs {
		if strings.HasPrefix(path, l.prefix) {
			return l.name, l.replacement, true
		}
	}
	return "", "", false
}

// apiVersionOf names the API version in a path ("v1", "v3", "v4", "2026-03"…), or "" for paths without one
// (the consent pages, the record UI).
func apiVersionOf(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var seg string
	switch {
	case len(parts) >= 3 && parts[0] == "crm" && slices.Contains([]string{"objects", "owners", "properties", "associations"}, parts[1]):
		seg = parts[2]
	case len(parts) >= 2 && (parts[0] == "crm" || parts[0] == "oauth" || parts[0] == "account-info"):
		seg = parts[1]
	}
	if len(seg) == 2 && seg[0] == 'v' && seg[1] >= '0' && seg[1] <= '9' {
		return seg
	}
	if len(seg) == 7 && seg[4] == '-' && isDigits(seg[:4]) && isDigits(seg[5:]) {
		return seg
	}
	return ""
}

// SetLegacyAPIs turns the retired APIs (OAuth v1 and v3, CRM v3 and v4, account-info v3) on or off. Off, they
// answer 410 Gone with HubSpot's error body, as HubSpot will once they are retired; on (the default) they work
// as HubSpot's still do.
func (s *Simulator) SetLegacyAPIs(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.legacyOff = !on
}

// LegacyAPIs reports whether the retired APIs are served.
func (s *Simulator) LegacyAPIs() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.legacyOff
}

// writeRetired answers a request to a retired API: 410 with HubSpot's error body naming the API.
func writeRetired(w http.ResponseWriter, r *http.Request, name, replacement string) {
	writeAPIError(w, http.StatusGone, &apiError{
		Message: fmt.Sprintf("The %s API has been retired and no longer answers %s %s. Use %s instead.",
			name, r.Method, r.URL.Path, replacement),
		Category:    "API_RETIRED",
		SubCategory: name,
		Context:     map[string][]string{"retiredApi": {name}, "path": {r.URL.Path}},
		Errors:      []errorDetail{},
		Links:       map[string]string{"changelog": "https://developers.hubspot.com/changelog"},
	})
}

// Object types the CRM object paths take: plural and singular names and HubSpot's type IDs.
const (
	objContacts = "contacts"
	objNotes    = "notes"
)

// objectTypeOf resolves an {objectType} path segment; ok is false for a type HubSpot would not know.
func objectTypeOf(v string) (string, bool) {
	switch strings.ToLower(v) {
	case "contacts", "contact", "0-1":
		return objContacts, true
	case "notes", "note", "0-46":
		return objNotes, true
	}
	return "", false
}

// otherObjectTypes are HubSpot object types the simulator has no records of: associations to them are empty.
var otherObjectTypes = []string{"companies", "company", "0-2", "deals", "deal", "0-3", "tickets", "ticket", "0-5",
	"calls", "call", "0-48", "emails", "email", "0-49", "meetings", "meeting", "0-47", "tasks", "task", "0-27"}

func unknownObjectType(v string) *apiError {
	return validationError("Unable to infer object type from: " + v)
}

// byType dispatches an object path on its {objectType}: contacts and notes get their handler, an object type
// without one here is an unknown path, and a name HubSpot does not know is its 400.
func (s *Simulator) byType(handlers map[string]func(*call)) func(*call) {
	return func(c *call) {
		raw := c.r.PathValue("objectType")
		t, ok := objectTypeOf(raw)
		if !ok {
			if slices.Contains(otherObjectTypes, strings.ToLower(raw)) {
				s.handleNotFound(c.w, c.r)
				return
			}
			writeAPIError(c.w, http.StatusBadRequest, unknownObjectType(raw))
			return
		}
		h := handlers[t]
		if h == nil {
			s.handleNotFound(c.w, c.r)
			return
		}
		h(c)
	}
}

// datedRoutes registers the date-based paths of one version; they behave as the v3 ones do, plus what the
// version adds (portal validation rules from 2026-09).
func (s *Simulator) datedRoutes(m *http.ServeMux, v string) {
	api := func(scope string, kind limitKind, h func(*call)) http.Handler { return s.apiAt(v, scope, kind, h) }
	obj := "/crm/objects/" + v + "/{objectType}"

	m.HandleFunc("POST /oauth/"+v+"/token", s.handleToken)
	m.HandleFunc("POST /oauth/"+v+"/token/introspect", s.handleIntrospect)
	m.HandleFunc("POST /oauth/"+v+"/token/revoke", s.handleRevoke)

	m.Handle("GET /account-info/"+v+"/details", api(scopeOAuth, kindBurst, s.handleAccountInfo))

	m.Handle("POST "+obj, api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactCreate, objNotes: s.handleNoteCreate})))
	m.Handle("GET "+obj, api(scopeContactsRead, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactList, objNotes: s.handleNoteList})))
	m.Handle("GET "+obj+"/{id}", api(scopeContactsRead, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactGet, objNotes: s.handleNoteGet})))
	m.Handle("PATCH "+obj+"/{id}", api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactPatch, objNotes: s.handleNotePatch})))
	m.Handle("DELETE "+obj+"/{id}", api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactDelete, objNotes: s.handleNoteDelete})))
	m.Handle("POST "+obj+"/search", api(scopeContactsRead, kindSearch, s.byType(map[string]func(*call){
		objContacts: s.handleContactSearch, objNotes: s.handleNoteSearch})))
	m.Handle("POST "+obj+"/batch/read", api(scopeContactsRead, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactBatchRead, objNotes: s.handleNoteBatchRead})))
	m.Handle("POST "+obj+"/batch/create", api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactBatchCreate, objNotes: s.handleNoteBatchCreate})))
	m.Handle("POST "+obj+"/batch/upsert", api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactBatchUpsert})))
	m.Handle("POST "+obj+"/merge", api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactMerge})))
	m.Handle("POST "+obj+"/gdpr-delete", api(scopeContactsWrite, kindBurst, s.byType(map[string]func(*call){
		objContacts: s.handleContactGDPRDelete})))
	m.Handle("GET "+obj+"/{id}/associations/{toObjectType}", api(scopeContactsRead, kindBurst, s.handleAssociations))
	m.Handle("POST /crm/associations/"+v+"/{fromObjectType}/{toObjectType}/batch/read", api(scopeContactsRead, kindBurst, s.handleAssociationsBatchRead))

	m.Handle("GET /crm/properties/"+v+"/{objectType}/{name}", api(scopeContactsRead, kindBurst, s.handlePropertyGet))

	m.Handle("GET /crm/owners/"+v, api(scopeOwnersRead, kindBurst, s.handleOwnerList))
	m.Handle("GET /crm/owners/"+v+"/{$}", api(scopeOwnersRead, kindBurst, s.handleOwnerList))
	m.Handle("GET /crm/owners/"+v+"/{id}", api(scopeOwnersRead, kindBurst, s.handleOwnerGet))
}
