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

func ptr(s string) *string { return &s }

type record struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  string             `json:"createdAt"`
	UpdatedAt  string             `json:"updatedAt"`
	Archived   bool               `json:"archived"`
}

func TestContactCreateGetPatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{
		"email": "zoe@example.com", "firstname": "Zoe", "phone": "+44 7911 123457",
	}})
	e.mustStatus(r, http.StatusCreated)
	var created record
	r.Into(t, &created)
	now := "2025-03-10T12:00:00.000Z"
	want := record{
		ID: created.ID,
		Properties: map[string]*string{
			"createdate": ptr(now), "email": ptr("zoe@example.com"), "firstname": ptr("Zoe"), "hs_object_id": ptr(created.ID),
			"lastmodifieddate": ptr(now), "lastname": nil, "phone": ptr("+44 7911 123457"),
		},
		CreatedAt: now, UpdatedAt: now,
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("create (-want +got):\n%s", diff)
	}

	// GET returns the default properties when none are asked.
	r = e.call("GET", "/crm/v3/objects/contacts/"+created.ID, nil)
	e.mustStatus(r, http.StatusOK)
	var got record
	r.Into(t, &got)
	delete(want.Properties, "phone")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("get (-want +got):\n%s", diff)
	}

	// Asked properties, including computed and unknown ones.
	r = e.call("GET", "/crm/v3/objects/contacts/"+created.ID+"?properties=phone,hs_searchable_calculated_phone_number&properties=nope", nil)
	got = record{}
	r.Into(t, &got)
	if diff := cmp.Diff(map[string]*string{"phone": ptr("+44 7911 123457"), "hs_searchable_calculated_phone_number": ptr("7911123457"), "nope": nil}, got.Properties); diff != "" {
		t.Errorf("properties param (-want +got):\n%s", diff)
	}

	e.clock.Advance(time.Minute)
	r = e.call("PATCH", "/crm/v3/objects/contacts/"+created.ID, map[string]any{"properties": map[string]any{"lastname": "Lane", "phone": ""}})
	e.mustStatus(r, http.StatusOK)
	got = record{}
	r.Into(t, &got)
	if got.UpdatedAt != "2025-03-10T12:01:00.000Z" || *got.Properties["lastname"] != "Lane" || *got.Properties["lastmodifieddate"] != "2025-03-10T12:01:00.000Z" {
		t.Errorf("patch = %+v", got)
	}
	c, ok := e.ts.Contact(e.portal, created.ID)
	if !ok || c.Properties["phone"] != "" || c.Properties["hs_searchable_calculated_phone_number"] != "" || c.Properties["lastname"] != "Lane" {
		t.Errorf("stored after patch = %+v", c)
	}
}

func TestContactConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.createContact(map[string]string{"email": "dup@example.com"})
	r := e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"email": "DUP@Example.com"}})
	e.mustStatus(r, http.StatusConflict)
	want := map[string]any{"status": "error", "message": "Contact already exists. Existing ID: " + id, "category": "CONFLICT"}
	if diff := cmp.Diff(want, dropVolatile(r.JSON(t))); diff != "" {
		t.Errorf("409 (-want +got):\n%s", diff)
	}
	other := e.createContact(map[string]string{"email": "other@example.com"})
	r = e.call("PATCH", "/crm/v3/objects/contacts/"+other, map[string]any{"properties": map[string]string{"email": "dup@example.com"}})
	e.mustStatus(r, http.StatusConflict)
}

func TestContactGetByEmailIsStronglyConsistent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.IndexDelay = 5 * time.Second })
	id := e.createContact(map[string]string{"email": "fresh@example.com", "firstname": "Fresh"})
	r := e.call("GET", "/crm/v3/objects/contacts/FRESH@example.com?idProperty=email&properties=firstname", nil)
	e.mustStatus(r, http.StatusOK)
	var got record
	r.Into(t, &got)
	if got.ID != id || *got.Properties["firstname"] != "Fresh" {
		t.Errorf("by email = %+v", got)
	}
	// Search does not see it yet.
	if ids, _ := e.search(eqFilter("email", "fresh@example.com")); len(ids) != 0 {
		t.Errorf("search saw the contact before the index delay: %v", ids)
	}
}

func TestContactNotFoundAndValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.call("GET", "/crm/v3/objects/contacts/999999", nil)
	e.mustStatus(r, http.StatusNotFound)
	want := map[string]any{"status": "error", "message": "resource not found", "category": "OBJECT_NOT_FOUND",
		"context": map[string]any{"id": []any{"999999"}}}
	if diff := cmp.Diff(want, dropVolatile(r.JSON(t))); diff != "" {
		t.Errorf("404 (-want +got):\n%s", diff)
	}
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/nobody@example.com?idProperty=email", nil), http.StatusNotFound)
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/contacts/999999", map[string]any{"properties": map[string]string{}}), http.StatusNotFound)

	r = e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"email": "not-an-email"}})
	e.mustStatus(r, http.StatusBadRequest)
	m := r.JSON(t)
	if m["category"] != "VALIDATION_ERROR" || !strings.HasPrefix(m["message"].(string), "Property values were not valid: ") ||
		!strings.Contains(m["message"].(string), `"error":"INVALID_EMAIL"`) {
		t.Errorf("invalid email: %v", m)
	}
	r = e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"hubspot_owner_id": "123"}})
	e.mustStatus(r, http.StatusBadRequest)
	r = e.call("POST", "/crm/v3/objects/contacts", `{"properties":`)
	e.mustStatus(r, http.StatusBadRequest)
}

func TestContactArchive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.createContact(map[string]string{"email": "gone@example.com"})
	e.mustStatus(e.call("DELETE", "/crm/v3/objects/contacts/"+id, nil), http.StatusNoContent)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+id, nil), http.StatusNotFound)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil), http.StatusOK)
	if ids, _ := e.search(eqFilter("email", "gone@example.com")); len(ids) != 0 {
		t.Errorf("archived contact found by search: %v", ids)
	}
	// The email is free again.
	e.createContact(map[string]string{"email": "gone@example.com"})
}

func TestContactList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var want []string
	for i := range 3 {
		want = append(want, e.createContact(map[string]string{"email": fmt.Sprintf("l%d@example.com", i)}))
	}
	r := e.call("GET", "/crm/v3/objects/contacts?limit=2", nil)
	e.mustStatus(r, http.StatusOK)
	var page struct {
		Results []record `json:"results"`
		Paging  struct {
			Next struct{ After, Link string } `json:"next"`
		} `json:"paging"`
	}
	r.Into(t, &page)
	if len(page.Results) != 2 || page.Paging.Next.After != want[2] || !strings.HasPrefix(page.Paging.Next.Link, e.ts.URL()) {
		t.Fatalf("page 1 = %+v", page)
	}
	r = e.call("GET", "/crm/v3/objects/contacts?limit=2&after="+page.Paging.Next.After, nil)
	page.Paging.Next.After = ""
	r.Into(t, &page)
	if len(page.Results) != 1 || page.Results[0].ID != want[2] || page.Paging.Next.After != "" {
		t.Errorf("page 2 = %+v", page)
	}
}

type batchBody struct {
	Status  string           `json:"status"`
	Results []map[string]any `json:"results"`
	Errors  []map[string]any `json:"errors"`
}

func TestContactBatchRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.IndexDelay = time.Hour })
	a := e.createContact(map[string]string{"email": "a@example.com", "firstname": "A"})
	b := e.createContact(map[string]string{"email": "b@example.com", "firstname": "B"})

	r := e.call("POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"idProperty": "email", "properties": []string{"firstname"}, "propertiesWithHistory": []string{},
		"inputs": []any{map[string]string{"id": "A@example.com"}, map[string]string{"id": "b@example.com"}},
	})
	e.mustStatus(r, http.StatusOK)
	var got batchBody
	r.Into(t, &got)
	if got.Status != "COMPLETE" || len(got.Results) != 2 || got.Results[0]["id"] != a || got.Results[1]["id"] != b {
		t.Errorf("batch read = %+v", got)
	}

	r = e.call("POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"inputs": []any{map[string]string{"id": a}, map[string]string{"id": "424242"}},
	})
	e.mustStatus(r, http.StatusMultiStatus)
	r.Into(t, &got)
	want := []map[string]any{{
		"status": "error", "category": "OBJECT_NOT_FOUND",
		"message": "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
		"context": map[string]any{"ids": []any{"424242"}},
		"errors":  []any{}, "links": map[string]any{},
	}}
	if diff := cmp.Diff(want, got.Errors); diff != "" || len(got.Results) != 1 {
		t.Errorf("207 errors (-want +got):\n%s", diff)
	}

	inputs := make([]any, 101)
	for i := range inputs {
		inputs[i] = map[string]string{"id": fmt.Sprint(i)}
	}
	r = e.call("POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"inputs": inputs})
	e.mustStatus(r, http.StatusBadRequest)
	if r.JSON(t)["category"] != "VALIDATION_ERROR" {
		t.Errorf("101 inputs: %s", r.Raw)
	}
}

