package hubspotsim_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

func filter(prop, op string, v ...string) map[string]any {
	f := map[string]any{"propertyName": prop, "operator": op}
	switch op {
	case "IN", "NOT_IN":
		f["values"] = v
	case "BETWEEN":
		f["value"], f["highValue"] = v[0], v[1]
	case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
	default:
		f["value"] = v[0]
	}
	return f
}

func groups(gs ...[]map[string]any) map[string]any {
	var out []any
	for _, g := range gs {
		out = append(out, map[string]any{"filters": g})
	}
	return map[string]any{"filterGroups": out}
}

func one(f map[string]any) map[string]any { return groups([]map[string]any{f}) }

func TestSearchOperators(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seed := func(created string, props map[string]string) string {
		ts, err := time.Parse(time.RFC3339, created)
		if err != nil {
			t.Fatal(err)
		}
		return e.ts.SeedContact(e.portal, props, ts)
	}
	ann := seed("2024-01-01T00:00:00Z", map[string]string{"firstname": "Ann", "lastname": "Lee", "email": "ann@alpha.com", "lifecyclestage": "lead", "numemployees": "10"})
	ben := seed("2024-02-01T00:00:00Z", map[string]string{"firstname": "Ben", "lastname": "Stone", "email": "ben@beta.org", "lifecyclestage": "customer", "numemployees": "25"})
	cara := seed("2024-03-01T00:00:00Z", map[string]string{"firstname": "Cara", "lastname": "Lee-Smith", "email": "cara@alpha.com", "numemployees": "5"})
	feb := strconv.FormatInt(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 10)

	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"EQ case-insensitive", one(filter("lastname", "EQ", "LEE")), []string{ann}},
		{"EQ email", one(filter("email", "EQ", "Ann@Alpha.com")), []string{ann}},
		{"EQ hs_object_id", one(filter("hs_object_id", "EQ", ben)), []string{ben}},
		{"EQ createdate epoch ms", one(filter("createdate", "EQ", feb)), []string{ben}},
		{"NEQ includes unset", one(filter("lifecyclestage", "NEQ", "lead")), []string{ben, cara}},
		{"LT numeric", one(filter("numemployees", "LT", "10")), []string{cara}},
		{"LTE numeric", one(filter("numemployees", "LTE", "10")), []string{ann, cara}},
		{"GT numeric", one(filter("numemployees", "GT", "10")), []string{ben}},
		{"GTE numeric", one(filter("numemployees", "GTE", "10")), []string{ann, ben}},
		{"BETWEEN numeric", one(filter("numemployees", "BETWEEN", "5", "10")), []string{ann, cara}},
		{"GTE createdate ISO", one(filter("createdate", "GTE", "2024-02-01")), []string{ben, cara}},
		{"LT createdate epoch", one(filter("createdate", "LT", feb)), []string{ann}},
		{"IN lowercase", one(filter("lifecyclestage", "IN", "lead", "customer")), []string{ann, ben}},
		{"IN needs lowercase values", one(filter("lifecyclestage", "IN", "LEAD")), nil},
		{"NOT_IN", one(filter("lifecyclestage", "NOT_IN", "lead")), []string{ben, cara}},
		{"HAS_PROPERTY", one(filter("lifecyclestage", "HAS_PROPERTY")), []string{ann, ben}},
		{"NOT_HAS_PROPERTY", one(filter("lifecyclestage", "NOT_HAS_PROPERTY")), []string{cara}},
		{"CONTAINS_TOKEN wildcard domain", one(filter("email", "CONTAINS_TOKEN", "*@alpha.com")), []string{ann, cara}},
		{"CONTAINS_TOKEN word", one(filter("lastname", "CONTAINS_TOKEN", "smith")), []string{cara}},
		{"CONTAINS_TOKEN prefix", one(filter("firstname", "CONTAINS_TOKEN", "an*")), []string{ann}},
		{"NOT_CONTAINS_TOKEN", one(filter("email", "NOT_CONTAINS_TOKEN", "*@alpha.com")), []string{ben}},
		{"groups are ORed", groups([]map[string]any{filter("email", "EQ", "ann@alpha.com")}, []map[string]any{filter("email", "EQ", "ben@beta.org")}), []string{ann, ben}},
		{"filters are ANDed", groups([]map[string]any{filter("lastname", "CONTAINS_TOKEN", "lee"), filter("numemployees", "GT", "6")}), []string{ann}},
		{"no filters: everything", map[string]any{}, []string{ann, ben, cara}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := e.search(tc.body)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchSortsPagingAndProperties(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i, n := range []string{"30", "10", "20"} {
		ids = append(ids, e.ts.SeedContact(e.portal, map[string]string{"email": fmt.Sprintf("s%d@example.com", i), "numemployees": n, "company": "Acme"}, base.AddDate(0, i, 0)))
	}
	for _, tc := range []struct {
		name  string
		sorts []any
		want  []string
	}{
		{"default oldest first", nil, ids},
		{"numeric descending", []any{map[string]string{"propertyName": "numemployees", "direction": "DESCENDING"}}, []string{ids[0], ids[2], ids[1]}},
		{"SDK string form", []any{"-createdate"}, []string{ids[2], ids[1], ids[0]}},
		{"SDK JSON string form", []any{`{"propertyName":"numemployees","direction":"ASCENDING"}`}, []string{ids[1], ids[2], ids[0]}},
	} {
		body := map[string]any{}
		if tc.sorts != nil {
			body["sorts"] = tc.sorts
		}
		if got, _ := e.search(body); !cmp.Equal(tc.want, got) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	got, body := e.search(map[string]any{"limit": 2, "properties": []string{"company"}})
	if !cmp.Equal(ids[:2], got) || body["total"] != float64(3) {
		t.Fatalf("page 1: %v %v", got, body)
	}
	after := body["paging"].(map[string]any)["next"].(map[string]any)["after"].(string)
	props := body["results"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	wantProps := map[string]any{"company": "Acme", "createdate": "2023-01-01T00:00:00.000Z", "hs_object_id": ids[0], "lastmodifieddate": "2023-01-01T00:00:00.000Z"}
	if diff := cmp.Diff(wantProps, props); diff != "" {
		t.Errorf("search properties (-want +got):\n%s", diff)
	}
	got, body = e.search(map[string]any{"limit": 2, "after": after})
	if !cmp.Equal(ids[2:], got) || body["paging"] != nil {
		t.Errorf("page 2: %v %v", got, body)
	}
}

func TestSearchFullTextQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ts.SeedDemo()
	tok, _ := e.ts.IssueTokens(hubspotsim.DemoPortalID, "")
	e.token = tok
	names := func(body map[string]any) []string {
		body["properties"] = []string{"firstname", "lastname"}
		_, m := e.search(body)
		var out []string
		for _, r := range m["results"].([]any) {
			p := r.(map[string]any)["properties"].(map[string]any)
			out = append(out, fmt.Sprint(p["firstname"], " ", p["lastname"]))
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"brown", []string{"Jack Brown", "Jacqueline Brown"}},
		{"jac", []string{"Jack Brown", "Jacqueline Brown"}},
		{"jacqueline brown", []string{"Jacqueline Brown"}},
		{"bob@example.com", []string{"Bob Smith", "Robert Smith"}},
		{"frank@example.de", []string{"Frank Müller"}},
		{"navy", []string{"Grace Hopper"}},
		{"+447911123456", []string{"Alice Johnson"}},
		{"7946 0958", []string{"Hana Sato"}},
		{"nobody", nil},
	} {
		if got := names(map[string]any{"query": tc.query}); !cmp.Equal(tc.want, got) {
			t.Errorf("query %q: got %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestSearchPhoneByNationalNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ts.SeedDemo()
	e.token, _ = e.ts.IssueTokens(hubspotsim.DemoPortalID, "")
	byName := map[string]string{}
	for _, c := range e.ts.Contacts(hubspotsim.DemoPortalID) {
		byName[c.Properties["firstname"]] = c.ID
	}
	// The product's phone match: one search, four ORed groups, oldest first.
	phoneSearch := func(e164, national string) []string {
		got, _ := e.search(map[string]any{
			"filterGroups": []any{
				map[string]any{"filters": []any{filter("phone", "EQ", e164)}},
				map[string]any{"filters": []any{filter("mobilephone", "EQ", e164)}},
				map[string]any{"filters": []any{filter("hs_searchable_calculated_phone_number", "EQ", national)}},
				map[string]any{"filters": []any{filter("hs_searchable_calculated_mobile_number", "EQ", national)}},
			},
			"sorts": []any{map[string]string{"propertyName": "createdate", "direction": "ASCENDING"}},
		})
		return got
	}
	for _, tc := range []struct{ e164, national, want string }{
		{"+447911123456", "7911123456", "Alice"},
		{"+447700900123", "7700900123", "Carla"},
		{"+14155550134", "4155550134", "Dev"},
		{"+442079460958", "2079460958", "Hana"},
		{"+46701234567", "701234567", "Ingrid"},
	} {
		got := phoneSearch(tc.e164, tc.national)
		if !cmp.Equal([]string{byName[tc.want]}, got) {
			t.Errorf("%s: got %v, want %s (%s)", tc.e164, got, tc.want, byName[tc.want])
		}
	}
	// Only the national number is stored: searching the calculated property with a country code finds nothing.
	if got, _ := e.search(eqFilter("hs_searchable_calculated_phone_number", "447911123456")); len(got) != 0 {
		t.Errorf("country code matched: %v", got)
	}
}

func TestSearchIndexDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.IndexDelay = 2 * time.Second })
	id := e.createContact(map[string]string{"email": "late@example.com", "firstname": "Before"})
	if got, _ := e.search(eqFilter("email", "late@example.com")); len(got) != 0 {
		t.Fatalf("visible before the delay: %v", got)
	}
	e.clock.Advance(1999 * time.Millisecond)
	if got, _ := e.search(eqFilter("email", "late@example.com")); len(got) != 0 {
		t.Fatalf("visible 1ms before the delay: %v", got)
	}
	e.clock.Advance(time.Millisecond)
	if got, _ := e.search(eqFilter("email", "late@example.com")); !cmp.Equal([]string{id}, got) {
		t.Fatalf("not visible after the delay: %v", got)
	}

	e.mustStatus(e.call("PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]string{"firstname": "After"}}), http.StatusOK)
	if got, _ := e.search(eqFilter("firstname", "before")); !cmp.Equal([]string{id}, got) {
		t.Errorf("old value gone before the delay: %v", got)
	}
	if got, _ := e.search(eqFilter("firstname", "after")); len(got) != 0 {
		t.Errorf("new value visible before the delay: %v", got)
	}
	e.clock.Advance(2 * time.Second)
	if got, _ := e.search(eqFilter("firstname", "after")); !cmp.Equal([]string{id}, got) {
		t.Errorf("new value not visible after the delay: %v", got)
	}
	if got, _ := e.search(eqFilter("firstname", "before")); len(got) != 0 {
		t.Errorf("old value still visible: %v", got)
	}
}

func TestSearchValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manyGroups := func(n, perGroup int) map[string]any {
		var gs [][]map[string]any
		for range n {
			var g []map[string]any
			for range perGroup {
				g = append(g, filter("email", "HAS_PROPERTY"))
			}
			gs = append(gs, g)
		}
		return groups(gs...)
	}
	sorted := func(n int) map[string]any {
		var s []any
		for range n {
			s = append(s, map[string]string{"propertyName": "createdate", "direction": "ASCENDING"})
		}
		return map[string]any{"sorts": s}
	}
	for _, tc := range []struct {
		name string
		body any
		code string // errors[0].code, or "" when only the message is checked
		msg  string
	}{
		{"6 groups", manyGroups(6, 1), "TOO_MANY_FILTER_GROUPS", "Too many filter groups: 6. The maximum is 5."},
		{"7 filters in a group", manyGroups(1, 7), "TOO_MANY_FILTERS_IN_GROUP", "Too many filters in a filter group: 7. The maximum is 6."},
		{"20 filters", manyGroups(4, 5), "TOO_MANY_FILTERS", "Too many filters: 20. The maximum is 18 across all filter groups."},
		{"limit 201", map[string]any{"limit": 201}, "INVALID_LIMIT", "The limit 201 is too large. The maximum limit is 200."},
		{"2 sorts", sorted(2), "TOO_MANY_SORTS", "Too many sorts: 2. Only one sort is allowed."},
		{"unknown operator", one(map[string]any{"propertyName": "email", "operator": "LIKE", "value": "x"}), "INVALID_OPERATOR", ""},
		{"BETWEEN without highValue", one(map[string]any{"propertyName": "email", "operator": "BETWEEN", "value": "x"}), "", "operator BETWEEN requires"},
		{"body over 3000 chars", map[string]any{"query": strings.Repeat("x", 3000)}, "TOO_LARGE", ""},
		{"after 10000", map[string]any{"after": "10000"}, "TOO_MANY_RESULTS", ""},
		{"bad JSON", `{"filterGroups": [`, "", "Invalid input JSON"},
	} {
		r := e.call("POST", "/crm/v3/objects/contacts/search", tc.body)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: status %d: %s", tc.name, r.Status, r.Raw)
			continue
		}
		m := r.JSON(t)
		if m["status"] != "error" || m["category"] != "VALIDATION_ERROR" || m["correlationId"] == nil {
			t.Errorf("%s: body %v", tc.name, m)
		}
		if !strings.Contains(m["message"].(string), tc.msg) {
			t.Errorf("%s: message %q lacks %q", tc.name, m["message"], tc.msg)
		}
		if tc.code != "" {
			errs, _ := m["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["code"] != tc.code {
				t.Errorf("%s: errors %v, want code %s", tc.name, m["errors"], tc.code)
			}
		}
	}
	// At the limits is fine.
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/search", manyGroups(3, 6)), http.StatusOK)
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/search", map[string]any{"limit": 200}), http.StatusOK)
}

func TestSearchResultCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 10050 {
		e.ts.SeedContact(e.portal, map[string]string{"email": fmt.Sprintf("c%d@example.com", i)}, time.Time{})
	}
	_, body := e.search(map[string]any{"limit": 200, "after": "9900"})
	if body["total"] != float64(10050) || len(body["results"].([]any)) != 100 || body["paging"] != nil {
		t.Errorf("at the cap: total %v, %d results, paging %v", body["total"], len(body["results"].([]any)), body["paging"])
	}
}
