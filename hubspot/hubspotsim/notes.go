package hubspotsim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf16"
)

// Notes limits and association types.
const (
	maxNoteBodyChars        = 65536
	assocNoteToContact      = 202
	assocCategoryHubSpotDef = "HUBSPOT_DEFINED"
)

// noteLength counts characters as HubSpot (Java) does: UTF-16 code units.
func noteLength(s string) int { return len(utf16.Encode([]rune(s))) }

// createNoteLocked validates and stores a note. Caller holds s.mu.
func (s *Simulator) createNoteLocked(p *portal, in objectInput) (*record, *apiError) {
	props, e := propsInput(in.Properties)
	if e != nil {
		return nil, e
	}
	if props["hs_timestamp"] == "" {
		return nil, propertyError("hs_timestamp", "REQUIRED_FIELD", "hs_timestamp is required: the time the note happened, in epoch milliseconds or ISO 8601")
	}
	if e := validateNoteProps(p, props); e != nil {
		return nil, e
	}
	var contacts []string
	for _, a := range in.Associations {
		ok := false
		for _, t := range a.Types {
			if t.AssociationTypeID == assocNoteToContact && (t.AssociationCategory == "" || t.AssociationCategory == assocCategoryHubSpotDef) {
				ok = true
			}
		}
		if !ok {
			return nil, &apiError{
				Message:  fmt.Sprintf("Invalid association type for note to %s: use associationCategory %s with associationTypeId %d (note to contact).", a.To.ID, assocCategoryHubSpotDef, assocNoteToContact),
				Category: "VALIDATION_ERROR",
				Context:  map[string][]string{"associationTypeId": {"202"}},
			}
		}
		if rec := p.contacts[a.To.ID]; rec == nil || rec.archived {
			return nil, &apiError{
				Message:     fmt.Sprintf("One or more associations are invalid: no CONTACT with ID %s exists.", a.To.ID),
				Category:    "VALIDATION_ERROR",
				SubCategory: "crm.associations.INVALID_OBJECT_IDS",
				Context:     map[string][]string{"toObjectIds": {a.To.ID}},
			}
		}
		if !slices.Contains(contacts, a.To.ID) {
			contacts = append(contacts, a.To.ID)
		}
	}
	now := s.now()
	id := strconv.FormatInt(s.nextNoteID, 10)
	s.nextNoteID++
	rec := &record{
		id:        id,
		props:     map[string]string{"hs_object_id": id, "hs_createdate": formatTime(now)},
		assoc:     contacts,
		createdAt: now,
	}
	p.notes[id] = rec
	p.noteOrder = append(p.noteOrder, id)
	s.apply(p, rec, props, "hs_lastmodifieddate")
	return rec, nil
}

// validateNoteProps checks note properties as HubSpot does. Caller holds s.mu.
func validateNoteProps(p *portal, props map[string]string) *apiError {
	if e := validateProps(p, props, noteReadOnly); e != nil {
		return e
	}
	if n := noteLength(props["hs_note_body"]); n > maxNoteBodyChars {
		return propertyError("hs_note_body", "INVALID_LENGTH",
			fmt.Sprintf("hs_note_body is %d characters long; the maximum is %d", n, maxNoteBodyChars))
	}
	return nil
}

func noteJSON(rec *record, names []string, assocTypes []string) objectJSON {
	o := renderObject(rec.id, rec.props, names, rec.createdAt, rec.updatedAt, rec.archived)
	for _, t := range assocTypes {
		if (t == "contacts" || t == "contact" || t == "0-1") && len(rec.assoc) > 0 {
			res := make([]assocJSON, 0, len(rec.assoc))
			for _, cid := range rec.assoc {
				res = append(res, assocJSON{ID: cid, Type: "note_to_contact"})
			}
			o.Associations = map[string]assocsJSON{"contacts": {Results: res}}
		}
	}
	return o
}

func (s *Simulator) handleNoteCreate(c *call) {
	var in objectInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	if e := s.checkRequiredLocked(c, p, objNotes, nil, in.Properties); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	rec, e := s.createNoteLocked(p, in)
	if e != nil {
		writeAPIError(c.w, statusOf(e), e)
		return
	}
	s.emitLocked(p, contactEvent(noteCreation, rec.id, "API"))
	writeJSON(c.w, http.StatusCreated, noteJSON(rec, union(noteDefaultProps, keys(in.Properties)...), nil))
}