func TestContactBatchCreateAndUpsert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	existing := e.createContact(map[string]string{"email": "taken@example.com"})
	r := e.call("POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "new1@example.com"}, "objectWriteTraceId": "t-1"},
		map[string]any{"properties": map[string]string{"email": "taken@example.com"}, "objectWriteTraceId": "t-2"},
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	var got batchBody
	r.Into(t, &got)
	wantErr := []map[string]any{{"status": "error", "category": "CONFLICT",
		"message": "Contact already exists. Existing ID: " + existing, "context": map[string]any{"objectWriteTraceId": []any{"t-2"}},
		"errors": []any{}, "links": map[string]any{}}}
	if diff := cmp.Diff(wantErr, got.Errors); diff != "" || len(got.Results) != 1 {
		t.Errorf("batch create 207 (-want +got):\n%s", diff)
	}
	r = e.call("POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "new2@example.com"}},
	}})
	e.mustStatus(r, http.StatusCreated)

	r = e.call("POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"idProperty": "email", "id": "taken@example.com", "properties": map[string]string{"firstname": "Tak"}},
		map[string]any{"idProperty": "email", "id": "brand@example.com", "properties": map[string]string{"firstname": "Brand"}},
	}})
	e.mustStatus(r, http.StatusOK)
	got = batchBody{}
	r.Into(t, &got)
	if len(got.Results) != 2 || got.Results[0]["id"] != existing || got.Results[0]["new"] != false || got.Results[1]["new"] != true {
		t.Fatalf("upsert = %+v", got)
	}
	c, _ := e.ts.Contact(e.portal, existing)
	if c.Properties["firstname"] != "Tak" {
		t.Errorf("upsert did not update: %+v", c)
	}
	brand := got.Results[1]["properties"].(map[string]any)
	if brand["email"] != "brand@example.com" || brand["firstname"] != "Brand" {
		t.Errorf("upsert created %v", brand)
	}
	r = e.call("POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"idProperty": "firstname", "id": "x", "properties": map[string]string{}},
	}})
	e.mustStatus(r, http.StatusBadRequest)
}

// The simulator takes both the complete bodies HubSpot's SDKs send (associations [], after "0", empty
// arrays) and the shorter ones HubSpot also accepts.
func TestCreateAndSearchAcceptBothForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"email": "full@x.test", "firstname": "Bob"}, "associations": []any{}})
	e.mustStatus(r, http.StatusCreated)
	full := r.JSON(t)["id"].(string)
	short := e.createContact(map[string]string{"email": "short@x.test", "firstname": "Bob"})
	r = e.call("POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "batch@x.test"}, "associations": []any{}},
	}})
	e.mustStatus(r, http.StatusCreated)
	r = e.call("POST", "/crm/v3/objects/notes", map[string]any{"properties": map[string]string{"hs_timestamp": "2024-01-01T00:00:00Z", "hs_note_body": "alone"}, "associations": []any{}})
	e.mustStatus(r, http.StatusCreated)

	complete, _ := e.search(map[string]any{"filterGroups": []any{}, "sorts": []any{}, "query": "bob", "properties": []any{}, "limit": 10, "after": "0"})
	minimal, _ := e.search(map[string]any{"query": "bob"})
	if want := []string{full, short}; !cmp.Equal(complete, want) || !cmp.Equal(minimal, want) {
		t.Errorf("complete form found %v, minimal form %v, want %v", complete, minimal, want)
	}
	paged, _ := e.search(map[string]any{"filterGroups": []any{}, "sorts": []any{}, "query": "bob", "properties": []any{}, "limit": 1, "after": "1"})
	if !cmp.Equal(paged, []string{short}) {
		t.Errorf("after \"1\" found %v, want [%s]", paged, short)
	}
}
