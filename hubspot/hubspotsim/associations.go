package hubspotsim

import (
	"fmt"
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

// associationTypes resolves the two object types of an associations path: known is false when either is a
// type the simulator has no records of; ok is false (and the 400 answered) when one is not a type at all.
func associationTypes(c *call, fromKey, toKey string) (from, to string, known, ok bool) {
	from, okFrom := objectTypeOf(c.r.PathValue(fromKey))
	to, okTo := objectTypeOf(c.r.PathValue(toKey))
	for _, v := range []struct {
		raw string
		ok  bool
	}{{c.r.PathValue(fromKey), okFrom}, {c.r.PathValue(toKey), okTo}} {
		if !v.ok && !slices.Contains(otherObjectTypes, strings.ToLower(v.raw)) {
			writeAPIError(c.w, http.StatusBadRequest, unknownObjectType(v.raw))
			return "", "", false, false
		}
	}
	return from, to, okFrom && okTo, true
}

// handleAssociations is GET /crm/objects/{v}/{objectType}/{id}/associations/{toObjectType} (and the v4 path):
// a record's associated records of a type, read from the records themselves, so strongly consistent (unlike
// search). A contact's notes follow merges; an ID with no record lists nothing.
func (s *Simulator) handleAssociations(c *call) {
	from, to, known, ok := associationTypes(c, "objectType", "toObjectType")
	if !ok {
		return
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
	ids, typeID := associatedLocked(s.portals[c.portalID], from, to, known, id)
	s.mu.Unlock()

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

// associatedLocked lists the IDs of the records of type to associated with record id of type from, oldest
// first, and the association type ID; known is false for a pair the simulator has no records of (none).
// Caller holds s.mu.
func associatedLocked(p *portal, from, to string, known bool, id string) (ids []string, typeID int) {
	switch {
	case known && from == objContacts && to == objNotes:
		typeID = assocContactToNote
		if rec := followMergesLocked(p, p.contacts[id]); rec != nil {
			for _, nid := range p.noteOrder {
				if n := p.notes[nid]; !n.archived && slices.Contains(n.assoc, rec.id) {
					ids = append(ids, nid)
				}
			}
		}
	case known && from == objNotes && to == objContacts:
		typeID = assocNoteToContact
		if n := p.notes[id]; n != nil && !n.archived {
			for _, cid := range n.assoc {
				if rec := p.contacts[cid]; rec != nil && !rec.archived {
					ids = append(ids, cid)
				}
			}
		}
	}
	slices.SortFunc(ids, compareIDs)
	return ids, typeID
}

// associationsBatchLimit is the most inputs an associations batch read takes.
const associationsBatchLimit = 1000

// handleAssociationsBatchRead is POST /crm/associations/{v}/{fromObjectType}/{toObjectType}/batch/read
// {"inputs":[{"id","after"?}]}: the associations of several records at once, strongly consistent; a record with
// none is an error entry of a 207 (NO_ASSOCIATIONS_FOUND), as HubSpot answers.
func (s *Simulator) handleAssociationsBatchRead(c *call) {
	from, to, known, ok := associationTypes(c, "fromObjectType", "toObjectType")
	if !ok {
		return
	}
	var in struct {
		Inputs []struct {
			ID    flexString `json:"id"`
			After string     `json:"after"`
		} `json:"inputs"`
	}
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if len(in.Inputs) > associationsBatchLimit {
		writeAPIError(c.w, http.StatusBadRequest, validationError(fmt.Sprintf("Too many inputs: %d. The maximum is %d.", len(in.Inputs), associationsBatchLimit)))
		return
	}
	type result struct {
		From   map[string]string `json:"from"`
		To     []associatedJSON  `json:"to"`
		Paging map[string]any    `json:"paging,omitempty"`
	}
	results := []result{}
	var errs []batchError
	s.mu.Lock()
	p := s.portals[c.portalID]
	for _, input := range in.Inputs {
		id := input.ID.s
		ids, typeID := associatedLocked(p, from, to, known, id)
		offset, err := strconv.Atoi(input.After)
		if input.After == "" || err != nil || offset < 0 {
			offset = 0
		}
		start := min(offset, len(ids))
		end := min(start+associationsMaxLimit, len(ids))
		if start == end {
			errs = append(errs, newBatchError(batchError{
				Status:      "error",
				Category:    "OBJECT_NOT_FOUND",
				SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
				Message:     fmt.Sprintf("No %s is associated with %s %s.", strings.TrimSuffix(c.r.PathValue("toObjectType"), "s"), strings.TrimSuffix(c.r.PathValue("fromObjectType"), "s"), id),
				Context:     map[string][]string{"fromObjectId": {id}},
			}))
			continue
		}
		res := result{From: map[string]string{"id": id}, To: []associatedJSON{}}
		for _, aid := range ids[start:end] {
			res.To = append(res.To, associatedJSON{ToObjectID: aid, AssociationTypes: []associationTypeJSON{{Category: assocCategoryHubSpotDef, TypeID: typeID}}})
		}
		if end < len(ids) {
			res.Paging = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
		}
		results = append(results, res)
	}
	s.mu.Unlock()
	now := formatTime(s.now())
	body := map[string]any{"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
	status := http.StatusOK
	if len(errs) > 0 {
		body["numErrors"], body["errors"] = len(errs), errs
		status = http.StatusMultiStatus
	}
	writeJSON(c.w, status, body)
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
	s.writeBatch(c.w, http.StatusOK, results, missingObjects("NOTE", missing))
}
