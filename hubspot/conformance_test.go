package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The conformance test records every request the client makes while each service method runs once, and checks
// each against the endpoints below: the ones the gateway uses, for every supported API version, with the
// top-level body fields HubSpot's published schema marks required (read from HubSpot's spec collection,
// PublicApiSpecs/…/{version}/…; the collection itself is not copied here). With HUBSPOT_SPEC_DIR set to a
// checkout of HubSpot/HubSpot-public-api-spec-collection, the same requests are also checked against the spec
// files themselves.

// supportedAPIVersions are the versions the gateway is tested against (HUBSPOT_API_VERSION).
var supportedAPIVersions = []string{"2026-03", "2026-09"}

// endpoint is one call: {v} stands for the API version, other {…} for one path segment. Required lists the
// top-level fields the body must carry ("inputs[].x": each item of inputs must carry x); for a form body
// they are form fields.
type endpoint struct {
	Method, Path string
	Required     []string
	Form         bool
}

var crmEndpoints = []endpoint{
	{Method: "GET", Path: "/account-info/{v}/details"},

	{Method: "GET", Path: "/crm/objects/{v}/contacts/{id}"},
	{Method: "POST", Path: "/crm/objects/{v}/contacts", Required: []string{"properties", "associations"}},
	{Method: "PATCH", Path: "/crm/objects/{v}/contacts/{id}", Required: []string{"properties"}},
	{Method: "POST", Path: "/crm/objects/{v}/contacts/merge", Required: []string{"primaryObjectId", "objectIdToMerge"}},
	{Method: "POST", Path: "/crm/objects/{v}/contacts/search", Required: []string{"filterGroups", "sorts", "properties", "limit", "after"}},
	{Method: "POST", Path: "/crm/objects/{v}/contacts/batch/read", Required: []string{"inputs", "properties", "propertiesWithHistory", "inputs[].id"}},
	{Method: "POST", Path: "/crm/objects/{v}/contacts/batch/create", Required: []string{"inputs", "inputs[].properties", "inputs[].associations"}},
	{Method: "POST", Path: "/crm/objects/{v}/contacts/batch/upsert", Required: []string{"inputs", "inputs[].id", "inputs[].properties"}},

	{Method: "GET", Path: "/crm/objects/{v}/notes/{id}"},
	{Method: "POST", Path: "/crm/objects/{v}/notes", Required: []string{"properties", "associations"}},
	{Method: "PATCH", Path: "/crm/objects/{v}/notes/{id}", Required: []string{"properties"}},
	{Method: "DELETE", Path: "/crm/objects/{v}/notes/{id}"},
	{Method: "POST", Path: "/crm/objects/{v}/notes/search", Required: []string{"filterGroups", "sorts", "properties", "limit", "after"}},
	{Method: "POST", Path: "/crm/objects/{v}/notes/batch/create", Required: []string{"inputs", "inputs[].properties", "inputs[].associations"}},
	{Method: "POST", Path: "/crm/objects/{v}/notes/batch/read", Required: []string{"inputs", "properties", "propertiesWithHistory", "inputs[].id"}},
	{Method: "POST", Path: "/crm/associations/{v}/contacts/notes/batch/read", Required: []string{"inputs", "inputs[].id"}},
	{Method: "POST", Path: "/crm/associations/{v}/notes/contacts/batch/read", Required: []string{"inputs", "inputs[].id"}},

	{Method: "GET", Path: "/crm/owners/{v}"},
	{Method: "GET", Path: "/crm/owners/{v}/{id}"},
	{Method: "GET", Path: "/crm/properties/{v}/{objectType}/{name}"},
}

// oauthEndpoints are the same whatever the CRM version (OAuthVersion).
var oauthEndpoints = []endpoint{
	{Method: "POST", Path: "/oauth/2026-03/token", Form: true, Required: []string{"grant_type", "client_id", "client_secret"}},
	{Method: "POST", Path: "/oauth/2026-03/token/introspect", Form: true, Required: []string{"client_id", "client_secret", "token", "token_type_hint"}},
	{Method: "POST", Path: "/oauth/2026-03/token/revoke", Form: true, Required: []string{"client_id", "client_secret", "token", "token_type_hint"}},
}

// endpointsFor is the table for one version.
func endpointsFor(version string) []endpoint {
	var out []endpoint
	for _, e := range crmEndpoints {
		e.Path = strings.ReplaceAll(e.Path, "{v}", version)
		out = append(out, e)
	}
	return append(out, oauthEndpoints...)
}

