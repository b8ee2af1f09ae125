package hubspotsim_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// postForm submits the contact page's form as a browser does (no redirects followed).
func postForm(t *testing.T, e *env, path string, form url.Values, origin string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest("POST", e.ts.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func TestUIContactEditForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: hubspotsim.ContactSubscriptions(hubspotsim.CardProperties...)}); err != nil {
		t.Fatal(err)
	}
	owner := e.ts.SeedOwner(e.portal, hubspotsim.Owner{Email: "olivia@x.test", FirstName: "Olivia", LastName: "Owens"})
	id := e.ts.SeedContact(e.portal, map[string]string{"firstname": "Ann", "lastname": "Lee", "email": "ann@x.test",
		"phone": "+447911123456", "lifecyclestage": "retired_stage"}, time.Time{})
	page := "/contacts/" + itoa(e.portal) + "/record/0-1/" + id

	r := e.callAs("", "GET", page, nil)
	e.mustStatus(r, http.StatusOK)
	html := string(r.Raw)
	for _, want := range []string{`<form method="post" action="` + page + `"`, `name="firstname" value="Ann"`, `name="phone" type="tel" value="&#43;447911123456"`,
		`<option value="marketingqualifiedlead">Marketing Qualified Lead</option>`, `<option value="partner">Partner</option>`,
		`<option value="retired_stage" selected>retired_stage</option>`, `<option value="` + owner + `">Olivia Owens (olivia@x.test)</option>`,
		`class="table-wrap"`, `overflow-x:auto`, `<table class="props">`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}

	form := url.Values{"firstname": {"Ann"}, "lastname": {"Lee"}, "email": {"ann@x.test"}, "phone": {"+447911123456"},
		"mobilephone": {"+447700900123"}, "lifecyclestage": {"customer"}, "hubspot_owner_id": {owner}}
	status, loc, _ := postForm(t, e, page, form, e.ts.URL())
	if status != http.StatusSeeOther || loc != page+"?saved=1" {
		t.Fatalf("save: %d → %q", status, loc)
	}
	c, _ := e.ts.Contact(e.portal, id)
	if c.Properties["lifecyclestage"] != "customer" || c.Properties["hubspot_owner_id"] != owner || c.Properties["mobilephone"] != "+447700900123" ||
		c.Properties["hs_searchable_calculated_mobile_number"] != "7700900123" {
		t.Errorf("contact after save = %v", c.Properties)
	}
	got := rc.next()
	var names []string
	for _, ev := range got.events {
		if ev["changeSource"] != "CRM_UI" || ev["subscriptionType"] != "contact.propertyChange" {
			t.Errorf("event %v", ev)
		}
		names = append(names, ev["propertyName"].(string))
	}
	if strings.Join(names, ",") != "hubspot_owner_id,lifecyclestage,mobilephone" {
		t.Errorf("changed properties sent: %v (only what changed, in one batch)", names)
	}
	if r := e.callAs("", "GET", page+"?saved=1", nil); !strings.Contains(string(r.Raw), "Saved.") {
		t.Error("no saved notice")
	}

	// Saving unchanged values writes nothing and fires nothing.
	if status, _, _ := postForm(t, e, page, form, ""); status != http.StatusSeeOther {
		t.Errorf("unchanged save: %d", status)
	}
	rc.none(e)

	// A bad email: 400, the page says why and keeps what was typed, nothing is stored.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("email", "not an email")
	bad.Set("firstname", "Annie")
	status, _, body := postForm(t, e, page, bad, "")
	if status != http.StatusBadRequest || !strings.Contains(body, "Not saved:") || !strings.Contains(body, `value="Annie"`) {
		t.Errorf("bad email: %d\n%s", status, body)
	}
	if c, _ := e.ts.Contact(e.portal, id); c.Properties["firstname"] != "Ann" {
		t.Errorf("a rejected save changed the contact: %v", c.Properties)
	}

	// Another site cannot post the form.
	if status, _, _ := postForm(t, e, page, url.Values{"firstname": {"Evil"}}, "https://evil.example"); status != http.StatusForbidden {
		t.Errorf("cross-site post: %d", status)
	}
	if c, _ := e.ts.Contact(e.portal, id); c.Properties["firstname"] != "Ann" {
		t.Errorf("cross-site post changed the contact: %v", c.Properties)
	}

	// A merged-away record's page leads to the record it became.
	other := e.ts.SeedContact(e.portal, map[string]string{"email": "other@x.test"}, time.Time{})
	merged, ok := e.ts.MergeContacts(e.portal, id, other)
	if !ok {
		t.Fatal("merge failed")
	}
	r = e.callAs("", "GET", page, nil)
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/contacts/"+itoa(e.portal)+"/record/0-1/"+merged.ID {
		t.Errorf("merged page: %d → %q", r.Status, r.Header.Get("Location"))
	}
}
