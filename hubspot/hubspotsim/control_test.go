package hubspotsim_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

func TestControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.callAs("", "POST", "/_sim/portals", map[string]any{"name": "From Node"})
	e.mustStatus(r, http.StatusCreated)
	var p struct {
		PortalID     int64
		AccessToken  string
		RefreshToken string
	}
	r.Into(t, &p)
	if p.PortalID == 0 || p.AccessToken == "" || p.RefreshToken == "" {
		t.Fatalf("portal = %+v", p)
	}
	e.token = p.AccessToken
	base := "/_sim/portals/" + strconv.FormatInt(p.PortalID, 10)

	r = e.callAs("", "POST", base+"/contacts", map[string]any{"properties": map[string]string{"email": "seeded@example.com"}, "createdAt": "2020-05-01T00:00:00Z"})
	e.mustStatus(r, http.StatusCreated)
	cid := r.JSON(t)["id"].(string)
	// Seeded contacts are indexed at once, with the given creation date.
	ids, body := e.search(map[string]any{"properties": []string{"createdate"}})
	if !cmp.Equal([]string{cid}, ids) || !strings.Contains(string(mustJSON(t, body)), "2020-05-01T00:00:00.000Z") {
		t.Errorf("seeded contact search: %v", body)
	}

	r = e.callAs("", "POST", base+"/owners", map[string]any{"email": "own@example.com", "firstName": "Own"})
	e.mustStatus(r, http.StatusCreated)
	oid := r.JSON(t)["id"].(string)
	e.mustStatus(e.call("GET", "/crm/v3/owners/"+oid, nil), http.StatusOK)

	in := noteInput(cid, "<b>hi</b>", "2024-01-01T10:00:00Z")
	in["properties"].(map[string]string)["hubspot_owner_id"] = oid
	e.mustStatus(e.call("POST", "/crm/v3/objects/notes", in), http.StatusCreated)
	r = e.callAs("", "GET", base+"/contacts/"+cid+"/notes", nil)
	e.mustStatus(r, http.StatusOK)
	var notes []map[string]any
	r.Into(t, &notes)
	if len(notes) != 1 || notes[0]["body"] != "<b>hi</b>" || notes[0]["timestamp"] != "2024-01-01T10:00:00.000Z" || notes[0]["ownerId"] != oid {
		t.Errorf("notes = %v", notes)
	}

	r = e.callAs("", "POST", "/_sim/faults", map[string]any{"failNext": 1, "status": 429})
	e.mustStatus(r, http.StatusOK)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+cid, nil), http.StatusTooManyRequests)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+cid, nil), http.StatusOK)
	e.mustStatus(e.callAs("", "POST", "/_sim/faults", map[string]any{"status": 200, "failNext": 1}), http.StatusBadRequest)

	e.mustStatus(e.callAs("", "POST", "/_sim/tokens/"+p.AccessToken+"/expire", nil), http.StatusNoContent)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts/"+cid, nil), http.StatusUnauthorized)
	r = e.callAs("", "POST", base+"/tokens", map[string]any{"scopes": []string{"oauth"}})
	e.mustStatus(r, http.StatusCreated)
	e.mustStatus(e.callAs(r.JSON(t)["accessToken"].(string), "GET", "/crm/v3/objects/contacts", nil), http.StatusForbidden)
	e.mustStatus(e.callAs("", "POST", base+"/revoke", nil), http.StatusNoContent)
	if got := tokenError(t, e.refresh(p.RefreshToken)); got["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("after revoke: %v", got)
	}

	r = e.callAs("", "GET", "/_sim/requests", nil)
	e.mustStatus(r, http.StatusOK)
	var logs []hubspotsim.RequestLog
	r.Into(t, &logs)
	if len(logs) == 0 || logs[0].Path != "/crm/v3/objects/contacts/search" {
		t.Errorf("request log should start with the first API call, not control calls: %+v", logs)
	}
	for _, l := range logs {
		if strings.HasPrefix(l.Path, "/_sim/") {
			t.Errorf("control call logged: %+v", l)
		}
	}
	e.mustStatus(e.callAs("", "POST", "/_sim/portals/1/contacts", map[string]any{}), http.StatusNotFound)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUIPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ts.SeedDemo()
	e.token, _ = e.ts.IssueTokens(hubspotsim.DemoPortalID, "")
	var alice string
	for _, c := range e.ts.Contacts(hubspotsim.DemoPortalID) {
		if c.Properties["firstname"] == "Alice" {
			alice = c.ID
		}
	}
	for i, body := range []string{
		`<p>First <b>visit</b></p><script>alert(1)</script><img src="x" onerror="alert(2)">`,
		`Second line 1<br>line 2 <a href="javascript:alert(3)">x</a>`,
	} {
		in := noteInput(alice, body, time.Date(2024, 5, 1+i, 10, 0, 0, 0, time.UTC).Format(time.RFC3339))
		in["properties"].(map[string]string)["hubspot_owner_id"] = hubspotsim.DemoOwnerOlivia
		e.mustStatus(e.call("POST", "/crm/v3/objects/notes", in), http.StatusCreated)
	}

	r := e.callAs("", "GET", "/", nil)
	e.mustStatus(r, http.StatusOK)
	page := string(r.Raw)
	for _, want := range []string{"Acme Corp (demo)", "Acme EU (demo)", `href="/contacts/24681357/record/0-1/` + alice + `"`, "Jacqueline Brown", "#ff7a59"} {
		if !strings.Contains(page, want) {
			t.Errorf("index lacks %q", want)
		}
	}

	r = e.callAs("", "GET", "/contacts/24681357/record/0-1/"+alice, nil)
	e.mustStatus(r, http.StatusOK)
	page = string(r.Raw)
	for _, want := range []string{"<h1>Alice Johnson</h1>", "alice@example.com", "&#43;447911123456", "Olivia Owens",
		"<p>First <b>visit</b></p>", `<img src="x">`, "line 1<br>line 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	for _, bad := range []string{"alert(1)", "onerror", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("record page contains %q", bad)
		}
	}
	if strings.Index(page, "Second line") > strings.Index(page, "First <b>") {
		t.Error("timeline is not newest first")
	}
	e.mustStatus(e.callAs("", "GET", "/contacts/24681357/record/0-1/1", nil), http.StatusNotFound)
	e.mustStatus(e.callAs("", "GET", "/contacts/1/record/0-1/"+alice, nil), http.StatusNotFound)
}

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	sim := hubspotsim.New(hubspotsim.Options{})
	sim.SeedDemo()
	ports := sim.Portals()
	if len(ports) != 2 || ports[0].ID != 24681357 || ports[0].Name != "Acme Corp (demo)" || ports[0].UserEmail != "owner@acme-hubspot.test" ||
		ports[1].ID != 13572468 || ports[1].UIDomain != "app-eu1.hubspot.com" {
		t.Fatalf("portals = %+v %+v", ports[0], ports[1])
	}
	byEmail := map[string][]hubspotsim.Contact{}
	for _, c := range sim.Contacts(hubspotsim.DemoPortalID) {
		byEmail[strings.ToLower(c.Properties["email"])] = append(byEmail[strings.ToLower(c.Properties["email"])], c)
	}
	if bobs := byEmail["bob@example.com"]; len(bobs) != 2 || bobs[0].Properties["firstname"] != "Bob" || !bobs[0].CreatedAt.Before(bobs[1].CreatedAt) {
		t.Errorf("bob duplicates = %+v", bobs)
	}
	if f := byEmail["frank@example.de"]; len(f) != 1 || f[0].Properties["email"] != "FRANK@example.de" || f[0].Properties["lifecyclestage"] != "evangelist" {
		t.Errorf("frank = %+v", f)
	}
	// Carla (a form import) and Dev have no email.
	if c := byEmail[""]; len(c) != 2 || c[0].Properties["hs_searchable_calculated_mobile_number"] != "7700900123" ||
		c[1].Properties["hs_searchable_calculated_phone_number"] != "4155550134" {
		t.Errorf("contacts without email = %+v", c)
	}
	if len(byEmail) != 10 { // 12 contacts: Bob twice, two without email
		t.Errorf("%d distinct emails", len(byEmail))
	}
}

func TestMainServesDemo(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- hubspotsim.Main(ctx, "127.0.0.1:0", hubspotsim.Options{}, pw)
		pw.Close()
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// Main prints the URL, two env lines for the URLs, two for the credentials and one per portal.
	var out []string
	for range 7 {
		out = append(out, <-lines)
	}
	text := strings.Join(out, "\n")
	m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no URL in output:\n%s", text)
	}
	base := m[1]
	for _, want := range []string{hubspotsim.DefaultClientID, hubspotsim.DefaultClientSecret, "HUBSPOT_API_URL=" + base} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Acme Corp (demo)") {
		t.Errorf("index page: %.300s", b)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Main: %v", err)
	}
}
