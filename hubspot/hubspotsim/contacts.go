package hubspotsim

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

type objectInput struct {
	ID                 string         `json:"id"`
	IDProperty         string         `json:"idProperty"`
	Properties         map[string]any `json:"properties"`
	Associations       []assocInput   `json:"associations"`
	ObjectWriteTraceID string         `json:"objectWriteTraceId"`
}

type assocInput struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int    `json:"associationTypeId"`
	} `json:"types"`
}

type batchInput struct {
	IDProperty string        `json:"idProperty"`
	Properties []string      `json:"properties"`
	Inputs     []objectInput `json:"inputs"`
}

func contactConflict(existing string) *apiError {
	return &apiError{Message: "Contact already exists. Existing ID: " + existing, Category: "CONFLICT"}
}

func contactNotFound(id string) *apiError {
	e := notFoundError("resource not found")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		e.Message = "Object not found.  objectId are usually numeric."
	}
	e.Context = map[string][]string{"id": {id}}
	return e
}

// assocContactToNoteType is HubSpot's contact → note association type.
const assocContactToNoteType = 201

// contactNoteAssociationsLocked checks the associations of a contact create (to existing notes, type 201, as
// HubSpot applies them with the create) and returns the notes. Caller holds s.mu.
func contactNoteAssociationsLocked(p *portal, in []assocInput) ([]*record, *apiError) {
	var out []*record
	for _, a := range in {
		ok := false
		for _, t := range a.Types {
			ok = ok || t.AssociationTypeID == assocContactToNoteType && (t.AssociationCategory == "" || t.AssociationCategory == assocCategoryHubSpotDef)
		}
		if !ok {
			return nil, &apiError{Message: fmt.Sprintf("Invalid association type for contact to %s: the simulator knows associationCategory %s with associationTypeId %d (contact to note).",
				a.To.ID, assocCategoryHubSpotDef, assocContactToNoteType), Category: "VALIDATION_ERROR"}
		}
		n := p.notes[a.To.ID]
		if n == nil || n.archived {
			return nil, &apiError{Message: fmt.Sprintf("One or more associations are invalid: no NOTE with ID %s exists.", a.To.ID),
				Category: "VALIDATION_ERROR", SubCategory: "crm.associations.INVALID_OBJECT_IDS", Context: map[string][]string{"toObjectIds": {a.To.ID}}}
		}
		out = append(out, n)
	}
	return out, nil
}

// createContactLocked validates and stores a contact from the API. Caller holds s.mu.
func (s *Simulator) createContactLocked(p *portal, raw map[string]any) (*record, *apiError) {
	props, e := propsInput(raw)
	if e != nil {
		return nil, e
	}
	if e := validateProps(p, props, contactReadOnly); e != nil {
		return nil, e
	}
	if email := props["email"]; email != "" {
		// Another contact's additional email is taken as much as its primary one.
		if existing := contactWithEmailLocked(p, email); existing != nil {
			return nil, contactConflict(existing.id)
		}
	}
	createdAt := s.now()
	if t, ok := parseTimeValue(props["createdate"]); ok {
		createdAt = t
	}
	delete(props, "createdate")
	rec := s.newContactLocked(p, nil, createdAt)
	s.apply(p, rec, props, "lastmodifieddate")
	return rec, nil
}

// updateContactLocked validates and applies a PATCH, queueing a propertyChange webhook per changed property
// (source is the event's changeSource). Caller holds s.mu.
func (s *Simulator) updateContactLocked(p *portal, rec *record, raw map[string]any, source string) *apiError {
	props, e := propsInput(raw)
	if e != nil {
		return e
	}
	if e := validateProps(p, props, contactReadOnly); e != nil {
		return e
	}
	if email := props["email"]; email != "" {
		if existing := contactWithEmailLocked(p, email); existing != nil && existing.id != rec.id {
			return contactConflict(existing.id)
		}
	}
	before := maps.Clone(rec.props)
	s.apply(p, rec, props, "lastmodifieddate")
	s.emitPropertyChangesLocked(p, rec, before, source)
	return nil
}

// lookupContactLocked finds a live contact by ID or by a unique property. Caller holds s.mu.
func lookupContactLocked(p *portal, id, idProperty string) *record {
	switch idProperty {
	case "", "hs_object_id":
		return followMergesLocked(p, p.contacts[id])
	case "email":
		return contactByEmailLocked(p, id)
	default:
		for _, cid := range p.contactOrder {
			rec := p.contacts[cid]
			if !rec.archived && rec.props[idProperty] != "" && strings.EqualFold(rec.props[idProperty], id) {
				return rec
			}
		}
		return nil
	}
}