var templateParam = regexp.MustCompile(`\{[^/}]+\}`)

// templateRegexp matches a path template, each {param} standing for one non-empty segment.
func templateRegexp(tmpl string) *regexp.Regexp {
	parts := templateParam.Split(tmpl, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$")
}

// recordedRequest is one request the client sent.
type recordedRequest struct {
	Method, Path, RawQuery string
	ContentType            string
	Body                   []byte
}

func (r recordedRequest) String() string { return r.Method + " " + r.Path }

// recorder answers every request with a plausible success and keeps it.
type recorder struct {
	mu   sync.Mutex
	reqs []recordedRequest
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recordedRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"), Body: body})
	rec.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/token"):
		writeJSON(w, 200, `{"token_type":"bearer","access_token":"at","refresh_token":"rt","expires_in":1800,"hub_id":1,"user_id":2,"scopes":["oauth"],"token_use":"access_token"}`)
	case strings.HasSuffix(r.URL.Path, "/introspect"):
		writeJSON(w, 200, `{"active":true,"hub_id":1,"user_id":2,"scopes":["oauth"],"token_use":"access_token"}`)
	case strings.HasSuffix(r.URL.Path, "/revoke"), r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case strings.Contains(r.URL.Path, "/batch/"):
		writeJSON(w, 200, `{"status":"COMPLETE","results":[],"startedAt":"2026-01-01T00:00:00Z","completedAt":"2026-01-01T00:00:01Z"}`)
	case strings.HasSuffix(r.URL.Path, "/search"), regexp.MustCompile(`^/crm/owners/[^/]+$`).MatchString(r.URL.Path):
		writeJSON(w, 200, `{"total":0,"results":[]}`)
	default:
		writeJSON(w, 200, `{"id":"1","properties":{}}`)
	}
}

func (rec *recorder) requests() []recordedRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

// exercise is one call of a service method, named "Service.Method".
type exercise struct {
	name string
	call func(ctx context.Context, c *Client, o *OAuthConfig) error
}

func drop[T any](_ T, _ *Response, err error) error { return err }

var exercises = []exercise{
	{"Account.Details", func(ctx context.Context, c *Client, _ *OAuthConfig) error { return drop(c.Account.Details(ctx)) }},
	{"Contacts.Get", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.Get(ctx, "501", []string{"email"}))
	}},
	{"Contacts.GetByEmail", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.GetByEmail(ctx, "a@b.test", nil))
	}},
	{"Contacts.Create", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.Create(ctx, map[string]string{"email": "a@b.test"}))
	}},
	{"Contacts.Update", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.Update(ctx, "501", map[string]string{"firstname": "A"}))
	}},
	{"Contacts.Merge", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.Merge(ctx, "1", "2"))
	}},
	{"Contacts.Search", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.Search(ctx, NewSearch().Where("email", OpEQ, "a@b.test").Request()))
	}},
	{"Contacts.BatchReadByEmail", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.BatchReadByEmail(ctx, []string{"a@b.test"}, []string{"email"}))
	}},
	{"Contacts.BatchCreate", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.BatchCreate(ctx, []ContactInput{{Properties: map[string]string{"email": "a@b.test"}, ObjectWriteTraceID: "t1"}}))
	}},
	{"Contacts.BatchUpsert", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.BatchUpsert(ctx, []UpsertInput{{ID: "a@b.test", IDProperty: "email", Properties: map[string]string{"firstname": "A"}}}))
	}},
	{"Notes.Create", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.Create(ctx, NoteInput{Body: "b", Timestamp: time.Unix(1, 0), ContactIDs: []string{"501"}}))
	}},
	{"Notes.BatchCreate", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.BatchCreate(ctx, []NoteInput{{Body: "b", Timestamp: time.Unix(1, 0), ContactIDs: []string{"501"}, ObjectWriteTraceID: "t1"}}))
	}},
	{"Notes.Get", func(ctx context.Context, c *Client, _ *OAuthConfig) error { return drop(c.Notes.Get(ctx, "9")) }},
	{"Notes.BatchRead", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.BatchRead(ctx, []string{"9"}, []string{PropNoteBody}))
	}},
	{"Notes.ContactIDsByNote", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.ContactIDsByNote(ctx, []string{"9"}))
	}},
	{"Contacts.CreateWithNotes", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Contacts.CreateWithNotes(ctx, map[string]string{"phone": "+442079460000"}, []string{"9"}))
	}},
	{"Notes.NoteIDsByContact", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.NoteIDsByContact(ctx, []string{"501"}))
	}},
	{"Notes.Update", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.Update(ctx, "9", map[string]string{PropNoteBody: "b"}))
	}},
	{"Notes.Archive", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		_, err := c.Notes.Archive(ctx, "9")
		return err
	}},
	{"Notes.SearchByContact", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Notes.SearchByContact(ctx, "501", nil))
	}},
	{"Owners.Get", func(ctx context.Context, c *Client, _ *OAuthConfig) error { return drop(c.Owners.Get(ctx, "41")) }},
	{"Owners.List", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Owners.List(ctx, &ListOwnersOptions{Email: "a@b.test", Limit: 1}))
	}},
	{"Owners.All", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		for _, err := range c.Owners.All(ctx, nil) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"Properties.Get", func(ctx context.Context, c *Client, _ *OAuthConfig) error {
		return drop(c.Properties.Get(ctx, ObjectTypeContacts, PropLifecycleStage))
	}},
	{"OAuth.Exchange", func(ctx context.Context, _ *Client, o *OAuthConfig) error {
		_, err := o.Exchange(ctx, "code")
		return err
	}},
	{"OAuth.Refresh", func(ctx context.Context, _ *Client, o *OAuthConfig) error {
		_, err := o.Refresh(ctx, "rt")
		return err
	}},
	{"OAuth.Introspect", func(ctx context.Context, _ *Client, o *OAuthConfig) error {
		_, err := o.Introspect(ctx, "at", TokenTypeHintAccess)
		return err
	}},
	{"OAuth.AccessTokenInfo", func(ctx context.Context, _ *Client, o *OAuthConfig) error {
		_, err := o.AccessTokenInfo(ctx, "at")
		return err
	}},
	{"OAuth.RefreshTokenInfo", func(ctx context.Context, _ *Client, o *OAuthConfig) error {
		_, err := o.RefreshTokenInfo(ctx, "rt")
		return err
	}},
	{"OAuth.Revoke", func(ctx context.Context, _ *Client, o *OAuthConfig) error {
		return o.Revoke(ctx, "rt", TokenTypeHintRefresh)
	}},
	{"OAuth.RevokeRefreshToken", func(ctx context.Context, _ *Client, o *OAuthConfig) error { return o.RevokeRefreshToken(ctx, "rt") }},
}

