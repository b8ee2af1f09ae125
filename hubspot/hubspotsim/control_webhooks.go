package hubspotsim

import (
	"errors"
	"net/http"
	"strconv"
)

// UpdateContact changes a contact as a person in HubSpot's UI does: validated like the API (email, owner,
// lifecycle stage), and a propertyChange webhook (changeSource CRM_UI) per changed property. An empty value
// clears the property. A merged-away ID updates the contact it became.
func (s *Simulator) UpdateContact(portalID int64, id string, props map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[portalID]
	if p == nil {
		return errors.New("hubspotsim: unknown portal " + strconv.FormatInt(portalID, 10))
	}
	rec := lookupContactLocked(p, id, "")
	if rec == nil {
		return errors.New("hubspotsim: no contact " + id)
	}
	raw := make(map[string]any, len(props))
	for k, v := range props {
		raw[k] = v
	}
	if e := s.updateContactLocked(p, rec, raw, "CRM_UI"); e != nil {
		return errors.New(e.Message)
	}
	return nil
}

// handleSimUpdateContact is PATCH /_sim/portals/{id}/contacts/{cid} {"properties":{…}}.
func (s *Simulator) handleSimUpdateContact(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	var in struct {
		Properties map[string]string `json:"properties"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	if err := s.UpdateContact(pid, r.PathValue("cid"), in.Properties); err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, _ := s.Contact(pid, r.PathValue("cid"))
	if c.MergedInto != "" {
		c, _ = s.Contact(pid, c.MergedInto)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": c.ID, "properties": c.Properties})
}

// handleSimArchive is DELETE /_sim/portals/{id}/contacts/{cid}: delete as a person does (contact.deletion).
func (s *Simulator) handleSimArchive(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	if !s.ArchiveContact(pid, r.PathValue("cid")) {
		simError(w, http.StatusNotFound, "no live contact "+r.PathValue("cid"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleSimRestore is POST /_sim/portals/{id}/contacts/{cid}/restore (contact.restore).
func (s *Simulator) handleSimRestore(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	if !s.RestoreContact(pid, r.PathValue("cid")) {
		simError(w, http.StatusConflict, "contact "+r.PathValue("cid")+" is not deleted, was merged, or its email is taken")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// simApp checks {appId} against the simulated app.
func (s *Simulator) simApp(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("appId") != strconv.FormatInt(s.opts.AppID, 10) {
		simError(w, http.StatusNotFound, "unknown app "+r.PathValue("appId")+"; the simulated app is "+strconv.FormatInt(s.opts.AppID, 10))
		return false
	}
	return true
}

// handleSimSetWebhooks is PUT /_sim/apps/{appId}/webhooks {targetUrl, subscriptions:[{eventType, objectType?,
// propertyName?, active?}]}.
func (s *Simulator) handleSimSetWebhooks(w http.ResponseWriter, r *http.Request) {
	if !s.simApp(w, r) {
		return
	}
	var in struct {
		TargetURL     string `json:"targetUrl"`
		Subscriptions []struct {
			EventType    string `json:"eventType"`
			ObjectType   string `json:"objectType"`
			PropertyName string `json:"propertyName"`
			Active       *bool  `json:"active"`
		} `json:"subscriptions"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	ws := WebhookSettings{TargetURL: in.TargetURL}
	for _, sub := range in.Subscriptions {
		active := sub.Active == nil || *sub.Active
		ws.Subscriptions = append(ws.Subscriptions, WebhookSubscription{EventType: sub.EventType, ObjectType: sub.ObjectType,
			PropertyName: sub.PropertyName, Active: active})
	}
	if err := s.SetWebhooks(ws); err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.webhooksJSON())
}

func (s *Simulator) webhooksJSON() WebhookSettings {
	ws := s.Webhooks()
	if ws.Subscriptions == nil {
		ws.Subscriptions = []WebhookSubscription{}
	}
	return ws
}

func (s *Simulator) handleSimGetWebhooks(w http.ResponseWriter, r *http.Request) {
	if s.simApp(w, r) {
		writeJSON(w, http.StatusOK, s.webhooksJSON())
	}
}

func (s *Simulator) handleSimWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	if !s.simApp(w, r) {
		return
	}
	d := s.WebhookDeliveries()
	if d == nil {
		d = []WebhookDelivery{}
	}
	writeJSON(w, http.StatusOK, d)
}
