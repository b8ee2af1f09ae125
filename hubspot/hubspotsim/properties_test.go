package hubspotsim_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPropertyLifecycleStageShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.call("GET", "/crm/v3/properties/contacts/lifecyclestage", nil)
	e.mustStatus(r, http.StatusOK)
	m := r.JSON(t)
	opts := m["options"].([]any)
	if m["name"] != "lifecyclestage" || m["type"] != "enumeration" || len(opts) != 9 {
		t.Fatalf("property = %s", r.Raw)
	}
	first := opts[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"label": "Subscriber", "value": "subscriber", "description": "", "displayOrder": float64(0), "hidden": false}, first); diff != "" {
		t.Errorf("first option (-want +got):\n%s", diff)
	}
	e.mustStatus(e.call("GET", "/crm/v3/properties/contacts/nope", nil), http.StatusNotFound)
	e.mustStatus(e.call("GET", "/crm/v3/properties/widgets/lifecyclestage", nil), http.StatusNotFound)
	e.mustStatus(e.callAs("", "GET", "/crm/v3/properties/contacts/lifecyclestage", nil), http.StatusUnauthorized)

	// The control API replaces the options; writes then follow them.
	base := "/_sim/portals/" + itoa(e.portal)
	e.mustStatus(simCall(t, e, "PUT", base+"/properties/lifecyclestage/options", `[{"label":"Lead","value":"lead"},{"label":"Fan","value":"fan","displayOrder":1,"hidden":true}]`), http.StatusOK)
	r = e.call("GET", "/crm/v3/properties/contacts/lifecyclestage", nil)
	if opts := r.JSON(t)["options"].([]any); len(opts) != 2 || opts[1].(map[string]any)["hidden"] != true {
		t.Errorf("options after PUT = %s", r.Raw)
	}
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"lifecyclestage": "customer"}}), http.StatusBadRequest)
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"lifecyclestage": "fan"}}), http.StatusCreated)
	e.mustStatus(simCall(t, e, "PUT", base+"/properties/lifecyclestage/options", `[{"value":"x"}]`), http.StatusBadRequest)
}
