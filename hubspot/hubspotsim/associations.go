package hubspotsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Association type IDs HubSpot defines between contacts and notes.
const (
	assocContactToNote = 201
)

// associationsMaxLimit is the most associations one page lists (HubSpot: "Limit 500 per call").
const associationsMaxLimit = 500

type associationTypeJSON struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

type associatedJSON struct {
	ToObjectID       string                `json:"toObjectId"`
	AssociationTypes []associationTypeJSON `json:"associationTypes"`
}

// handleAssociations is GET /crm/objects/{v}/{objectType}/{id}/associations/{toObjectType} (and the v4 path):
// a record's associated records of a type, read from the records themselves, so strongly consistent (unlike
// search). A contact's notes follow merges; an ID with no record lists nothing.
func (s *Simulator) handleAssociations(c *call) {
	from, okFrom := objectTypeOf(c.r.PathValue("objectType"))
	to, okTo := objectTypeOf(c.r.PathValue("toObjectType"))
	for _, v := range []struct {
		raw string
		ok  bool
	}{{c.r.PathValue("objectType"), okFrom}, {c.r.PathValue("toObjectType"), okTo}} {
		if !v.ok && !slices.Contains(otherObjectTypes, strings.ToLower(v.raw)) {
			writeAPIError(c.w, http.StatusBadRequest, unknownObjectType(v.raw))
			return
		}
	}
	q := c.r.URL.Query()
	limit := associationsMaxLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeAPIError(c.w, http.StatusBadRequest, validationError("limit must be a positive integer"))
			return
		}
		limit = min(n, associationsMaxLimit)
	}
	offset := 0
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeAPIError(c.w, http.StatusBadRequest, validationError("after must be a paging cursor returned by a previous call"))
			return
		}
		offset = n
	}
	id := c.r.PathValue("id")

	s.mu.Lock()
	p := s.portals[c.portalID]
	var ids []string
	typeID := 0
	switch {
	case okFrom && okTo && from == objContacts && to == objNotes:
		typeID = assocContactToNote
		if rec := followMergesLocked(p, p.contacts[id]); rec != nil {
			for _, nid := range p.noteOrder {
				if n := p.notes[nid]; !n.archived && slices.Contains(n.assoc, rec.id) {
					ids = append(ids, nid)
				}
			}
		}
	case okFrom && okTo && from == objNotes && to == objContacts:
		typeID = assocNoteToContact
		if n := p.notes[id]; n != nil && !n.archived {
			for _, cid := range n.assoc {
				if rec := p.contacts[cid]; rec != nil && !rec.archived {
					ids = append(ids, cid)
				}
			}
		}
	}
	s.mu.Unlock()

	slices.SortFunc(ids, compareIDs)
	start := min(offset, len(ids))
	end := min(start+limit, len(ids))
	results := make([]associatedJSON, 0, end-start)
	for _, aid := range ids[start:end] {
		results = append(results, associatedJSON{ToObjectID: aid, AssociationTypes: []associationTypeJSON{{
			Category: assocCategoryHubSpotDef, TypeID: typeID,
		}}})
	}
	body := map[string]any{"results": results}
	if end < len(ids) {
		body["paging"] = pagingJSON(c.r, strconv.Itoa(end))
	}
	writeJSON(c.w, http.StatusOK, body)
}

// handleNoteBatchRead is POST …/notes/batch/read: notes by ID (bodies included when asked for), 207 naming
// the IDs that are not there.
func (s *Simulator) handleNoteBatchRead(c *call) {
	var in batchInput
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if len(in.Inputs) > batchLimit {
		writeAPIError(c.w, http.StatusBadRequest, batchTooLarge(len(in.Inputs)))
		return
	}
	if in.IDProperty != "" && in.IDProperty != "hs_object_id" {
		writeAPIError(c.w, http.StatusBadRequest, validationError("Notes can only be read by hs_object_id; "+in.IDProperty+" is not a unique property of notes."))
		return
	}
	names := in.Properties
	if len(names) == 0 {
		names = noteDefaultProps
	}
	archived := c.r.URL.Query().Get("archived") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var results []objectJSON
	var missing []string
	seen := map[string]bool{}
	for _, input := range in.Inputs {
		rec := p.notes[input.ID]
		if rec == nil || rec.archived != archived {
			missing = append(missing, input.ID)
			continue
		}
		if seen[rec.id] {
			continue
		}
		seen[rec.id] = true
		results = append(results, noteJSON(rec, names, nil))
	}
	var errs []batchError
	if len(missing) > 0 {
		errs = append(errs, newBatchError(batchError{
			Status:   "error",
			Category: "OBJECT_NOT_FOUND",
			Message:  "Could not get some NOTE objects, they may be deleted or not exist. Check that ids are valid.",
			Context:  map[string][]string{"ids": missing},
		}))
	}
	s.writeBatch(c.w, http.StatusOK, results, errs)
}
