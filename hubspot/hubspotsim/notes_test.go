package hubspotsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

func noteInput(contactID, body, ts string) map[string]any {
	in := map[string]any{"properties": map[string]string{"hs_timestamp": ts, "hs_note_body": body}}
	if contactID != "" {
		in["associations"] = []any{map[string]any{
			"to":    map[string]string{"id": contactID},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}},
		}}
	}
	return in
}

func TestNoteCreateGetSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.ts.SeedOwner(e.portal, hubspotsim.Owner{Email: "o@example.com", FirstName: "O", LastName: "Wner"})
	contact := e.createContact(map[string]string{"email": "n@example.com"})

	in := noteInput(contact, "<p>Hello &amp; bye</p>", "2021-11-12T15:48:22Z")
	in["properties"].(map[string]string)["hubspot_owner_id"] = owner
	r := e.call("POST", "/crm/v3/objects/notes", in)
	e.mustStatus(r, http.StatusCreated)
	var created record
	r.Into(t, &created)
	now := "2025-03-10T12:00:00.000Z"
	want := map[string]*string{
		"hs_createdate": ptr(now), "hs_lastmodifieddate": ptr(now), "hs_object_id": ptr(created.ID),
		"hs_timestamp": ptr("2021-11-12T15:48:22.000Z"), "hs_note_body": ptr("<p>Hello &amp; bye</p>"), "hubspot_owner_id": ptr(owner),
	}
	if diff := cmp.Diff(want, created.Properties); diff != "" {
		t.Errorf("create (-want +got):\n%s", diff)
	}

	// Epoch milliseconds work too.
	later := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)
	e.mustStatus(e.call("POST", "/crm/v3/objects/notes", noteInput(contact, "second", fmt.Sprint(later.UnixMilli()))), http.StatusCreated)

	r = e.call("GET", "/crm/v3/objects/notes/"+created.ID+"?properties=hs_note_body&associations=contacts", nil)
	e.mustStatus(r, http.StatusOK)
	m := r.JSON(t)
	wantAssoc := map[string]any{"contacts": map[string]any{"results": []any{map[string]any{"id": contact, "type": "note_to_contact"}}}}
	if diff := cmp.Diff(wantAssoc, m["associations"]); diff != "" {
		t.Errorf("associations (-want +got):\n%s", diff)
	}
	e.mustStatus(e.call("GET", "/crm/v3/objects/notes/1", nil), http.StatusNotFound)

	r = e.call("POST", "/crm/v3/objects/notes/search", map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{filter("associations.contact", "EQ", contact)}}},
		"sorts":        []any{map[string]string{"propertyName": "hs_timestamp", "direction": "DESCENDING"}},
		"properties":   []string{"hs_note_body", "hs_timestamp"},
	})
	e.mustStatus(r, http.StatusOK)
	var page struct {
		Total   int      `json:"total"`
		Results []record `json:"results"`
	}
	r.Into(t, &page)
	if page.Total != 2 || *page.Results[0].Properties["hs_note_body"] != "second" || page.Results[1].ID != created.ID {
		t.Errorf("notes search = %+v", page)
	}

	notes := e.ts.Notes(e.portal, contact)
	if len(notes) != 2 || notes[0].Body != "second" || !notes[0].Timestamp.Equal(later) || notes[1].OwnerID != owner ||
		!cmp.Equal(notes[1].ContactIDs, []string{contact}) {
		t.Errorf("Notes() = %+v", notes)
	}
}

func TestNoteValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	contact := e.createContact(map[string]string{"email": "v@example.com"})
	ts := "1700000000000"

	e.mustStatus(e.call("POST", "/crm/v3/objects/notes", noteInput(contact, strings.Repeat("a", 65536), ts)), http.StatusCreated)
	r := e.call("POST", "/crm/v3/objects/notes", noteInput(contact, strings.Repeat("a", 65537), ts))
	e.mustStatus(r, http.StatusBadRequest)
	if m := r.JSON(t); m["category"] != "VALIDATION_ERROR" || !strings.Contains(m["message"].(string), "hs_note_body") {
		t.Errorf("65,537 chars: %v", m)
	}
	// HubSpot counts UTF-16 code units: 32,769 emoji are 65,538 of them.
	e.mustStatus(e.call("POST", "/crm/v3/objects/notes", noteInput(contact, strings.Repeat("😀", 32769), ts)), http.StatusBadRequest)

	r = e.call("POST", "/crm/v3/objects/notes", map[string]any{"properties": map[string]string{"hs_note_body": "x"}})
	e.mustStatus(r, http.StatusBadRequest)
	if !strings.Contains(r.JSON(t)["message"].(string), "hs_timestamp") {
		t.Errorf("missing hs_timestamp: %s", r.Raw)
	}
	e.mustStatus(e.call("POST", "/crm/v3/objects/notes", noteInput(contact, "x", "yesterday")), http.StatusBadRequest)

	r = e.call("POST", "/crm/v3/objects/notes", noteInput("987654", "x", ts))
	e.mustStatus(r, http.StatusBadRequest)
	if m := r.JSON(t); m["category"] != "VALIDATION_ERROR" || !strings.Contains(m["message"].(string), "987654") {
		t.Errorf("unknown contact: %v", m)
	}
	bad := noteInput(contact, "x", ts)
	bad["associations"].([]any)[0].(map[string]any)["types"] = []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}
	e.mustStatus(e.call("POST", "/crm/v3/objects/notes", bad), http.StatusBadRequest)
}

func TestNoteBatchCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	contact := e.createContact(map[string]string{"email": "b@example.com"})
	withTrace := func(in map[string]any, id string) map[string]any { in["objectWriteTraceId"] = id; return in }

	r := e.call("POST", "/crm/v3/objects/notes/batch/create", map[string]any{"inputs": []any{
		withTrace(noteInput(contact, "one", "1700000000000"), "m-1"),
		withTrace(noteInput(contact, "two", "1700000001000"), "m-2"),
	}})
	e.mustStatus(r, http.StatusCreated)

	r = e.call("POST", "/crm/v3/objects/notes/batch/create", map[string]any{"inputs": []any{
		withTrace(noteInput(contact, "three", "1700000002000"), "m-3"),
		withTrace(noteInput(contact, strings.Repeat("x", 70000), "1700000003000"), "m-4"),
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	var got batchBody
	r.Into(t, &got)
	if len(got.Results) != 1 || len(got.Errors) != 1 {
		t.Fatalf("207 = %+v", got)
	}
	if diff := cmp.Diff(map[string]any{"objectWriteTraceId": []any{"m-4"}}, got.Errors[0]["context"]); diff != "" {
		t.Errorf("error context (-want +got):\n%s", diff)
	}
	if n := len(e.ts.Notes(e.portal, contact)); n != 3 {
		t.Errorf("stored %d notes, want 3", n)
	}

	inputs := make([]any, 101)
	for i := range inputs {
		inputs[i] = noteInput(contact, "x", "1700000000000")
	}
	e.mustStatus(e.call("POST", "/crm/v3/objects/notes/batch/create", map[string]any{"inputs": inputs}), http.StatusBadRequest)
}

func TestOwners(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	created := time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 3 {
		ids = append(ids, e.ts.SeedOwner(e.portal, hubspotsim.Owner{
			Email: fmt.Sprintf("owner%d@example.com", i), FirstName: fmt.Sprint("Owner", i), LastName: "Test", CreatedAt: created,
		}))
	}
	gone := e.ts.SeedOwner(e.portal, hubspotsim.Owner{ID: "777", Email: "gone@example.com", Deactivated: true})

	r := e.call("GET", "/crm/v3/owners/"+ids[0], nil)
	e.mustStatus(r, http.StatusOK)
	m := r.JSON(t)
	uid := m["userId"]
	want := map[string]any{"id": ids[0], "email": "owner0@example.com", "type": "PERSON", "firstName": "Owner0", "lastName": "Test",
		"userId": uid, "userIdIncludingInactive": uid, "createdAt": "2020-01-06T00:00:00.000Z", "updatedAt": "2020-01-06T00:00:00.000Z", "archived": false}
	if diff := cmp.Diff(want, m); diff != "" || uid == nil {
		t.Errorf("owner (-want +got):\n%s", diff)
	}
	e.mustStatus(e.call("GET", "/crm/v3/owners/999", nil), http.StatusNotFound)
	e.mustStatus(e.call("GET", "/crm/v3/owners/"+gone, nil), http.StatusNotFound)
	r = e.call("GET", "/crm/v3/owners/"+gone+"?archived=true", nil)
	e.mustStatus(r, http.StatusOK)
	if r.JSON(t)["userId"] != nil {
		t.Errorf("deactivated owner has a userId: %s", r.Raw)
	}

	listIDs := func(path string) ([]string, string) {
		r := e.call("GET", path, nil)
		e.mustStatus(r, http.StatusOK)
		var page struct {
			Results []struct{ ID string } `json:"results"`
			Paging  *struct {
				Next struct{ After string } `json:"next"`
			} `json:"paging"`
		}
		r.Into(t, &page)
		var out []string
		for _, o := range page.Results {
			out = append(out, o.ID)
		}
		if page.Paging == nil {
			return out, ""
		}
		return out, page.Paging.Next.After
	}
	got, after := listIDs("/crm/v3/owners?limit=2")
	if !cmp.Equal(ids[:2], got) || after == "" {
		t.Fatalf("page 1: %v after %q", got, after)
	}
	got, after = listIDs("/crm/v3/owners/?limit=2&after=" + after)
	if !cmp.Equal(ids[2:], got) || after != "" {
		t.Errorf("page 2: %v after %q", got, after)
	}
	if got, _ := listIDs("/crm/v3/owners?email=OWNER1@example.com"); !cmp.Equal([]string{ids[1]}, got) {
		t.Errorf("by email: %v", got)
	}
}
