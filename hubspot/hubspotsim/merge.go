package hubspotsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// followMergesLocked returns the live record rec stands for: rec itself, or the record it was merged into
// (following merges of merges). nil when rec is nil, deleted or merged into a deleted record.
func followMergesLocked(p *portal, rec *record) *record {
	for hops := 0; rec != nil && rec.mergedInto != "" && hops < 100; hops++ {
		rec = p.contacts[rec.mergedInto]
	}
	if rec == nil || rec.archived {
		return nil
	}
	return rec
}

// mergeContactsLocked merges objectIDToMerge into primaryID as HubSpot does since 2024: both records are
// replaced by a new one under a new ID, whose hs_merged_object_ids lists the IDs it absorbed; reads by the
// old IDs return it, their notes move to it, and the old IDs leave search after IndexDelay. The primary's
// values win; the other's fill the gaps, its email becomes an additional email, and the older createdate
// is kept. Caller holds s.mu.
func (s *Simulator) mergeContactsLocked(p *portal, primaryID, otherID string) (*record, *apiError) {
	if primaryID == "" || otherID == "" {
		return nil, validationError("primaryObjectId and objectIdToMerge are required")
	}
	primary, other := p.contacts[primaryID], p.contacts[otherID]
	if primary == nil || primary.archived {
		return nil, contactNotFound(primaryID)
	}
	if other == nil || other.archived {
		return nil, contactNotFound(otherID)
	}
	if primary.id == other.id {
		return nil, validationError("Cannot merge a contact with itself: primaryObjectId and objectIdToMerge are both " + primaryID)
	}
	props := map[string]string{}
	for k, v := range other.props {
		props[k] = v
	}
	for k, v := range primary.props {
		props[k] = v
	}
	extra := splitMulti(primary.props["hs_additional_emails"])
	extra = append(extra, splitMulti(other.props["hs_additional_emails"])...)
	if e := other.props["email"]; e != "" && !strings.EqualFold(e, primary.props["email"]) {
		extra = append(extra, e)
	}
	delete(props, "hs_additional_emails")
	if len(extra) > 0 {
		props["hs_additional_emails"] = strings.Join(dedupeFold(extra), ";")
	}
	merged := []string{primary.id, other.id}
	merged = append(merged, splitMulti(primary.props["hs_merged_object_ids"])...)
	merged = append(merged, splitMulti(other.props["hs_merged_object_ids"])...)
	slices.SortFunc(merged, compareIDs)
	props["hs_merged_object_ids"] = strings.Join(slices.Compact(merged), ";")
	for _, k := range []string{"createdate", "lastmodifieddate", "hs_object_id", "hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number"} {
		delete(props, k)
	}
	createdAt := primary.createdAt
	if other.createdAt.Before(createdAt) {
		createdAt = other.createdAt
	}
	rec := s.newContactLocked(p, props, createdAt)
	rec.updatedAt = s.now()
	rec.props["lastmodifieddate"] = formatTime(rec.updatedAt)
	rec.reindex(s.now().Add(s.opts.IndexDelay))
	for _, old := range []*record{primary, other} {
		s.archiveLocked(old)
		old.mergedInto = rec.id
	}
	for _, nid := range p.noteOrder {
		n := p.notes[nid]
		changed := false
		for i, cid := range n.assoc {
			if cid == primary.id || cid == other.id {
				n.assoc[i], changed = rec.id, true
			}
		}
		if changed {
			n.assoc = slices.Compact(n.assoc)
		}
	}
	return rec, nil
}

// gdprDeleteLocked removes a contact and every trace of it (the records merged into it too), as HubSpot's
// GDPR delete does: not even archived=true finds it afterwards. Notes stay, without the association.
// Caller holds s.mu.
func (s *Simulator) gdprDeleteLocked(p *portal, rec *record) {
	gone := map[string]bool{rec.id: true}
	for id, r := range p.contacts {
		for x := r; x != nil && x.mergedInto != ""; x = p.contacts[x.mergedInto] {
			if x.mergedInto == rec.id {
				gone[id] = true
				break
			}
		}
	}
	for id := range gone {
		delete(p.contacts, id)
	}
	p.contactOrder = slices.DeleteFunc(p.contactOrder, func(id string) bool { return gone[id] })
	for _, n := range p.notes {
		n.assoc = slices.DeleteFunc(n.assoc, func(id string) bool { return gone[id] })
	}
}

