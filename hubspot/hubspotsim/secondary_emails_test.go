package hubspotsim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAdditionalEmailsAreSearchableAndUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Seeded through the control API, as a merged record of another system would be.
	r := e.callAs("", "POST", "/_sim/portals/"+itoa(e.portal)+"/contacts", map[string]any{"properties": map[string]string{
		"email": "ada@example.com", "hs_additional_emails": "Ada.Old@example.com;ada@work.example"}})
	e.mustStatus(r, http.StatusCreated)
	ada := r.JSON(t)["id"].(string)
	e.createContact(map[string]string{"email": "bob@example.com"})

	for _, c := range []struct {
		body map[string]any
		want []string
	}{
		{one(filter("hs_additional_emails", "EQ", "ada.old@example.com")), []string{ada}},
		{one(filter("hs_additional_emails", "EQ", "ada@work.example")), []string{ada}},
		{one(filter("hs_additional_emails", "CONTAINS_TOKEN", "ada@work.example")), []string{ada}},
		{one(filter("hs_additional_emails", "HAS_PROPERTY")), []string{ada}},
		// email EQ does not look at additional emails: the rule needs a second filter group.
		{one(filter("email", "EQ", "ada.old@example.com")), nil},
		{groups([]map[string]any{filter("email", "EQ", "ada.old@example.com")},
			[]map[string]any{filter("hs_additional_emails", "EQ", "ada.old@example.com")}), []string{ada}},
		{map[string]any{"query": "ada.old@example.com"}, []string{ada}},
	} {
		got, _ := e.search(c.body)
		if !cmp.Equal(got, c.want) {
			t.Errorf("search %v = %v, want %v", c.body, got, c.want)
		}
	}

	// Creating a contact with another's additional email is a conflict naming that contact, whatever the path.
	for _, path := range []string{"/crm/v3/objects/contacts", "/crm/objects/2026-03/contacts", "/crm/objects/2026-09/contacts"} {
		r := e.call("POST", path, map[string]any{"properties": map[string]string{"email": "ADA.OLD@example.com"}})
		e.mustStatus(r, http.StatusConflict)
		if m := r.JSON(t); m["message"] != "Contact already exists. Existing ID: "+ada || m["category"] != "CONFLICT" {
			t.Errorf("%s: %s", path, r.Raw)
		}
	}
	r = e.call("POST", "/crm/objects/2026-03/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "new@example.com"}},
		map[string]any{"properties": map[string]string{"email": "ada@work.example"}},
	}})
	e.mustStatus(r, http.StatusConflict)
	r = e.call("POST", "/crm/objects/2026-03/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"id": "ada@work.example", "idProperty": "email", "properties": map[string]string{"firstname": "A"}},
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	if !strings.Contains(string(r.Raw), "Contact already exists. Existing ID: "+ada) {
		t.Errorf("upsert = %s", r.Raw)
	}
	// Nor can another contact take it by a PATCH.
	bob := e.ts.Contacts(e.portal)[1].ID
	e.mustStatus(e.call("PATCH", "/crm/objects/2026-03/contacts/"+bob, map[string]any{"properties": map[string]string{"email": "ada@work.example"}}), http.StatusConflict)
	if n := len(e.ts.Contacts(e.portal)); n != 2 {
		t.Errorf("%d contacts after refused writes, want 2", n)
	}
}

func TestMergeMakesTheOtherEmailAdditional(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	primary := e.createContact(map[string]string{"email": "kept@example.com"})
	other := e.createContact(map[string]string{"email": "gone@example.com"})
	r := e.call("POST", "/crm/objects/2026-03/contacts/merge", map[string]string{"primaryObjectId": primary, "objectIdToMerge": other})
	e.mustStatus(r, http.StatusOK)
	merged := r.JSON(t)["id"].(string)
	r = e.call("GET", "/crm/objects/2026-03/contacts/"+merged+"?properties=email,hs_additional_emails", nil)
	e.mustStatus(r, http.StatusOK)
	props := r.JSON(t)["properties"].(map[string]any)
	if props["email"] != "kept@example.com" || props["hs_additional_emails"] != "gone@example.com" {
		t.Errorf("merged properties = %v", props)
	}
	r = e.call("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]string{"email": "gone@example.com"}})
	e.mustStatus(r, http.StatusConflict)
	if m := r.JSON(t); m["message"] != "Contact already exists. Existing ID: "+merged {
		t.Errorf("create with the merged-away email = %s", r.Raw)
	}
	if got, _ := e.search(one(filter("hs_additional_emails", "EQ", "gone@example.com"))); !cmp.Equal(got, []string{merged}) {
		t.Errorf("search by the merged-away email = %v", got)
	}
}
