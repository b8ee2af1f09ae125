package hubspotsim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// TestDatedPathsBehaveAsV3 walks every date-based path the simulator serves, in both versions, through the
// same outcomes the v3 paths give.
func TestDatedPathsBehaveAsV3(t *testing.T) {
	t.Parallel()
	for _, v := range hubspotsim.DatedVersions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			owner := e.ts.SeedOwner(e.portal, hubspotsim.Owner{Email: "o@example.com", FirstName: "Olivia", LastName: "Owens"})
			obj := "/crm/objects/" + v

			r := e.call("POST", obj+"/contacts", map[string]any{"properties": map[string]string{
				"email": "ada@example.com", "firstname": "Ada", "company": "Analytical"}, "associations": []any{}})
			e.mustStatus(r, http.StatusCreated)
			ada := r.JSON(t)["id"].(string)
			// Conflicts, validation and not-found answer as in v3.
			r = e.call("POST", obj+"/contacts", map[string]any{"properties": map[string]string{"email": "ADA@example.com", "company": "x"}})
			e.mustStatus(r, http.StatusConflict)
			if m := r.JSON(t); m["message"] != "Contact already exists. Existing ID: "+ada {
				t.Errorf("conflict = %v", m)
			}
			e.mustStatus(e.call("POST", obj+"/contacts", map[string]any{"properties": map[string]string{"email": "nope", "company": "x"}}), http.StatusBadRequest)
			e.mustStatus(e.call("GET", obj+"/contacts/999999", nil), http.StatusNotFound)

			// The type ID and the singular name address the same object.
			for _, path := range []string{obj + "/contacts/" + ada, obj + "/0-1/" + ada, obj + "/contact/ada@example.com?idProperty=email"} {
				r = e.call("GET", path, nil)
				e.mustStatus(r, http.StatusOK)
				if r.JSON(t)["id"] != ada {
					t.Errorf("GET %s = %s", path, r.Raw)
				}
			}
			r = e.call("PATCH", obj+"/contacts/"+ada, map[string]any{"properties": map[string]string{"lastname": "Lovelace", "company": "Analytical"}})
			e.mustStatus(r, http.StatusOK)
			r = e.call("GET", obj+"/contacts?limit=1", nil)
			e.mustStatus(r, http.StatusOK)
			if res := r.JSON(t)["results"].([]any); len(res) != 1 {
				t.Errorf("list = %s", r.Raw)
			}

			r = e.call("POST", obj+"/contacts/search", eqFilter("lastname", "lovelace"))
			e.mustStatus(r, http.StatusOK)
			if m := r.JSON(t); m["total"] != 1.0 {
				t.Errorf("search = %s", r.Raw)
			}

			// Batches: 207s name the failed inputs by objectWriteTraceId, which the results echo.
			r = e.call("POST", obj+"/contacts/batch/create", map[string]any{"inputs": []any{
				map[string]any{"properties": map[string]string{"email": "b@example.com", "company": "x"}, "objectWriteTraceId": "t1"},
				map[string]any{"properties": map[string]string{"email": "ada@example.com", "company": "x"}, "objectWriteTraceId": "t2"},
			}})
			e.mustStatus(r, http.StatusMultiStatus)
			var batch struct {
				Results []struct {
					ID      string `json:"id"`
					TraceID string `json:"objectWriteTraceId"`
				} `json:"results"`
				Errors []struct {
					Category string              `json:"category"`
					Context  map[string][]string `json:"context"`
				} `json:"errors"`
			}
			r.Into(t, &batch)
			if len(batch.Results) != 1 || batch.Results[0].TraceID != "t1" || len(batch.Errors) != 1 ||
				batch.Errors[0].Category != "CONFLICT" || batch.Errors[0].Context["objectWriteTraceId"][0] != "t2" {
				t.Errorf("batch create = %s", r.Raw)
			}
			b := batch.Results[0].ID
			r = e.call("POST", obj+"/contacts/batch/read", map[string]any{"inputs": []any{map[string]string{"id": ada}, map[string]string{"id": "424242"}}})
			e.mustStatus(r, http.StatusMultiStatus)
			r = e.call("POST", obj+"/contacts/batch/upsert", map[string]any{"inputs": []any{
				map[string]any{"id": "c@example.com", "idProperty": "email", "properties": map[string]string{"firstname": "C", "company": "x"}},
			}})
			e.mustStatus(r, http.StatusOK)

			// Notes: create, read, patch, batch read of bodies, search, delete.
			in := noteInput(ada, "<p>Hi</p>", "2025-03-10T11:00:00Z")
			in["properties"].(map[string]string)["hubspot_owner_id"] = owner
			r = e.call("POST", obj+"/notes", in)
			e.mustStatus(r, http.StatusCreated)
			note := r.JSON(t)["id"].(string)
			e.mustStatus(e.call("GET", obj+"/notes/"+note, nil), http.StatusOK)
			e.mustStatus(e.call("PATCH", obj+"/notes/"+note, map[string]any{"properties": map[string]string{"hs_note_body": "<p>Hello</p>"}}), http.StatusOK)
			r = e.call("POST", obj+"/notes/batch/read", map[string]any{"properties": []string{"hs_note_body"}, "inputs": []any{map[string]string{"id": note}}})
			e.mustStatus(r, http.StatusOK)
			if got := r.JSON(t)["results"].([]any)[0].(map[string]any)["properties"].(map[string]any)["hs_note_body"]; got != "<p>Hello</p>" {
				t.Errorf("note batch read body = %v", got)
			}
			r = e.call("POST", obj+"/notes/batch/create", map[string]any{"inputs": []any{noteInput(ada, "two", "2025-03-10T11:30:00Z")}})
			e.mustStatus(r, http.StatusCreated)
			r = e.call("POST", obj+"/notes/search", one(filter("associations.contact", "EQ", ada)))
			e.mustStatus(r, http.StatusOK)
			if r.JSON(t)["total"] != 2.0 {
				t.Errorf("note search = %s", r.Raw)
			}
			r = e.call("GET", obj+"/notes?limit=1&properties=hs_note_body", nil)
			e.mustStatus(r, http.StatusOK)
			if m := r.JSON(t); len(m["results"].([]any)) != 1 || m["paging"] == nil {
				t.Errorf("note list = %s", r.Raw)
			}
			e.mustStatus(e.call("DELETE", obj+"/notes/"+note, nil), http.StatusNoContent)

			// Merge and GDPR delete.
			r = e.call("POST", obj+"/contacts/merge", map[string]string{"primaryObjectId": ada, "objectIdToMerge": b})
			e.mustStatus(r, http.StatusOK)
			merged := r.JSON(t)["id"].(string)
			e.mustStatus(e.call("POST", obj+"/contacts/gdpr-delete", map[string]string{"objectId": merged}), http.StatusNoContent)
			e.mustStatus(e.call("GET", obj+"/contacts/"+ada, nil), http.StatusNotFound)

			// Owners, properties, account.
			r = e.call("GET", "/crm/owners/"+v+"?email=o@example.com", nil)
			e.mustStatus(r, http.StatusOK)
			if res := r.JSON(t)["results"].([]any); len(res) != 1 {
				t.Errorf("owners = %s", r.Raw)
			}
			e.mustStatus(e.call("GET", "/crm/owners/"+v+"/"+owner, nil), http.StatusOK)
			r = e.call("GET", "/crm/properties/"+v+"/contacts/lifecyclestage", nil)
			e.mustStatus(r, http.StatusOK)
			if r.JSON(t)["name"] != "lifecyclestage" {
				t.Errorf("property = %s", r.Raw)
			}
			r = e.call("GET", "/account-info/"+v+"/details", nil)
			e.mustStatus(r, http.StatusOK)
			if r.JSON(t)["portalId"] != float64(e.portal) {
				t.Errorf("account = %s", r.Raw)
			}

			// Every one of these was logged with its version, none as legacy.
			for _, l := range e.ts.Requests() {
				if l.Legacy || l.Version != v {
					t.Errorf("logged %s %s as version %q legacy %v", l.Method, l.Path, l.Version, l.Legacy)
				}
			}
		})
	}
}

