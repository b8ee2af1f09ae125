package hubspotsim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// requiredRefusal checks HubSpot's 400 VALIDATION_ERROR naming the property.
func requiredRefusal(t *testing.T, r response, prop string) {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400; body %s", r.Status, r.Raw)
	}
	var body struct {
		Status   string `json:"status"`
		Message  string `json:"message"`
		Category string `json:"category"`
		Errors   []struct {
			Code    string              `json:"code"`
			Context map[string][]string `json:"context"`
		} `json:"errors"`
	}
	r.Into(t, &body)
	if body.Status != "error" || body.Category != "VALIDATION_ERROR" ||
		!strings.HasPrefix(body.Message, "Property values were not valid: ") || !strings.Contains(body.Message, `"name":"`+prop+`"`) ||
		len(body.Errors) != 1 || !cmp.Equal(body.Errors[0].Context["propertyName"], []string{prop}) {
		t.Errorf("refusal = %s", r.Raw)
	}
}

func TestValidationRulesApplyFrom202609(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Set through the control API, as tests in other languages do.
	r := e.callAs("", "PUT", "/_sim/portals/"+itoa(e.portal)+"/validation-rules/contacts", map[string]any{"requiredProperties": []string{"company"}})
	e.mustStatus(r, http.StatusOK)
	if diff := cmp.Diff(map[string]any{"objectType": "contacts", "requiredProperties": []any{"company"}}, r.JSON(t)); diff != "" {
		t.Errorf("control answer (-want +got):\n%s", diff)
	}
	if got := e.ts.RequiredProperties(e.portal, "0-1"); !cmp.Equal(got, []string{"company"}) {
		t.Errorf("RequiredProperties = %v", got)
	}
	const v9 = "/crm/objects/2026-09/contacts"

	// Create, batch create (all or nothing, or a 207 naming the input), upsert and patch are refused.
	requiredRefusal(t, e.call("POST", v9, map[string]any{"properties": map[string]string{"email": "a@example.com"}}), "company")
	requiredRefusal(t, e.call("POST", v9, map[string]any{"properties": map[string]any{"email": "a@example.com", "company": nil}}), "company")
	requiredRefusal(t, e.call("POST", v9+"/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "ok@example.com", "company": "Acme"}},
		map[string]any{"properties": map[string]string{"email": "b@example.com"}},
	}}), "company")
	if len(e.ts.Contacts(e.portal)) != 0 {
		t.Fatalf("refused writes stored contacts: %+v", e.ts.Contacts(e.portal))
	}
	r = e.call("POST", v9+"/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "ok@example.com", "company": "Acme"}, "objectWriteTraceId": "1"},
		map[string]any{"properties": map[string]string{"email": "b@example.com"}, "objectWriteTraceId": "2"},
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	if m := r.JSON(t); len(m["results"].([]any)) != 1 || !strings.Contains(string(r.Raw), `"objectWriteTraceId":["2"]`) ||
		!strings.Contains(string(r.Raw), `\"name\":\"company\"`) {
		t.Errorf("207 = %s", r.Raw)
	}
	r = e.call("POST", v9+"/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"id": "c@example.com", "idProperty": "email", "properties": map[string]string{"firstname": "C"}},
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	if !strings.Contains(string(r.Raw), `\"name\":\"company\"`) {
		t.Errorf("upsert = %s", r.Raw)
	}
	ok := e.ts.Contacts(e.portal)[0].ID
	requiredRefusal(t, e.call("PATCH", v9+"/"+ok, map[string]any{"properties": map[string]string{"company": ""}}), "company")
	e.mustStatus(e.call("PATCH", v9+"/"+ok, map[string]any{"properties": map[string]string{"firstname": "Ok"}}), http.StatusOK)
	// A record made before the rule must get the value with its next update.
	legacy := e.ts.SeedContact(e.portal, map[string]string{"email": "old@example.com"}, e.clock.Now())
	requiredRefusal(t, e.call("PATCH", v9+"/"+legacy, map[string]any{"properties": map[string]string{"firstname": "Old"}}), "company")
	e.mustStatus(e.call("PATCH", v9+"/"+legacy, map[string]any{"properties": map[string]string{"company": "Old Co"}}), http.StatusOK)

	// 2026-03 and v3 do not apply the rules.
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "d@example.com"}}), http.StatusCreated)
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"email": "e@example.com"}}), http.StatusCreated)

	// Notes have rules of their own.
	if err := e.ts.SetRequiredProperties(e.portal, "notes", "hubspot_owner_id"); err != nil {
		t.Fatal(err)
	}
	requiredRefusal(t, e.call("POST", "/crm/objects/2026-09/notes", noteInput(ok, "x", "2025-03-10T10:00:00Z")), "hubspot_owner_id")
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/notes", noteInput(ok, "x", "2025-03-10T10:00:00Z")), http.StatusCreated)

	// Clearing the list removes the rule.
	r = e.callAs("", "PUT", "/_sim/portals/"+itoa(e.portal)+"/validation-rules/contacts", map[string]any{"requiredProperties": []string{}})
	e.mustStatus(r, http.StatusOK)
	e.mustStatus(e.call("POST", v9, map[string]any{"properties": map[string]string{"email": "f@example.com"}}), http.StatusCreated)
	e.mustStatus(e.callAs("", "PUT", "/_sim/portals/"+itoa(e.portal)+"/validation-rules/deals", map[string]any{}), http.StatusNotFound)
}