// noRequestMethods send nothing to HubSpot.
var noRequestMethods = []string{"OAuth.AuthCodeURL"}

// TestExercisesCoverEveryMethod keeps the conformance test complete: a new service method must be added to
// exercises (or to noRequestMethods).
func TestExercisesCoverEveryMethod(t *testing.T) {
	covered := map[string]bool{}
	for _, e := range exercises {
		covered[e.name] = true
	}
	for _, n := range noRequestMethods {
		covered[n] = true
	}
	c := mustNewClient(t, nil)
	services := map[string]any{"Account": c.Account, "Contacts": c.Contacts, "Notes": c.Notes, "Owners": c.Owners,
		"Properties": c.Properties, "OAuth": &OAuthConfig{}}
	for name, svc := range services {
		typ := reflect.TypeOf(svc)
		for i := range typ.NumMethod() {
			if m := name + "." + typ.Method(i).Name; !covered[m] {
				t.Errorf("%s is not exercised by the conformance test", m)
			}
		}
	}
}

// runExercises sends every exercise through a recorder, with the client on version.
func runExercises(t *testing.T, version string) []recordedRequest {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c := mustNewClient(t, srv.Client(), WithBaseURL(srv.URL), WithAPIVersion(version), WithRetry(RetryPolicy{MaxAttempts: 1}))
	o := &OAuthConfig{ClientID: "cid", ClientSecret: "cs", RedirectURL: "https://gw.test/cb", APIURL: srv.URL, HTTPClient: srv.Client()}
	for _, e := range exercises {
		if err := e.call(context.Background(), c, o); err != nil {
			t.Errorf("%s: %v", e.name, err)
		}
	}
	return rec.requests()
}

