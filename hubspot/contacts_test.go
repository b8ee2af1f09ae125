package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const contactJSON = `{
  "id": "501",
  "properties": {
    "createdate": "2024-01-17T19:55:04.281Z",
    "email": "bh@hubspot.com",
    "firstname": "Brian",
    "hs_object_id": "501",
    "lastmodifieddate": "2024-01-18T10:00:00.000Z",
    "lastname": null
  },
  "createdAt": "2024-01-17T19:55:04.281Z",
  "updatedAt": "2024-01-18T10:00:00.000Z",
  "archived": false
}`

func wantContact(t *testing.T) *Contact {
	return &Contact{
		ID: "501",
		Properties: map[string]*string{
			"createdate":       ptr("2024-01-17T19:55:04.281Z"),
			"email":            ptr("bh@hubspot.com"),
			"firstname":        ptr("Brian"),
			"hs_object_id":     ptr("501"),
			"lastmodifieddate": ptr("2024-01-18T10:00:00.000Z"),
			"lastname":         nil,
		},
		CreatedAt: mustTime(t, "2024-01-17T19:55:04.281Z"),
		UpdatedAt: mustTime(t, "2024-01-18T10:00:00.000Z"),
	}
}

func TestContactsGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/501", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testQuery(t, r, map[string]string{"properties": "email,firstname,lastname"})
		writeJSON(w, 200, contactJSON)
	})
	got, _, err := client.Contacts.Get(context.Background(), "501", []string{"email", "firstname", "lastname"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantContact(t), got); diff != "" {
		t.Errorf("contact (-want +got):\n%s", diff)
	}
	if got.Prop("firstname") != "Brian" || got.Prop("lastname") != "" || got.Prop("phone") != "" {
		t.Errorf("Prop helpers wrong")
	}
	if _, ok := got.Lookup("lastname"); ok {
		t.Error("null property reported as set")
	}
}

func TestContactsGetByEmail(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		if r.URL.Path != "/crm/objects/2026-03/contacts/bh+test@hubspot.com" {
			t.Errorf("path = %q", r.URL.Path)
		}
		testQuery(t, r, map[string]string{"idProperty": "email"})
		writeJSON(w, 200, contactJSON)
	})
	got, _, err := client.Contacts.GetByEmail(context.Background(), "bh+test@hubspot.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "501" {
		t.Errorf("ID = %q", got.ID)
	}
}

func TestContactsGetNotFound(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/9", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"status":"error","message":"resource not found","correlationId":"c-1","category":"OBJECT_NOT_FOUND"}`)
	})
	_, resp, err := client.Contacts.Get(context.Background(), "9", nil)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	if resp.StatusCode != 404 || len(fs.Waits()) != 0 {
		t.Errorf("status %d, waits %v", resp.StatusCode, fs.Waits())
	}
	if want := "hubspot: get contact: 404 OBJECT_NOT_FOUND: resource not found (correlation id c-1)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestContactsCreate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testQuery(t, r, nil)
		testJSONBody(t, r, `{"properties":{"email":"bh@hubspot.com","firstname":"Brian"},"associations":[]}`)
		writeJSON(w, 201, contactJSON)
	})
	got, resp, err := client.Contacts.Create(context.Background(), map[string]string{"email": "bh@hubspot.com", "firstname": "Brian"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || got.ID != "501" {
		t.Errorf("status %d id %q", resp.StatusCode, got.ID)
	}
}

func TestContactsCreateConflict(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 409, `{"status":"error","message":"Contact already exists. Existing ID: 12345","correlationId":"c-2","category":"CONFLICT"}`)
	})
	_, _, err := client.Contacts.Create(context.Background(), map[string]string{"email": "bh@hubspot.com"})
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConflictError", err)
	}
	if ce.ExistingID != "12345" || ce.Category != CategoryConflict || ce.CorrelationID != "c-2" {
		t.Errorf("got %+v", ce)
	}
	var er *ErrorResponse
	if !errors.As(err, &er) || !errors.Is(err, ErrConflict) {
		t.Error("ConflictError does not expose *ErrorResponse / ErrConflict")
	}
	if len(fs.Waits()) != 0 {
		t.Error("409 was retried")
	}
}