func TestDatedPathsRefuseUnknownVersionsAndTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/crm/objects/2025-01/contacts", "/crm/objects/2026-04/contacts/1", "/crm/owners/2025-09", "/account-info/2026-06/details"} {
		r := e.call("GET", path, nil)
		e.mustStatus(r, http.StatusNotFound)
		if m := r.JSON(t); m["status"] != "error" || m["category"] != "OBJECT_NOT_FOUND" {
			t.Errorf("GET %s = %s", path, r.Raw)
		}
	}
	r := e.call("POST", "/crm/objects/2026-03/widgets", map[string]any{"properties": map[string]string{}})
	e.mustStatus(r, http.StatusBadRequest)
	if m := r.JSON(t); m["message"] != "Unable to infer object type from: widgets" {
		t.Errorf("unknown type = %s", r.Raw)
	}
	// Notes cannot be merged; an object type the simulator has no records of is an unknown path.
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/notes/merge", map[string]string{}), http.StatusNotFound)
	e.mustStatus(e.call("GET", "/crm/objects/2026-03/companies/1", nil), http.StatusNotFound)
}

func TestAssociationsAreStronglyConsistentAndPaged(t *testing.T) {
	t.Parallel()
	// Search lags an hour behind writes; associations do not.
	e := newEnv(t, func(o *hubspotsim.Options) { o.IndexDelay = time.Hour })
	ada := e.createContact(map[string]string{"email": "ada@example.com"})
	var notes []string
	for i := range 3 {
		r := e.call("POST", "/crm/objects/2026-03/notes", noteInput(ada, "n", "2025-03-10T1"+string(rune('0'+i))+":00:00Z"))
		e.mustStatus(r, http.StatusCreated)
		notes = append(notes, r.JSON(t)["id"].(string))
	}
	r := e.call("POST", "/crm/objects/2026-03/notes/search", one(filter("associations.contact", "EQ", ada)))
	e.mustStatus(r, http.StatusOK)
	if r.JSON(t)["total"] != 0.0 {
		t.Fatalf("search saw the notes before the index delay: %s", r.Raw)
	}

	type page struct {
		Results []struct {
			ToObjectID       string `json:"toObjectId"`
			AssociationTypes []struct {
				Category string  `json:"category"`
				TypeID   int     `json:"typeId"`
				Label    *string `json:"label"`
			} `json:"associationTypes"`
		} `json:"results"`
		Paging *struct {
			Next struct {
				After string `json:"after"`
				Link  string `json:"link"`
			} `json:"next"`
		} `json:"paging"`
	}
	var got []string
	path := "/crm/objects/2026-09/contacts/" + ada + "/associations/notes?limit=2"
	for range 3 {
		r := e.call("GET", path, nil)
		e.mustStatus(r, http.StatusOK)
		var p page
		r.Into(t, &p)
		for _, res := range p.Results {
			if len(res.AssociationTypes) != 1 || res.AssociationTypes[0].Category != "HUBSPOT_DEFINED" || res.AssociationTypes[0].TypeID != 201 {
				t.Errorf("association types = %s", r.Raw)
			}
			got = append(got, res.ToObjectID)
		}
		if p.Paging == nil {
			break
		}
		path = strings.TrimPrefix(p.Paging.Next.Link, e.ts.URL())
	}
	if diff := cmp.Diff(notes, got); diff != "" {
		t.Errorf("associated notes (-want +got):\n%s", diff)
	}

	// The note's side, a merged-away ID (notes move to the merged record), and an ID with no record.
	r = e.call("GET", "/crm/objects/2026-03/notes/"+notes[0]+"/associations/contacts", nil)
	e.mustStatus(r, http.StatusOK)
	var back page
	r.Into(t, &back)
	if len(back.Results) != 1 || back.Results[0].ToObjectID != ada || back.Results[0].AssociationTypes[0].TypeID != 202 {
		t.Errorf("note's contacts = %s", r.Raw)
	}
	other := e.createContact(map[string]string{"email": "other@example.com"})
	merged, ok := e.ts.MergeContacts(e.portal, other, ada)
	if !ok {
		t.Fatal("merge failed")
	}
	for _, id := range []string{ada, merged.ID} {
		r = e.call("GET", "/crm/objects/2026-03/0-1/"+id+"/associations/0-46", nil)
		e.mustStatus(r, http.StatusOK)
		var p page
		r.Into(t, &p)
		if len(p.Results) != 3 {
			t.Errorf("notes of %s after merge = %s", id, r.Raw)
		}
	}
	r = e.call("GET", "/crm/objects/2026-03/contacts/777/associations/notes", nil)
	e.mustStatus(r, http.StatusOK)
	if string(r.Raw) != "{\"results\":[]}\n" {
		t.Errorf("unknown contact = %s", r.Raw)
	}
	e.mustStatus(e.call("GET", "/crm/objects/2026-03/contacts/"+merged.ID+"/associations/gizmos", nil), http.StatusBadRequest)
	// The v4 path (legacy) answers the same.
	r = e.call("GET", "/crm/v4/objects/contacts/"+merged.ID+"/associations/notes", nil)
	e.mustStatus(r, http.StatusOK)
}