func TestRequestsConformToTheEndpointTable(t *testing.T) {
	for _, version := range supportedAPIVersions {
		t.Run(version, func(t *testing.T) {
			reqs := runExercises(t, version)
			table := endpointsFor(version)
			used := make([]bool, len(table))
			for _, r := range reqs {
				if strings.HasPrefix(r.Path, "/oauth/v1") || strings.Contains(r.Path, "/v3/") || strings.Contains(r.Path, "/v4/") ||
					strings.Contains(r.Path, "/v1/") {
					t.Errorf("%s: a legacy path", r)
				}
				if !strings.HasPrefix(r.Path, "/oauth/") && !strings.Contains(r.Path, "/"+version) {
					t.Errorf("%s: not on API version %s", r, version)
				}
				i := slices.IndexFunc(table, func(e endpoint) bool { return e.Method == r.Method && templateRegexp(e.Path).MatchString(r.Path) })
				if i < 0 {
					t.Errorf("%s: not an endpoint of the table", r)
					continue
				}
				used[i] = true
				if err := checkBody(table[i], r); err != nil {
					t.Errorf("%s: %v", r, err)
				}
			}
			for i, u := range used {
				if !u {
					t.Errorf("%s %s is in the table but no method calls it", table[i].Method, table[i].Path)
				}
			}
		})
	}
}

// bodyFields reads a request's body as top-level fields (JSON object or form).
func bodyFields(r recordedRequest) (map[string]json.RawMessage, url.Values, error) {
	if strings.HasPrefix(r.ContentType, "application/x-www-form-urlencoded") {
		f, err := url.ParseQuery(string(r.Body))
		return nil, f, err
	}
	if len(r.Body) == 0 {
		return nil, nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return nil, nil, fmt.Errorf("body is not a JSON object: %w", err)
	}
	return m, nil, nil
}

// checkBody checks a request's body against an endpoint of the table.
func checkBody(e endpoint, r recordedRequest) error {
	obj, form, err := bodyFields(r)
	if err != nil {
		return err
	}
	if e.Form != (form != nil) {
		return fmt.Errorf("Content-Type %q, want a form: %v", r.ContentType, e.Form)
	}
	if len(e.Required) == 0 && len(r.Body) > 0 && !e.Form {
		return errors.New("a body where the endpoint takes none")
	}
	for _, f := range e.Required {
		if form != nil {
			if !form.Has(f) {
				return fmt.Errorf("form field %s missing", f)
			}
			continue
		}
		if list, item, ok := strings.Cut(f, "[]."); ok {
			var items []map[string]json.RawMessage
			if err := json.Unmarshal(obj[list], &items); err != nil || len(items) == 0 {
				return fmt.Errorf("%s is not a list of objects", list)
			}
			for i, it := range items {
				if _, ok := it[item]; !ok {
					return fmt.Errorf("%s[%d].%s missing", list, i, item)
				}
			}
			continue
		}
		if v, ok := obj[f]; !ok || string(v) == "null" {
			return fmt.Errorf("required field %s missing", f)
		}
	}
	return nil
}

// TestRequestsExistInHubSpotsSpec checks the recorded requests against HubSpot's published OpenAPI files for
// each version, read from a checkout of HubSpot/HubSpot-public-api-spec-collection:
//
//	HUBSPOT_SPEC_DIR=/path/to/HubSpot-public-api-spec-collection go test -run TestRequestsExistInHubSpotsSpec ./hubspot/
func TestRequestsExistInHubSpotsSpec(t *testing.T) {
	dir := os.Getenv("HUBSPOT_SPEC_DIR")
	if dir == "" {
		t.Skip("HUBSPOT_SPEC_DIR is not set: set it to a checkout of HubSpot/HubSpot-public-api-spec-collection to check the requests against HubSpot's own spec files")
	}
	for _, version := range supportedAPIVersions {
		t.Run(version, func(t *testing.T) {
			ops := loadSpecOperations(t, dir, version)
			if len(ops) == 0 {
				t.Fatalf("no operations found for %s under %s/PublicApiSpecs", version, dir)
			}
			// OAuth is on its own version, whatever the CRM's.
			oauthOps := loadSpecOperations(t, dir, OAuthVersion)
			// The checker is not vacuous: a search without its required sorts is refused.
			bad := recordedRequest{Method: "POST", Path: "/crm/objects/" + version + "/contacts/search", ContentType: "application/json",
				Body: []byte(`{"filterGroups":[],"properties":[],"limit":1,"after":"0"}`)}
			if specAccepts(ops, bad) {
				t.Errorf("the spec check accepts %s without sorts", bad)
			}
			if bogus := (recordedRequest{Method: "GET", Path: "/crm/owners/" + version, RawQuery: "bogus=1"}); specAccepts(ops, bogus) {
				t.Errorf("the spec check accepts %s?%s", bogus, bogus.RawQuery)
			}
			for _, r := range runExercises(t, version) {
				candidates := ops
				if strings.HasPrefix(r.Path, "/oauth/") {
					candidates = oauthOps
				}
				var errs []string
				found := false
				for _, op := range candidates {
					if op.method != r.Method || !op.re.MatchString(r.Path) {
						continue
					}
					found = true
					if err := op.check(r); err != nil {
						errs = append(errs, op.file+": "+err.Error())
						continue
					}
					errs = nil
					break
				}
				switch {
				case !found:
					t.Errorf("%s: no such operation in HubSpot's %s spec", r, version)
				case len(errs) > 0:
					t.Errorf("%s: %s", r, strings.Join(errs, "; "))
				}
			}
		})
	}
}