func TestContactsUpdate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/501", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "PATCH")
		testJSONBody(t, r, `{"properties":{"lifecyclestage":"lead","phone":""}}`)
		writeJSON(w, 200, contactJSON)
	})
	if _, _, err := client.Contacts.Update(context.Background(), "501", map[string]string{"lifecyclestage": "lead", "phone": ""}); err != nil {
		t.Fatal(err)
	}
}

func TestContactsSearch(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{
		  "filterGroups":[
		    {"filters":[{"propertyName":"phone","operator":"EQ","value":"+447911123456"}]},
		    {"filters":[{"propertyName":"hs_searchable_calculated_phone_number","operator":"EQ","value":"7911123456"}]}
		  ],
		  "sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],
		  "properties":["firstname","lastname","email"],
		  "limit":5,
		  "after":"0"
		}`)
		writeJSON(w, 200, `{"total":2,"results":[`+contactJSON+`],"paging":{"next":{"after":"1","link":"?after=1"}}}`)
	})
	sr := NewSearch().
		Where("phone", OpEQ, "+447911123456").
		Or().Where("hs_searchable_calculated_phone_number", OpEQ, "7911123456").
		Sort("createdate", Ascending).
		Properties("firstname", "lastname", "email").
		Limit(5).
		Request()
	got, _, err := client.Contacts.Search(context.Background(), sr)
	if err != nil {
		t.Fatal(err)
	}
	want := &SearchResult[*Contact]{Total: 2, Results: []*Contact{wantContact(t)}, Paging: &Paging{Next: &NextPage{After: "1", Link: "?after=1"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if got.NextAfter() != "1" {
		t.Errorf("NextAfter = %q", got.NextAfter())
	}
}

func TestContactsSearchInvalidIsNotSent(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
		t.Error("invalid search was sent")
	})
	b := NewSearch()
	for i := range 6 {
		b.Or().Where("email", OpEQ, fmt.Sprint(i))
	}
	if _, _, err := client.Contacts.Search(context.Background(), b.Request()); err == nil {
		t.Fatal("want error for 6 filter groups")
	}
}

func TestSearchBuilder(t *testing.T) {
	t.Parallel()
	got := NewSearch().
		Or(). // no-op on an empty group
		Where("email", OpEQ, "a@b.com").
		Filter(Filter{PropertyName: "lifecyclestage", Operator: OpIn, Values: []string{"lead", "customer"}}).
		Or().Filter(Filter{PropertyName: "createdate", Operator: OpBetween, Value: "1", HighValue: "2"}).
		Filter(Filter{PropertyName: "firstname", Operator: OpContainsToken, Value: "bri*"}).
		Or(). // trailing empty group dropped
		Request()
	want := &SearchRequest{
		FilterGroups: []FilterGroup{
			{Filters: []Filter{
				{PropertyName: "email", Operator: OpEQ, Value: "a@b.com"},
				{PropertyName: "lifecyclestage", Operator: OpIn, Values: []string{"lead", "customer"}},
			}},
			{Filters: []Filter{
				{PropertyName: "createdate", Operator: OpBetween, Value: "1", HighValue: "2"},
				{PropertyName: "firstname", Operator: OpContainsToken, Value: "bri*"},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestSearchRequestValidate(t *testing.T) {
	t.Parallel()
	filters := func(n int) []Filter {
		fs := make([]Filter, n)
		for i := range fs {
			fs[i] = Filter{PropertyName: "email", Operator: OpEQ, Value: "x"}
		}
		return fs
	}
	groups := func(n, per int) []FilterGroup {
		gs := make([]FilterGroup, n)
		for i := range gs {
			gs[i] = FilterGroup{Filters: filters(per)}
		}
		return gs
	}
	tests := []struct {
		name string
		req  SearchRequest
		ok   bool
	}{
		{"empty", SearchRequest{}, true},
		{"5 groups of 3", SearchRequest{FilterGroups: groups(5, 3)}, true},
		{"6 groups", SearchRequest{FilterGroups: groups(6, 1)}, false},
		{"7 filters in a group", SearchRequest{FilterGroups: groups(1, 7)}, false},
		{"19 filters", SearchRequest{FilterGroups: append(groups(3, 6), FilterGroup{Filters: filters(1)})}, false},
		{"limit 200", SearchRequest{Limit: 200}, true},
		{"limit 201", SearchRequest{Limit: 201}, false},
		{"two sorts", SearchRequest{Sorts: []Sort{{"a", Ascending}, {"b", Ascending}}}, false},
		{"filter without operator", SearchRequest{FilterGroups: []FilterGroup{{Filters: []Filter{{PropertyName: "a"}}}}}, false},
		{"body over 3000 chars", SearchRequest{Query: strings.Repeat("é", 3000)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.req.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestContactsBatchReadByEmail(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/batch/read", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{"idProperty":"email","properties":["firstname","email"],"propertiesWithHistory":[],
			"inputs":[{"id":"bh@hubspot.com"},{"id":"nobody@example.com"}]}`)
		writeJSON(w, 207, `{
		  "status":"COMPLETE",
		  "results":[`+contactJSON+`],
		  "numErrors":1,
		  "errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.","context":{"ids":["nobody@example.com"]}}],
		  "startedAt":"2024-01-18T10:00:00.000Z","completedAt":"2024-01-18T10:00:00.100Z"
		}`)
	})
	got, resp, err := client.Contacts.BatchReadByEmail(context.Background(),
		[]string{"bh@hubspot.com", "nobody@example.com", "BH@hubspot.com"}, []string{"firstname"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 207 || len(got.Results) != 1 || got.Results[0].ID != "501" || got.NumErrors != 1 {
		t.Errorf("got %+v", got)
	}
	if diff := cmp.Diff([]string{"nobody@example.com"}, got.NotFoundIDs()); diff != "" {
		t.Error(diff)
	}
	if !got.CompletedAt.Equal(mustTime(t, "2024-01-18T10:00:00.100Z")) {
		t.Errorf("CompletedAt = %v", got.CompletedAt)
	}
}

func TestContactsBatchReadByEmail200(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/batch/read", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"idProperty":"email","properties":[],"propertiesWithHistory":[],"inputs":[{"id":"bh@hubspot.com"}]}`)
		writeJSON(w, 200, `{"status":"COMPLETE","results":[`+contactJSON+`],"startedAt":"2024-01-18T10:00:00Z","completedAt":"2024-01-18T10:00:01Z"}`)
	})
	got, _, err := client.Contacts.BatchReadByEmail(context.Background(), []string{"bh@hubspot.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != 1 || len(got.Errors) != 0 {
		t.Errorf("got %+v", got)
	}
}