func TestLegacyAPIsSwitch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.LegacyAPIsOff = true })
	if e.ts.LegacyAPIs() {
		t.Fatal("LegacyAPIs() = true with LegacyAPIsOff")
	}
	for _, c := range []struct{ method, path, api string }{
		{"POST", "/crm/v3/objects/contacts/search", "crm-v3"},
		{"GET", "/crm/v3/owners", "crm-v3"},
		{"GET", "/crm/v4/objects/contacts/1/associations/notes", "crm-v4"},
		{"GET", "/account-info/v3/details", "account-info-v3"},
		{"POST", "/oauth/v1/token", "oauth-v1"},
		{"GET", "/oauth/v1/access-tokens/abc", "oauth-v1"},
		{"DELETE", "/oauth/v1/refresh-tokens/abc", "oauth-v1"},
		{"POST", "/oauth/v3/token", "oauth-v3"},
	} {
		r := e.call(c.method, c.path, map[string]any{})
		e.mustStatus(r, http.StatusGone)
		m := dropVolatile(r.JSON(t))
		if m["status"] != "error" || m["category"] != "API_RETIRED" || m["subCategory"] != c.api ||
			!strings.Contains(m["message"].(string), "retired") {
			t.Errorf("%s %s = %v", c.method, c.path, m)
		}
	}
	// The current paths and the consent page keep working.
	e.mustStatus(e.call("GET", "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	e.mustStatus(e.callAs("", "GET", "/oauth/authorize?"+authorizeQuery(productScope, "", "s"), nil), http.StatusOK)

	var legacy, current int
	for _, l := range e.ts.Requests() {
		switch {
		case l.Legacy && l.Status == http.StatusGone:
			legacy++
		case !l.Legacy:
			current++
		default:
			t.Errorf("legacy request served: %+v", l)
		}
	}
	if legacy != 8 || current != 2 {
		t.Errorf("request log: %d legacy, %d current; %+v", legacy, current, e.ts.Requests())
	}
	// The control API lists the legacy ones alone, for tests that assert none was made.
	r := e.callAs("", "GET", "/_sim/requests?legacy=true", nil)
	e.mustStatus(r, http.StatusOK)
	var logged []hubspotsim.RequestLog
	r.Into(t, &logged)
	if len(logged) != 8 || logged[0].Path != "/crm/v3/objects/contacts/search" || !logged[0].Legacy || logged[0].Version != "v3" {
		t.Errorf("GET /_sim/requests?legacy=true = %s", r.Raw)
	}

	// Turned back on at run time (and through the control API), the legacy paths answer again.
	e.ts.SetLegacyAPIs(true)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	r = e.callAs("", "PUT", "/_sim/legacy-apis", map[string]any{"enabled": false})
	e.mustStatus(r, http.StatusOK)
	if r.JSON(t)["enabled"] != false {
		t.Errorf("control answer = %s", r.Raw)
	}
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusGone)

	// By default both are served.
	d := newEnv(t)
	d.mustStatus(d.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	d.mustStatus(d.call("GET", "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	if l := d.ts.Requests()[0]; !l.Legacy || l.Version != "v3" {
		t.Errorf("v3 request logged as %+v", l)
	}
}

func TestAssociationsBatchRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.IndexDelay = time.Hour })
	ada := e.createContact(map[string]string{"email": "ada@example.com"})
	bob := e.createContact(map[string]string{"email": "bob@example.com"})
	r := e.call("POST", "/crm/objects/2026-09/notes", noteInput(ada, "n", "2025-03-10T10:00:00Z"))
	e.mustStatus(r, http.StatusCreated)
	note := r.JSON(t)["id"].(string)

	r = e.call("POST", "/crm/associations/2026-03/contacts/notes/batch/read", map[string]any{"inputs": []any{
		map[string]string{"id": ada}, map[string]string{"id": bob},
	}})
	e.mustStatus(r, http.StatusMultiStatus)
	var body struct {
		Status  string `json:"status"`
		Results []struct {
			From struct {
				ID string `json:"id"`
			} `json:"from"`
			To []struct {
				ToObjectID       string `json:"toObjectId"`
				AssociationTypes []struct {
					TypeID int `json:"typeId"`
				} `json:"associationTypes"`
			} `json:"to"`
		} `json:"results"`
		NumErrors int `json:"numErrors"`
		Errors    []struct {
			SubCategory string              `json:"subCategory"`
			Context     map[string][]string `json:"context"`
		} `json:"errors"`
	}
	r.Into(t, &body)
	if body.Status != "COMPLETE" || len(body.Results) != 1 || body.Results[0].From.ID != ada || len(body.Results[0].To) != 1 ||
		body.Results[0].To[0].ToObjectID != note || body.Results[0].To[0].AssociationTypes[0].TypeID != 201 {
		t.Errorf("results = %s", r.Raw)
	}
	if body.NumErrors != 1 || body.Errors[0].SubCategory != "crm.associations.NO_ASSOCIATIONS_FOUND" || body.Errors[0].Context["fromObjectId"][0] != bob {
		t.Errorf("errors = %s", r.Raw)
	}
	r = e.call("POST", "/crm/associations/2026-09/0-46/0-1/batch/read", map[string]any{"inputs": []any{map[string]string{"id": note}}})
	e.mustStatus(r, http.StatusOK)
	if !strings.Contains(string(r.Raw), `"toObjectId":"`+ada+`"`) {
		t.Errorf("note's contacts = %s", r.Raw)
	}
	e.mustStatus(e.call("POST", "/crm/associations/2026-03/contacts/gizmos/batch/read", map[string]any{"inputs": []any{}}), http.StatusBadRequest)
}