func (s *Simulator) handleNoteBatchCreate(c *call) {
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
		e := s.checkRequiredLocked(c, p, objNotes, nil, input.Properties)
		var rec *record
		if e == nil {
			rec, e = s.createNoteLocked(p, input)
		}
		if e != nil && !partial {
			// Without a unique objectWriteTraceId on every input HubSpot cannot report errors input by
			// input: one failure fails the whole call and nothing is created.
			for _, r := range created {
				delete(p.notes, r.id)
			}
			p.noteOrder = slices.DeleteFunc(p.noteOrder, func(id string) bool { return p.notes[id] == nil })
			writeAPIError(c.w, statusOf(e), e)
			return
		}
		if e != nil {
			errs = append(errs, toBatchError(e, input.ObjectWriteTraceID))
			continue
		}
		created = append(created, rec)
		o := noteJSON(rec, union(noteDefaultProps, keys(input.Properties)...), nil)
		o.ObjectWriteTraceID = input.ObjectWriteTraceID
		results = append(results, o)
	}
	events := make([]WebhookEvent, 0, len(created))
	for _, rec := range created {
		events = append(events, contactEvent(noteCreation, rec.id, "API"))
	}
	s.emitAllLocked(p, events)
	s.writeBatch(c.w, http.StatusCreated, results, errs)
}

// tracedInputs reports whether every input carries an objectWriteTraceId and no two share one: only then
// does HubSpot answer a batch create that partly failed with a 207.
func tracedInputs(inputs []objectInput) bool {
	seen := map[string]bool{}
	for _, in := range inputs {
		if in.ObjectWriteTraceID == "" || seen[in.ObjectWriteTraceID] {
			return false
		}
		seen[in.ObjectWriteTraceID] = true
	}
	return true
}

func (s *Simulator) handleNotePatch(c *call) {
	var in objectInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	id := c.r.PathValue("id")
	props, e := propsInput(in.Properties)
	if e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	rec := p.notes[id]
	if rec == nil || rec.archived {
		e := notFoundError("resource not found")
		e.Context = map[string][]string{"id": {id}}
		writeAPIError(c.w, http.StatusNotFound, e)
		return
	}
	if v, ok := props["hs_timestamp"]; ok && v == "" {
		writeAPIError(c.w, http.StatusBadRequest, propertyError("hs_timestamp", "REQUIRED_FIELD", "hs_timestamp is required and cannot be cleared"))
		return
	}
	if e := validateNoteProps(p, props); e != nil {
		writeAPIError(c.w, statusOf(e), e)
		return
	}
	if e := s.checkRequiredLocked(c, p, objNotes, rec.props, in.Properties); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	before := maps.Clone(rec.props)
	s.apply(p, rec, props, "hs_lastmodifieddate")
	s.emitChangesLocked(p, rec, before, "API", notePropertyChange, "hs_lastmodifieddate")
	writeJSON(c.w, http.StatusOK, noteJSON(rec, union(noteDefaultProps, keys(in.Properties)...), nil))
}

func (s *Simulator) handleNoteDelete(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Like contacts, HubSpot answers 204 for IDs that do not exist.
	p := s.portals[c.portalID]
	if rec := p.notes[c.r.PathValue("id")]; rec != nil && !rec.archived {
		s.archiveLocked(rec)
		s.emitLocked(p, contactEvent(noteDeletion, rec.id, "API"))
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (s *Simulator) handleNoteGet(c *call) {
	q := c.r.URL.Query()
	id := c.r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.portals[c.portalID].notes[id]
	if rec == nil || rec.archived != (q.Get("archived") == "true") {
		e := notFoundError("resource not found")
		e.Context = map[string][]string{"id": {id}}
		writeAPIError(c.w, http.StatusNotFound, e)
		return
	}
	names := queryList(q, "properties")
	if len(names) == 0 {
		names = noteDefaultProps
	}
	writeJSON(c.w, http.StatusOK, noteJSON(rec, names, queryList(q, "associations")))
}

// handleNoteList is GET …/notes: live notes, oldest first, `limit` (≤ 100) and `after` paging.
func (s *Simulator) handleNoteList(c *call) {
	assocs := queryList(c.r.URL.Query(), "associations")
	limit, names, after, ok := listQuery(c, 10, 100, noteDefaultProps)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	results := []objectJSON{}
	next := ""
	for _, id := range p.noteOrder {
		rec := p.notes[id]
		if rec.archived || (after != "" && compareIDs(id, after) < 0) {
			continue
		}
		if len(results) == limit {
			next = id
			break
		}
		results = append(results, noteJSON(rec, names, assocs))
	}
	body := map[string]any{"results": results}
	if next != "" {
		body["paging"] = pagingJSON(c.r, next)
	}
	writeJSON(c.w, http.StatusOK, body)
}
