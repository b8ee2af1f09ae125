package hubspotsim_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

func TestMergeGivesANewIDThatOldIDsResolveTo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.IndexDelay = 2 * time.Second })
	older := e.ts.SeedContact(e.portal, map[string]string{"email": "bob@old.test", "firstname": "Robert", "phone": "+447911123456"},
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	primary := e.ts.SeedContact(e.portal, map[string]string{"email": "bob@new.test", "firstname": "Bob", "lastname": "Smith"}, time.Time{})
	note := e.call("POST", "/crm/v3/objects/notes", map[string]any{
		"properties":   map[string]string{"hs_timestamp": "2024-05-01T10:00:00Z", "hs_note_body": "on the older one"},
		"associations": []any{map[string]any{"to": map[string]string{"id": older}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}}}},
	})
	e.mustStatus(note, http.StatusCreated)

	r := e.call("POST", "/crm/v3/objects/contacts/merge", map[string]string{"primaryObjectId": primary, "objectIdToMerge": older})
	e.mustStatus(r, http.StatusOK)
	m := r.JSON(t)
	newID := m["id"].(string)
	if newID == primary || newID == older {
		t.Fatalf("merged record kept an old ID %s", newID)
	}
	props := m["properties"].(map[string]any)
	if got := props["hs_merged_object_ids"]; got != older+";"+primary {
		t.Errorf("hs_merged_object_ids = %v, want %s;%s", got, older, primary)
	}
	if props["email"] != "bob@new.test" || props["firstname"] != "Bob" {
		t.Errorf("primary's values must win: %v", props)
	}

	for _, old := range []string{primary, older} {
		g := e.call("GET", "/crm/v3/objects/contacts/"+old+"?properties=email,phone,hs_additional_emails,createdate", nil)
		e.mustStatus(g, http.StatusOK)
		gm := g.JSON(t)
		gp := gm["properties"].(map[string]any)
		if gm["id"] != newID || gp["phone"] != "+447911123456" || gp["hs_additional_emails"] != "bob@old.test" ||
			gp["createdate"] != "2020-01-01T00:00:00.000Z" {
			t.Errorf("GET %s = %s", old, g.Raw)
		}
	}
	br := e.call("POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"inputs": []any{map[string]string{"id": older}, map[string]string{"id": primary}}})
	e.mustStatus(br, http.StatusOK)
	if res := br.JSON(t)["results"].([]any); len(res) != 1 || res[0].(map[string]any)["id"] != newID {
		t.Errorf("batch read of the old IDs = %s, want the merged record once", br.Raw)
	}
	// The old email leaves the primary-email index; the note moved.
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/bob@old.test?idProperty=email", nil), http.StatusNotFound)
	if notes := e.ts.Notes(e.portal, newID); len(notes) != 1 || notes[0].Body != "on the older one" {
		t.Errorf("notes of the merged contact = %+v", notes)
	}
	if notes := e.ts.Notes(e.portal, older); len(notes) != 0 {
		t.Errorf("notes left on the old ID: %+v", notes)
	}
	if ids := contactIDs(e.ts.Contacts(e.portal)); !slices.Equal(ids, []string{newID}) {
		t.Errorf("live contacts = %v, want only %s", ids, newID)
	}

	// Search lags: the old IDs are still found, the new one not yet; after the delay it flips.
	ids, _ := e.search(map[string]any{"filterGroups": []any{}, "query": "bob"})
	if !slices.Equal(ids, []string{older, primary}) {
		t.Errorf("search before the index delay = %v, want the old IDs", ids)
	}
	e.clock.Advance(2 * time.Second)
	ids, _ = e.search(map[string]any{"query": "bob"})
	if !slices.Equal(ids, []string{newID}) {
		t.Errorf("search after the index delay = %v, want [%s]", ids, newID)
	}
}

func TestMergeRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.createContact(map[string]string{"email": "a@x.test"})
	for name, body := range map[string]any{
		"self":    map[string]string{"primaryObjectId": a, "objectIdToMerge": a},
		"unknown": map[string]string{"primaryObjectId": a, "objectIdToMerge": "999999"},
		"missing": map[string]string{"primaryObjectId": a},
	} {
		r := e.call("POST", "/crm/v3/objects/contacts/merge", body)
		if r.Status != http.StatusBadRequest && r.Status != http.StatusNotFound {
			t.Errorf("%s: status %d, body %s", name, r.Status, r.Raw)
		}
	}
	if c, ok := e.ts.Contact(e.portal, a); !ok || c.Archived {
		t.Errorf("a failed merge changed the contact: %+v", c)
	}
}

func TestMergeThroughControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.createContact(map[string]string{"email": "a@x.test"})
	b := e.createContact(map[string]string{"email": "b@x.test"})
	r := simCall(t, e, "POST", "/_sim/portals/"+itoa(e.portal)+"/contacts/merge", `{"primaryObjectId":"`+a+`","objectIdToMerge":`+b+`}`)
	e.mustStatus(r, http.StatusOK)
	newID := r.JSON(t)["id"].(string)
	c, ok := e.ts.Contact(e.portal, a)
	if !ok || c.MergedInto != newID || !c.Archived {
		t.Errorf("old contact after merge = %+v", c)
	}
	e.mustStatus(simCall(t, e, "POST", "/_sim/portals/"+itoa(e.portal)+"/contacts/merge", `{"primaryObjectId":"`+a+`","objectIdToMerge":"`+b+`"}`), http.StatusNotFound)
}

func TestGDPRDeleteErasesEvenArchived(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.createContact(map[string]string{"email": "gdpr@x.test", "firstname": "Gone"})
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": a}), http.StatusNoContent)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+a, nil), http.StatusNotFound)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+a+"?archived=true", nil), http.StatusNotFound)
	if ids, _ := e.search(map[string]any{"query": "gdpr"}); len(ids) != 0 {
		t.Errorf("search still finds %v", ids)
	}
	if _, ok := e.ts.Contact(e.portal, a); ok {
		t.Error("Contact still returns the erased contact")
	}
	// By email, and an archived contact.
	b := e.createContact(map[string]string{"email": "second@x.test"})
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": "SECOND@x.test", "idProperty": "email"}), http.StatusNoContent)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+b+"?archived=true", nil), http.StatusNotFound)
	c := e.createContact(map[string]string{"email": "third@x.test"})
	e.mustStatus(e.call("DELETE", "/crm/v3/objects/contacts/"+c, nil), http.StatusNoContent)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+c+"?archived=true", nil), http.StatusOK)
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": c}), http.StatusNoContent)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+c+"?archived=true", nil), http.StatusNotFound)

	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": "424242"}), http.StatusNotFound)
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]string{}), http.StatusBadRequest)
	d := e.createContact(map[string]string{"email": "fourth@x.test"})
	e.mustStatus(simCall(t, e, "POST", "/_sim/portals/"+itoa(e.portal)+"/contacts/"+d+"/gdpr-delete", ""), http.StatusNoContent)
	if _, ok := e.ts.Contact(e.portal, d); ok {
		t.Error("control-API GDPR delete left the contact")
	}
}

func TestBatchCreateIsAllOrNothingWithoutTraceIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createContact(map[string]string{"email": "taken@x.test"})
	before := len(e.ts.Contacts(e.portal))
	for name, inputs := range map[string][]any{
		"no trace ids": {
			map[string]any{"properties": map[string]string{"email": "new1@x.test"}},
			map[string]any{"properties": map[string]string{"email": "taken@x.test"}},
		},
		"one missing": {
			map[string]any{"properties": map[string]string{"email": "new1@x.test"}, "objectWriteTraceId": "a"},
			map[string]any{"properties": map[string]string{"email": "taken@x.test"}},
		},
		"duplicate trace ids": {
			map[string]any{"properties": map[string]string{"email": "new1@x.test"}, "objectWriteTraceId": "a"},
			map[string]any{"properties": map[string]string{"email": "taken@x.test"}, "objectWriteTraceId": "a"},
		},
	} {
		r := e.call("POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": inputs})
		if r.Status != http.StatusConflict || !strings.Contains(string(r.Raw), "Contact already exists") {
			t.Errorf("%s: status %d, body %s; want the whole call to fail with 409", name, r.Status, r.Raw)
		}
		if n := len(e.ts.Contacts(e.portal)); n != before {
			t.Errorf("%s: %d contacts, want %d (nothing created)", name, n, before)
		}
	}
	r := e.call("POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "new1@x.test"}, "objectWriteTraceId": "a"},
		map[string]any{"properties": map[string]string{"email": "taken@x.test"}, "objectWriteTraceId": "b"},
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	if n := len(e.ts.Contacts(e.portal)); n != before+1 {
		t.Errorf("%d contacts after the 207, want %d", n, before+1)
	}

	id := e.ts.SeedContact(e.portal, nil, time.Time{})
	assoc := []any{map[string]any{"to": map[string]string{"id": id}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}}}}
	r = e.call("POST", "/crm/v3/objects/notes/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"hs_timestamp": "2024-01-01T00:00:00Z", "hs_note_body": "ok"}, "associations": assoc},
		map[string]any{"properties": map[string]string{"hs_note_body": "no timestamp"}, "associations": assoc},
	}})
	e.mustStatus(r, http.StatusBadRequest)
	if n := len(e.ts.Notes(e.portal, id)); n != 0 {
		t.Errorf("a failed untraced note batch created %d notes", n)
	}
}

func TestNotePatchAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.ts.SeedContact(e.portal, nil, time.Time{})
	r := e.call("POST", "/crm/v3/objects/notes", map[string]any{
		"properties":   map[string]string{"hs_timestamp": "2024-01-01T00:00:00Z", "hs_note_body": "first"},
		"associations": []any{map[string]any{"to": map[string]string{"id": id}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}}}},
	})
	e.mustStatus(r, http.StatusCreated)
	nid := r.JSON(t)["id"].(string)
	r = e.call("PATCH", "/crm/v3/objects/notes/"+nid, map[string]any{"properties": map[string]string{"hs_note_body": "updated"}})
	e.mustStatus(r, http.StatusOK)
	if n := e.ts.Notes(e.portal, id); len(n) != 1 || n[0].Body != "updated" {
		t.Fatalf("notes after PATCH = %+v", n)
	}
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/notes/"+nid, map[string]any{"properties": map[string]string{"hs_note_body": strings.Repeat("x", 65537)}}), http.StatusBadRequest)
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/notes/"+nid, map[string]any{"properties": map[string]any{"hs_timestamp": nil}}), http.StatusBadRequest)
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/notes/"+nid, map[string]any{"properties": map[string]string{"hs_object_id": "1"}}), http.StatusBadRequest)
	if n := e.ts.Notes(e.portal, id); n[0].Body != "updated" {
		t.Errorf("a rejected PATCH changed the note: %+v", n)
	}
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/notes/77", map[string]any{"properties": map[string]string{"hs_note_body": "x"}}), http.StatusNotFound)
	e.mustStatus(e.call("DELETE", "/crm/v3/objects/notes/"+nid, nil), http.StatusNoContent)
	if n := e.ts.Notes(e.portal, id); len(n) != 0 {
		t.Errorf("notes after DELETE = %+v", n)
	}
	e.mustStatus(e.call("GET", "/crm/v3/objects/notes/"+nid, nil), http.StatusNotFound)
	e.mustStatus(e.call("GET", "/crm/v3/objects/notes/"+nid+"?archived=true", nil), http.StatusOK)
	e.mustStatus(e.call("DELETE", "/crm/v3/objects/notes/"+nid, nil), http.StatusNoContent)
}

func contactIDs(cs []hubspotsim.Contact) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// simCall sends a control-API request with a raw JSON body (no token).
func simCall(t *testing.T, e *env, method, path, body string) response {
	t.Helper()
	if body == "" {
		return e.callAs("", method, path, nil)
	}
	return e.callAs("", method, path, body)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestGDPRDeleteOfAMergedAwayIDErasesTheMergedRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.ts.SeedContact(e.portal, map[string]string{"email": "a@x.test"}, time.Time{})
	b := e.ts.SeedContact(e.portal, map[string]string{"email": "b@x.test"}, time.Time{})
	merged, ok := e.ts.MergeContacts(e.portal, a, b)
	if !ok {
		t.Fatal("merge failed")
	}
	if !e.ts.GDPRDeleteContact(e.portal, b) {
		t.Fatal("GDPR delete of the merged-away ID failed")
	}
	for _, id := range []string{a, b, merged.ID} {
		if _, ok := e.ts.Contact(e.portal, id); ok {
			t.Errorf("contact %s survived the GDPR delete", id)
		}
	}
	if e.ts.GDPRDeleteContact(e.portal, a) {
		t.Error("a second GDPR delete succeeded")
	}
}