func TestContactsBatchLimits(t *testing.T) {
	t.Parallel()
	client := mustNewClient(t, nil, WithBaseURL("http://127.0.0.1:1/")) // never reached
	ctx := context.Background()
	emails := make([]string, 101)
	creates := make([]ContactInput, 101)
	upserts := make([]UpsertInput, 101)
	for i := range emails {
		emails[i] = fmt.Sprintf("c%d@example.com", i)
		upserts[i] = UpsertInput{ID: emails[i], IDProperty: "email"}
	}
	if _, _, err := client.Contacts.BatchReadByEmail(ctx, emails, nil); err == nil {
		t.Error("batch read of 101 accepted")
	}
	if _, _, err := client.Contacts.BatchCreate(ctx, creates); err == nil {
		t.Error("batch create of 101 accepted")
	}
	if _, _, err := client.Contacts.BatchUpsert(ctx, upserts); err == nil {
		t.Error("batch upsert of 101 accepted")
	}
	if res, resp, err := client.Contacts.BatchReadByEmail(ctx, nil, nil); err != nil || resp != nil || len(res.Results) != 0 {
		t.Errorf("empty batch read: %v %v %v", res, resp, err)
	}
}

func TestContactsBatchCreate(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/batch/create", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{"inputs":[{"properties":{"email":"a@example.com"},"associations":[],"objectWriteTraceId":"t1"},{"properties":{},"associations":[]}]}`)
		writeJSON(w, 201, `{"status":"COMPLETE","results":[`+contactJSON+`,`+contactJSON+`],"startedAt":"2024-01-18T10:00:00Z","completedAt":"2024-01-18T10:00:01Z"}`)
	})
	inputs := []ContactInput{{Properties: map[string]string{"email": "a@example.com"}, ObjectWriteTraceID: "t1"}, {}}
	got, resp, err := client.Contacts.BatchCreate(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || len(got.Results) != 2 || len(fs.Waits()) != 0 {
		t.Errorf("got %+v", got)
	}
	if inputs[1].Properties != nil {
		t.Error("caller's inputs modified")
	}
}

