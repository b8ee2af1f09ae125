package hubspotsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// SetRequiredProperties makes properties of an object type ("contacts" or "notes", or their singular names
// and type IDs) required by the portal's validation rules, replacing the earlier list (none: no rule). From
// API version 2026-09, every create, batch create, upsert and update through the API that would leave a
// record without one of them is refused with HubSpot's 400 VALIDATION_ERROR naming the property; 2026-03
// and the legacy paths do not apply the rules, nor do seeding and edits in the record UI.
func (s *Simulator) SetRequiredProperties(portalID int64, objectType string, names ...string) error {
	t, ok := objectTypeOf(objectType)
	if !ok {
		return fmt.Errorf("hubspotsim: unknown object type %q (want contacts or notes)", objectType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPortal(portalID)
	if p.required == nil {
		p.required = map[string][]string{}
	}
	var clean []string
	for _, n := range names {
		if n != "" && !slices.Contains(clean, n) {
			clean = append(clean, n)
		}
	}
	p.required[t] = clean
	return nil
}

// RequiredProperties returns the properties of an object type the portal's validation rules require.
func (s *Simulator) RequiredProperties(portalID int64, objectType string) []string {
	t, _ := objectTypeOf(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mustPortal(portalID).required[t])
}

// checkRequiredLocked applies the portal's validation rules to a write through the API, when the call's
// version enforces them: existing is the record's current properties (nil for a create), changes the input.
// Caller holds s.mu.
func (s *Simulator) checkRequiredLocked(c *call, p *portal, objectType string, existing map[string]string, changes map[string]any) *apiError {
	if !c.enforcesValidationRules() {
		return nil
	}
	var missing []string
	for _, name := range p.required[objectType] {
		v, changed := changes[name]
		var value string
		if changed {
			switch v := v.(type) {
			case string:
				value = v
			case nil:
			default:
				value = fmt.Sprint(v)
			}
		} else {
			value = existing[name]
		}
		if value == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return requiredPropertiesError(missing)
}

// requiredPropertiesError is HubSpot's "Property values were not valid" 400 for missing required values,
// one entry (and one errors[] detail with context.propertyName) per property.
func requiredPropertiesError(names []string) *apiError {
	type issue struct {
		IsValid               bool   `json:"isValid"`
		Message               string `json:"message"`
		Error                 string `json:"error"`
		Name                  string `json:"name"`
		LocalizedErrorMessage string `json:"localizedErrorMessage"`
	}
	var issues []issue
	var details []errorDetail
	for _, n := range names {
		msg := n + " is required by this account's validation rules; enter a value."
		issues = append(issues, issue{Message: msg, Error: "REQUIRED_FIELD", Name: n, LocalizedErrorMessage: msg})
		details = append(details, errorDetail{Message: msg, Code: "REQUIRED_FIELD", Context: map[string][]string{"propertyName": {n}}})
	}
	inner, _ := json.Marshal(issues)
	return &apiError{Message: "Property values were not valid: " + string(inner), Category: "VALIDATION_ERROR", Errors: details}
}

type simValidationRules struct {
	ObjectType         string   `json:"objectType"`
	RequiredProperties []string `json:"requiredProperties"`
}

// handleSimValidationRules is PUT /_sim/portals/{id}/validation-rules/{objectType} {"requiredProperties":[…]}
// (and GET): the portal's required properties, enforced by the 2026-09 API.
func (s *Simulator) handleSimValidationRules(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	t, ok := objectTypeOf(r.PathValue("objectType"))
	if !ok {
		simError(w, http.StatusNotFound, "unknown object type "+r.PathValue("objectType")+" (want contacts or notes)")
		return
	}
	if r.Method == http.MethodPut {
		var in simValidationRules
		if !readSimJSON(w, r, &in) {
			return
		}
		if err := s.SetRequiredProperties(pid, t, in.RequiredProperties...); err != nil {
			simError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, simValidationRules{ObjectType: t, RequiredProperties: nonNil(s.RequiredProperties(pid, t))})
}