// specAccepts reports whether some operation of ops takes r as it is.
func specAccepts(ops []specOperation, r recordedRequest) bool {
	return slices.ContainsFunc(ops, func(op specOperation) bool {
		return op.method == r.Method && op.re.MatchString(r.Path) && op.check(r) == nil
	})
}

// specOperation is one method + path of a spec file, with what its request body must hold.
type specOperation struct {
	file, method string
	re           *regexp.Regexp
	// required are the body's required top-level fields; known all the fields its schema declares (nil when
	// the schema leaves it open).
	required []string
	known    map[string]bool
	hasBody  bool
	// query are the query parameters it declares.
	query map[string]bool
}

func (op specOperation) check(r recordedRequest) error {
	obj, form, err := bodyFields(r)
	if err != nil {
		return err
	}
	if len(r.Body) > 0 && !op.hasBody {
		return errors.New("the operation takes no body")
	}
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		return err
	}
	for k := range q {
		if !op.query[k] {
			return fmt.Errorf("query parameter %s is not declared", k)
		}
	}
	present := func(f string) bool {
		if form != nil {
			return form.Has(f)
		}
		_, ok := obj[f]
		return ok
	}
	for _, f := range op.required {
		if !present(f) {
			return fmt.Errorf("required field %s missing", f)
		}
	}
	if op.known != nil {
		var sent []string
		for f := range obj {
			sent = append(sent, f)
		}
		for f := range form {
			sent = append(sent, f)
		}
		for _, f := range sent {
			if !op.known[f] {
				return fmt.Errorf("field %s is not in the schema", f)
			}
		}
	}
	return nil
}

// loadSpecOperations reads every OpenAPI file of version in the collection.
func loadSpecOperations(t *testing.T, dir, version string) []specOperation {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "PublicApiSpecs", "*", "*", "Rollouts", "*", version, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ops []specOperation
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components json.RawMessage                       `json:"components"`
		}
		if json.Unmarshal(b, &doc) != nil {
			continue
		}
		var root map[string]any
		_ = json.Unmarshal(b, &root)
		rel, _ := filepath.Rel(dir, f)
		for path, item := range doc.Paths {
			var common []map[string]any
			if raw, ok := item["parameters"]; ok {
				_ = json.Unmarshal(raw, &common)
			}
			for method, raw := range item {
				if method == "parameters" || strings.HasPrefix(method, "x-") {
					continue
				}
				var op struct {
					RequestBody map[string]any   `json:"requestBody"`
					Parameters  []map[string]any `json:"parameters"`
				}
				if json.Unmarshal(raw, &op) != nil {
					continue
				}
				so := specOperation{file: rel, method: strings.ToUpper(method), re: templateRegexp(path), query: map[string]bool{}}
				for _, prm := range append(slices.Clone(common), op.Parameters...) {
					prm = resolveRef(root, prm)
					if name, _ := prm["name"].(string); prm["in"] == "query" {
						so.query[name] = true
					}
				}
				if op.RequestBody != nil {
					so.hasBody = true
					body := resolveRef(root, op.RequestBody)
					content, _ := body["content"].(map[string]any)
					for _, media := range content {
						m, _ := media.(map[string]any)
						schema, _ := m["schema"].(map[string]any)
						schema = resolveRef(root, schema)
						for _, r := range asList(schema["required"]) {
							so.required = append(so.required, r)
						}
						if props, ok := schema["properties"].(map[string]any); ok && len(props) > 0 {
							so.known = map[string]bool{}
							for k := range props {
								so.known[k] = true
							}
						}
						break
					}
				}
				ops = append(ops, so)
			}
		}
	}
	return ops
}

// resolveRef follows a local "$ref" (#/components/…) to the object it names.
func resolveRef(root map[string]any, v map[string]any) map[string]any {
	for range 10 {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := cur.(map[string]any)
			cur = m[part]
		}
		next, _ := cur.(map[string]any)
		if next == nil {
			return v
		}
		v = next
	}
	return v
}

func asList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