func (s *Simulator) contactJSONLocked(p *portal, rec *record, names []string, assocTypes []string) objectJSON {
	o := renderObject(rec.id, rec.props, names, rec.createdAt, rec.updatedAt, rec.archived)
	for _, t := range assocTypes {
		if t != "notes" && t != "note" && t != "0-46" {
			continue
		}
		res := []assocJSON{}
		for _, nid := range p.noteOrder {
			n := p.notes[nid]
			if !n.archived && slices.Contains(n.assoc, rec.id) {
				res = append(res, assocJSON{ID: nid, Type: "contact_to_note"})
			}
		}
		if len(res) > 0 {
			if o.Associations == nil {
				o.Associations = map[string]assocsJSON{}
			}
			o.Associations["notes"] = assocsJSON{Results: res}
		}
	}
	return o
}

func (s *Simulator) handleContactCreate(c *call) {
	var in objectInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	if e := s.checkRequiredLocked(c, p, objContacts, nil, in.Properties); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	notes, e := contactNoteAssociationsLocked(p, in.Associations)
	if e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	rec, e := s.createContactLocked(p, in.Properties)
	if e != nil {
		writeAPIError(c.w, statusOf(e), e)
		return
	}
	for _, n := range notes {
		n.assoc = append(n.assoc, rec.id)
	}
	s.emitLocked(p, contactEvent(EventContactCreation, rec.id, "API"))
	writeJSON(c.w, http.StatusCreated, s.contactJSONLocked(p, rec, union(contactDefaultProps, keys(in.Properties)...), nil))
}

func statusOf(e *apiError) int {
	switch e.Category {
	case "CONFLICT":
		return http.StatusConflict
	case "OBJECT_NOT_FOUND":
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *Simulator) handleContactGet(c *call) {
	q := c.r.URL.Query()
	id := c.r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var rec *record
	if q.Get("archived") == "true" {
		if r := p.contacts[id]; r != nil && r.archived && r.mergedInto == "" {
			rec = r
		}
	} else {
		rec = lookupContactLocked(p, id, q.Get("idProperty"))
	}
	if rec == nil {
		writeAPIError(c.w, http.StatusNotFound, contactNotFound(id))
		return
	}
	names := queryList(q, "properties")
	if len(names) == 0 {
		names = contactDefaultProps
	}
	writeJSON(c.w, http.StatusOK, s.contactJSONLocked(p, rec, names, queryList(q, "associations")))
}

func (s *Simulator) handleContactList(c *call) {
	assocs := queryList(c.r.URL.Query(), "associations")
	limit, names, after, ok := listQuery(c, 10, 100, contactDefaultProps)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var results []objectJSON
	next := ""
	for _, id := range p.contactOrder {
		rec := p.contacts[id]
		if rec.archived || (after != "" && compareIDs(id, after) < 0) {
			continue
		}
		if len(results) == limit {
			next = id
			break
		}
		results = append(results, s.contactJSONLocked(p, rec, names, assocs))
	}
	if results == nil {
		results = []objectJSON{}
	}
	body := map[string]any{"results": results}
	if next != "" {
		body["paging"] = pagingJSON(c.r, next)
	}
	writeJSON(c.w, http.StatusOK, body)
}

// pagingJSON is the paging object of list calls; the link points back at the simulator.
func pagingJSON(r *http.Request, after string) map[string]any {
	q := r.URL.Query()
	q.Set("after", after)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	link := (&url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}).String()
	return map[string]any{"next": map[string]string{"after": after, "link": link}}
}

func (s *Simulator) handleContactPatch(c *call) {
	var in objectInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	id := c.r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	rec := lookupContactLocked(p, id, c.r.URL.Query().Get("idProperty"))
	if rec == nil {
		writeAPIError(c.w, http.StatusNotFound, contactNotFound(id))
		return
	}
	if e := s.checkRequiredLocked(c, p, objContacts, rec.props, in.Properties); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if e := s.updateContactLocked(p, rec, in.Properties, "API"); e != nil {
		writeAPIError(c.w, statusOf(e), e)
		return
	}
	writeJSON(c.w, http.StatusOK, s.contactJSONLocked(p, rec, union(contactSearchProps, keys(in.Properties)...), nil))
}

