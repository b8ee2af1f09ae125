package hubspotsim

import (
	"net/http"
	"slices"
	"time"
)

// PropertyOption is one option of an enumeration property, as HubSpot's properties API returns it.
type PropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// StandardLifecycleStages are HubSpot's default lifecycle stages, in their pipeline order.
var StandardLifecycleStages = []PropertyOption{
	{Label: "Subscriber", Value: "subscriber", DisplayOrder: 0},
	{Label: "Lead", Value: "lead", DisplayOrder: 1},
	{Label: "Marketing Qualified Lead", Value: "marketingqualifiedlead", DisplayOrder: 2},
	{Label: "Sales Qualified Lead", Value: "salesqualifiedlead", DisplayOrder: 3},
	{Label: "Opportunity", Value: "opportunity", DisplayOrder: 4},
	{Label: "Customer", Value: "customer", DisplayOrder: 5},
	{Label: "Evangelist", Value: "evangelist", DisplayOrder: 6},
	{Label: "Other", Value: "other", DisplayOrder: 7},
}

// CustomLifecycleStage is the custom stage every portal has besides the standard ones (portals can add
// their own stages in HubSpot; the demo's Ingrid Berg is a partner).
var CustomLifecycleStage = PropertyOption{Label: "Partner", Value: "partner", Description: "A custom stage", DisplayOrder: 8}

// propertyDef is a contact property definition.
type propertyDef struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Type      string `json:"type"`
	FieldType string `json:"fieldType"`
	GroupName string `json:"groupName"`
}

var contactPropertyDefs = []propertyDef{
	{"firstname", "First Name", "string", "text", "contactinformation"},
	{"lastname", "Last Name", "string", "text", "contactinformation"},
	{"email", "Email", "string", "text", "contactinformation"},
	{"phone", "Phone Number", "string", "phonenumber", "contactinformation"},
	{"mobilephone", "Mobile Phone Number", "string", "phonenumber", "contactinformation"},
	{"company", "Company Name", "string", "text", "contactinformation"},
	{"lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation"},
	{"hubspot_owner_id", "Contact owner", "enumeration", "select", "sales_properties"},
	{"createdate", "Create Date", "datetime", "date", "contactinformation"},
	{"lastmodifieddate", "Last Modified Date", "datetime", "date", "contactinformation"},
	{"hs_object_id", "Record ID", "number", "number", "contactinformation"},
}

// defaultLifecycleStages is what a new portal's lifecyclestage offers.
func defaultLifecycleStages() []PropertyOption {
	return append(slices.Clone(StandardLifecycleStages), CustomLifecycleStage)
}

// SetLifecycleStages replaces a portal's lifecycle stage options (e.g. to rename or hide one).
func (s *Simulator) SetLifecycleStages(portalID int64, options []PropertyOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPortal(portalID).stages = slices.Clone(options)
}

// LifecycleStages returns a portal's lifecycle stage options.
func (s *Simulator) LifecycleStages(portalID int64) []PropertyOption {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mustPortal(portalID).stages)
}

// validStage reports whether v is one of the portal's lifecycle stages. Caller holds s.mu.
func (p *portal) validStage(v string) bool {
	return slices.ContainsFunc(p.stages, func(o PropertyOption) bool { return o.Value == v })
}

// propertyEpoch is when the simulated property definitions were "created".
var propertyEpoch = time.Date(2019, time.August, 6, 2, 41, 52, 0, time.UTC)

func (s *Simulator) handlePropertyGet(c *call) {
	objectType := c.r.PathValue("objectType")
	name := c.r.PathValue("name")
	if objectType != "contacts" && objectType != "contact" && objectType != "0-1" {
		writeAPIError(c.w, http.StatusNotFound, notFoundError("Unable to find object type "+objectType))
		return
	}
	var def *propertyDef
	for i := range contactPropertyDefs {
		if contactPropertyDefs[i].Name == name {
			def = &contactPropertyDefs[i]
		}
	}
	if def == nil {
		e := notFoundError("Unable to find property " + name + " for object type 0-1")
		e.Context = map[string][]string{"propertyName": {name}}
		writeAPIError(c.w, http.StatusNotFound, e)
		return
	}
	s.mu.Lock()
	p := s.portals[c.portalID]
	options := []PropertyOption{}
	switch name {
	case "lifecyclestage":
		options = append(options, p.stages...)
	case "hubspot_owner_id":
		for i, oid := range p.ownerOrder {
			if o := p.owners[oid]; !o.Deactivated {
				label := o.FirstName + " " + o.LastName
				options = append(options, PropertyOption{Label: label, Value: o.ID, DisplayOrder: i})
			}
		}
	}
	s.mu.Unlock()
	hubspotDefined := true
	writeJSON(c.w, http.StatusOK, map[string]any{
		"name":                 def.Name,
		"label":                def.Label,
		"type":                 def.Type,
		"fieldType":            def.FieldType,
		"description":          "",
		"groupName":            def.GroupName,
		"options":              options,
		"displayOrder":         -1,
		"calculated":           false,
		"externalOptions":      name == "hubspot_owner_id",
		"hasUniqueValue":       name == "hs_object_id",
		"hidden":               false,
		"hubspotDefined":       hubspotDefined,
		"formField":            def.Type != "datetime",
		"archived":             false,
		"createdAt":            formatTime(propertyEpoch),
		"updatedAt":            formatTime(propertyEpoch),
		"modificationMetadata": map[string]any{"archivable": false, "readOnlyDefinition": true, "readOnlyValue": name == "hs_object_id" || name == "lastmodifieddate"},
	})
}

// handleSimSetStages is PUT /_sim/portals/{id}/properties/lifecyclestage/options [{label, value, displayOrder, hidden}].
func (s *Simulator) handleSimSetStages(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	var in []PropertyOption
	if !readSimJSON(w, r, &in) {
		return
	}
	for _, o := range in {
		if o.Value == "" || o.Label == "" {
			simError(w, http.StatusBadRequest, "every option needs a label and a value")
			return
		}
	}
	s.SetLifecycleStages(pid, in)
	writeJSON(w, http.StatusOK, s.LifecycleStages(pid))
}