func splitMulti(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func dedupeFold(in []string) []string {
	var out []string
	for _, v := range in {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
			out = append(out, v)
		}
	}
	return out
}

// MergeContacts merges objectIDToMerge into primaryID as the API does and returns the new contact (see
// POST /crm/v3/objects/contacts/merge). ok is false when either contact is missing or they are the same.
func (s *Simulator) MergeContacts(portalID int64, primaryID, objectIDToMerge string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil {
		return Contact{}, false
	}
	rec, e := s.mergeContactsLocked(p, primaryID, objectIDToMerge)
	if e != nil {
		return Contact{}, false
	}
	s.emitMergeLocked(p, rec, primaryID, objectIDToMerge, "CRM_UI")
	return rec.contact(), true
}

// GDPRDeleteContact permanently deletes a contact (archived ones too; a merged-away ID erases the record it
// became) as the API's gdpr-delete does; false if there is none.
func (s *Simulator) GDPRDeleteContact(portalID int64, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil || p.contacts[id] == nil {
		return false
	}
	rec := p.contacts[id]
	if rec.mergedInto != "" {
		// A merged-away ID stands for the record it became, as in the API.
		if rec = followMergesLocked(p, rec); rec == nil {
			return false
		}
	}
	s.gdprDeleteLocked(p, rec)
	s.emitLocked(p, contactEvent(eventPrivacyDeletion, rec.id, "GDPR"))
	return true
}

func (s *Simulator) handleContactMerge(c *call) {
	var in struct {
		PrimaryObjectID flexString `json:"primaryObjectId"`
		ObjectIDToMerge flexString `json:"objectIdToMerge"`
	}
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	rec, e := s.mergeContactsLocked(p, in.PrimaryObjectID.s, in.ObjectIDToMerge.s)
	if e != nil {
		writeAPIError(c.w, statusOf(e), e)
		return
	}
	s.emitMergeLocked(p, rec, in.PrimaryObjectID.s, in.ObjectIDToMerge.s, "API")
	writeJSON(c.w, http.StatusOK, s.contactJSONLocked(p, rec, union(contactDefaultProps, "hs_merged_object_ids"), nil))
}

func (s *Simulator) handleContactGDPRDelete(c *call) {
	var in struct {
		ObjectID   flexString `json:"objectId"`
		IDProperty string     `json:"idProperty"`
	}
	if _, e := readJSON(c.r, maxBodyBytes, &in); e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	if in.ObjectID.s == "" {
		writeAPIError(c.w, http.StatusBadRequest, validationError("objectId is required"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var rec *record
	switch in.IDProperty {
	case "", "hs_object_id":
		// Archived contacts can be erased too; a merged-away ID stands for the record it became.
		rec = p.contacts[in.ObjectID.s]
		if rec != nil && rec.mergedInto != "" {
			rec = followMergesLocked(p, rec)
		}
	default:
		rec = lookupContactLocked(p, in.ObjectID.s, in.IDProperty)
	}
	if rec == nil {
		writeAPIError(c.w, http.StatusNotFound, contactNotFound(in.ObjectID.s))
		return
	}
	id := rec.id
	s.gdprDeleteLocked(p, rec)
	s.emitLocked(p, contactEvent(eventPrivacyDeletion, id, "GDPR"))
	c.w.WriteHeader(http.StatusNoContent)
}

// handleSimMerge is POST /_sim/portals/{id}/contacts/merge {primaryObjectId, objectIdToMerge}.
func (s *Simulator) handleSimMerge(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	var in struct {
		PrimaryObjectID flexString `json:"primaryObjectId"`
		ObjectIDToMerge flexString `json:"objectIdToMerge"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[pid]
	rec, e := s.mergeContactsLocked(p, in.PrimaryObjectID.s, in.ObjectIDToMerge.s)
	if e != nil {
		simError(w, statusOf(e), e.Message)
		return
	}
	s.emitMergeLocked(p, rec, in.PrimaryObjectID.s, in.ObjectIDToMerge.s, "CRM_UI")
	writeJSON(w, http.StatusOK, map[string]string{"id": rec.id, "mergedObjectIds": rec.props["hs_merged_object_ids"]})
}

// handleSimGDPRDelete is POST /_sim/portals/{id}/contacts/{cid}/gdpr-delete.
func (s *Simulator) handleSimGDPRDelete(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	if !s.GDPRDeleteContact(pid, r.PathValue("cid")) {
		simError(w, http.StatusNotFound, "unknown contact "+r.PathValue("cid"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