func (s *Simulator) handleContactDelete(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	// HubSpot answers 204 even for IDs that do not exist.
	if rec := p.contacts[c.r.PathValue("id")]; rec != nil && !rec.archived {
		s.archiveLocked(rec)
		s.emitLocked(p, contactEvent(EventContactDeletion, rec.id, "API"))
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (s *Simulator) handleContactBatchRead(c *call) {
	var in batchInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if len(in.Inputs) > batchLimit {
		writeAPIError(c.w, http.StatusBadRequest, batchTooLarge(len(in.Inputs)))
		return
	}
	names := in.Properties
	if len(names) == 0 {
		names = contactDefaultProps
	}
	if in.IDProperty != "" && in.IDProperty != "hs_object_id" {
		names = union(names, in.IDProperty)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var results []objectJSON
	var missing []string
	seen := map[string]bool{}
	for _, input := range in.Inputs {
		rec := lookupContactLocked(p, input.ID, in.IDProperty)
		if rec == nil {
			missing = append(missing, input.ID)
			continue
		}
		if seen[rec.id] {
			continue
		}
		seen[rec.id] = true
		results = append(results, s.contactJSONLocked(p, rec, names, nil))
	}
	s.writeBatch(c.w, http.StatusOK, results, missingObjects("CONTACT", missing))
}

func (s *Simulator) handleContactBatchCreate(c *call) {
	var in batchInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if len(in.Inputs) > batchLimit {
		writeAPIError(c.w, http.StatusBadRequest, batchTooLarge(len(in.Inputs)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	partial := tracedInputs(in.Inputs)
	var results []objectJSON
	var errs []batchError
	var created []*record
	for _, input := range in.Inputs {
		e := s.checkRequiredLocked(c, p, objContacts, nil, input.Properties)
		var rec *record
		if e == nil {
			rec, e = s.createContactLocked(p, input.Properties)
		}
		if e != nil && !partial {
			// Without a unique objectWriteTraceId on every input, one failure fails the whole call.
			for _, r := range created {
				delete(p.contacts, r.id)
			}
			p.contactOrder = slices.DeleteFunc(p.contactOrder, func(id string) bool { return p.contacts[id] == nil })
			writeAPIError(c.w, statusOf(e), e)
			return
		}
		if e != nil {
			errs = append(errs, toBatchError(e, input.ObjectWriteTraceID))
			continue
		}
		created = append(created, rec)
		o := s.contactJSONLocked(p, rec, union(contactDefaultProps, keys(input.Properties)...), nil)
		o.ObjectWriteTraceID = input.ObjectWriteTraceID
		results = append(results, o)
	}
	events := make([]WebhookEvent, 0, len(created))
	for _, rec := range created {
		events = append(events, contactEvent(EventContactCreation, rec.id, "API"))
	}
	s.emitAllLocked(p, events)
	s.writeBatch(c.w, http.StatusCreated, results, errs)
}

func (s *Simulator) handleContactBatchUpsert(c *call) {
	var in batchInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if len(in.Inputs) > batchLimit {
		writeAPIError(c.w, http.StatusBadRequest, batchTooLarge(len(in.Inputs)))
		return
	}
	for _, input := range in.Inputs {
		idProp := input.IDProperty
		if idProp == "" {
			idProp = in.IDProperty
		}
		if input.ID == "" {
			writeAPIError(c.w, http.StatusBadRequest, validationError("Every upsert input needs an id (the email address)."))
			return
		}
		if idProp != "email" {
			writeAPIError(c.w, http.StatusBadRequest, validationError(
				fmt.Sprintf("Upsert requires a unique idProperty; %q is not supported (use email).", idProp)))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var results []objectJSON
	var errs []batchError
	for _, input := range in.Inputs {
		names := union(contactSearchProps, keys(input.Properties)...)
		names = union(names, "email")
		rec := contactByEmailLocked(p, input.ID)
		created := rec == nil
		var e *apiError
		if created {
			props := map[string]any{}
			for k, v := range input.Properties {
				props[k] = v
			}
			props["email"] = input.ID
			if e = s.checkRequiredLocked(c, p, objContacts, nil, props); e == nil {
				rec, e = s.createContactLocked(p, props)
			}
			if e == nil {
				s.emitLocked(p, contactEvent(EventContactCreation, rec.id, "API"))
			}
		} else {
			if e = s.checkRequiredLocked(c, p, objContacts, rec.props, input.Properties); e == nil {
				e = s.updateContactLocked(p, rec, input.Properties, "API")
			}
		}
		if e != nil {
			errs = append(errs, toBatchError(e, input.ObjectWriteTraceID))
			continue
		}
		o := s.contactJSONLocked(p, rec, names, nil)
		o.New = &created
		o.ObjectWriteTraceID = input.ObjectWriteTraceID
		results = append(results, o)
	}
	s.writeBatch(c.w, http.StatusOK, results, errs)
}
