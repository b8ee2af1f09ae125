package hubspotsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type ownerJSON struct {
	ID                      string `json:"id"`
	Email                   string `json:"email"`
	Type                    string `json:"type"`
	FirstName               string `json:"firstName"`
	LastName                string `json:"lastName"`
	UserID                  *int64 `json:"userId"`
	UserIDIncludingInactive *int64 `json:"userIdIncludingInactive"`
	Teams                   []Team `json:"teams,omitempty"` // absent for an owner in no team
	CreatedAt               string `json:"createdAt"`
	UpdatedAt               string `json:"updatedAt"`
	Archived                bool   `json:"archived"`
}

func renderOwner(o *Owner) ownerJSON {
	j := ownerJSON{
		ID:        o.ID,
		Email:     o.Email,
		Type:      "PERSON",
		FirstName: o.FirstName,
		LastName:  o.LastName,
		CreatedAt: formatTime(o.CreatedAt),
		UpdatedAt: formatTime(o.UpdatedAt),
		Archived:  o.Deactivated,
		Teams:     slices.Clone(o.Teams),
	}
	if o.UserID != 0 {
		uid := o.UserID
		j.UserID, j.UserIDIncludingInactive = &uid, &uid
	}
	return j
}

func (s *Simulator) handleOwnerGet(c *call) {
	q := c.r.URL.Query()
	id := c.r.PathValue("id")
	archived := q.Get("archived") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[c.portalID]
	var found *Owner
	for _, oid := range p.ownerOrder {
		o := p.owners[oid]
		match := o.ID == id
		if q.Get("idProperty") == "userId" {
			match = o.UserID != 0 && strconv.FormatInt(o.UserID, 10) == id
		}
		if match && o.Deactivated == archived {
			found = o
			break
		}
	}
	if found == nil {
		e := notFoundError("Unable to find owner " + id)
		e.Context = map[string][]string{"id": {id}}
		writeAPIError(c.w, http.StatusNotFound, e)
		return
	}
	writeJSON(c.w, http.StatusOK, renderOwner(found))
}

func (s *Simulator) handleOwnerList(c *call) {
	q := c.r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeAPIError(c.w, http.StatusBadRequest, validationError("limit must be between 1 and 500"))
			return
		}
		limit = n
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
	email := strings.TrimSpace(q.Get("email"))
	archived := q.Get("archived") == "true"
	s.mu.Lock()
	p := s.portals[c.portalID]
	var all []ownerJSON
	for _, oid := range p.ownerOrder {
		o := p.owners[oid]
		if o.Deactivated != archived || (email != "" && !strings.EqualFold(o.Email, email)) {
			continue
		}
		all = append(all, renderOwner(o))
	}
	s.mu.Unlock()
	start := min(offset, len(all))
	end := min(start+limit, len(all))
	results := all[start:end]
	if results == nil {
		results = []ownerJSON{}
	}
	body := map[string]any{"results": results}
	if end < len(all) {
		body["paging"] = pagingJSON(c.r, strconv.Itoa(end))
	}
	writeJSON(c.w, http.StatusOK, body)
}