func TestContactsBatchUpsert(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/batch/upsert", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{"inputs":[{"id":"bh@hubspot.com","idProperty":"email","properties":{"firstname":"Brian"}}]}`)
		writeJSON(w, 200, `{"status":"COMPLETE","results":[{"id":"501","properties":{"firstname":"Brian"},"createdAt":"2024-01-17T19:55:04.281Z","updatedAt":"2024-01-18T10:00:00.000Z","archived":false,"new":false}],"startedAt":"2024-01-18T10:00:00Z","completedAt":"2024-01-18T10:00:01Z"}`)
	})
	got, _, err := client.Contacts.BatchUpsert(context.Background(), []UpsertInput{{ID: "bh@hubspot.com", IDProperty: "email", Properties: map[string]string{"firstname": "Brian"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != 1 || got.Results[0].ID != "501" || got.Results[0].New || got.Results[0].Prop("firstname") != "Brian" {
		t.Errorf("got %+v", got.Results[0])
	}
}

func TestContactsMerge(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/contacts/merge", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testQuery(t, r, nil)
		testJSONBody(t, r, `{"primaryObjectId":"501","objectIdToMerge":"502"}`)
		writeJSON(w, 200, `{"id":"777","properties":{"hs_merged_object_ids":"501;502"},"createdAt":"2024-01-17T19:55:04.281Z","updatedAt":"2024-01-18T10:00:00.000Z","archived":false}`)
	})
	got, _, err := client.Contacts.Merge(context.Background(), "501", "502")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "777" {
		t.Errorf("id = %q", got.ID)
	}
	if diff := cmp.Diff([]string{"501", "502"}, got.MergedIDs()); diff != "" {
		t.Errorf("MergedIDs (-want +got):\n%s", diff)
	}
	if _, _, err := client.Contacts.Merge(context.Background(), "501", ""); err == nil {
		t.Error("merge with an empty id succeeded")
	}
}

func TestContactsMergeNotResentAfter500(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	calls := 0
	mux.HandleFunc("/crm/objects/2026-03/contacts/merge", func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeJSON(w, 500, `{"status":"error","message":"internal error","category":"INTERNAL_ERROR"}`)
	})
	if _, _, err := client.Contacts.Merge(context.Background(), "501", "502"); err == nil {
		t.Fatal("want an error")
	}
	if calls != 1 {
		t.Errorf("merge sent %d times, want 1 (not idempotent)", calls)
	}
}

// HubSpot's schema requires filterGroups, sorts, properties, limit and after on every search; a plain
// full-text query and an empty request must still send all of them.
func TestContactsSearchAlwaysSendsTheCompleteBody(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		req  *SearchRequest
		want string
	}{
		"query":            {&SearchRequest{Query: "bob <b@x.co>"}, `{"filterGroups":[],"sorts":[],"query":"bob <b@x.co>","properties":[],"limit":10,"after":"0"}`},
		"empty":            {&SearchRequest{}, `{"filterGroups":[],"sorts":[],"properties":[],"limit":10,"after":"0"}`},
		"second page":      {&SearchRequest{Query: "bob", Limit: 5, After: "5"}, `{"filterGroups":[],"sorts":[],"query":"bob","properties":[],"limit":5,"after":"5"}`},
		"group no filters": {&SearchRequest{FilterGroups: []FilterGroup{{}}}, `{"filterGroups":[{"filters":[]}],"sorts":[],"properties":[],"limit":10,"after":"0"}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
				testJSONBody(t, r, tc.want)
				writeJSON(w, 200, `{"total":0,"results":[]}`)
			})
			if _, _, err := client.Contacts.Search(context.Background(), tc.req); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSearchRequestMarshalLeavesTheRequestAlone(t *testing.T) {
	t.Parallel()
	req := &SearchRequest{FilterGroups: []FilterGroup{{}}}
	if _, err := json.Marshal(req); err != nil {
		t.Fatal(err)
	}
	if req.FilterGroups[0].Filters != nil || req.Sorts != nil || req.Limit != 0 || req.After != "" {
		t.Errorf("marshal modified the request: %+v", req)
	}
}
