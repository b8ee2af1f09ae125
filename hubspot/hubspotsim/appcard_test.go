package hubspotsim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// fakeCardGateway records the card requests it gets and answers each with answer (or status).
type fakeCardGateway struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []*http.Request
	status int
	answer any
}

func newFakeCardGateway(t *testing.T) *fakeCardGateway {
	g := &fakeCardGateway{status: http.StatusOK}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.got = append(g.got, r)
		status, answer := g.status, g.answer
		g.mu.Unlock()
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(answer)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// The contact page's Convrs panel calls the card's URL as HubSpot's hubspot.fetch does (the card's objectId,
// then userId, userEmail, portalId and appId, signed v3 with the app's secret) and shows the answer plainly.
func TestAppCardPanel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gw := newFakeCardGateway(t)
	if err := e.ts.SetAppCard(hubspotsim.AppCard{FetchURL: gw.srv.URL + "/hubspot/card/conversations"}); err != nil {
		t.Fatal(err)
	}
	e.ts.SeedOwner(e.portal, hubspotsim.Owner{Email: "Olivia@X.test", FirstName: "Olivia", LastName: "Owens", UserID: 7001})
	id := e.ts.SeedContact(e.portal, map[string]string{"firstname": "Ann", "email": "ann@x.test"}, time.Time{})
	page := "/contacts/" + itoa(e.portal) + "/record/0-1/" + id
	gw.answer = map[string]any{"connected": true, "more": false, "startChatUrl": "http://gw.test/#/new?hubspotContactId=" + id,
		"conversations": []map[string]any{{"channelLabel": "Email", "status": "open", "assignedAgent": "Sam Agent", "mine": true,
			"lastMessageAt": "2025-03-10T11:30:00Z", "preview": "Your <b>order</b> shipped.", "openUrl": "http://gw.test/#/chat/cnv_1"},
			{"channelLabel": "Web chat", "status": "closed", "lastMessageAt": "2025-03-01T09:00:00Z", "preview": "Bye",
				"sync": "Transcript logged in HubSpot as a note.", "openUrl": "javascript:alert(1)"}}}

	r := e.callAs("", "GET", page, nil)
	e.mustStatus(r, http.StatusOK)
	html := string(r.Raw)
	for _, want := range []string{`<h2 id="appcard-title">Convrs</h2>`, "viewing as olivia@x.test", "<td>Email</td><td>Open</td><td>Sam Agent <span class=\"mine\">your chat</span></td>",
		"10 Mar 2025 11:30 UTC", "Your &lt;b&gt;order&lt;/b&gt; shipped.", `<a href="http://gw.test/#/chat/cnv_1" target="_blank" rel="noopener">Open in Convrs</a>`,
		"Transcript logged in HubSpot as a note.", `<a class="button" href="http://gw.test/#/new?hubspotContactId=` + id + `"`, "Start chat in Convrs"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(html, "javascript:alert") {
		t.Error("a javascript: link from the app reached the page")
	}

	gw.mu.Lock()
	req := gw.got[0]
	gw.mu.Unlock()
	q := req.URL.Query()
	if req.Method != http.MethodGet || req.URL.Path != "/hubspot/card/conversations" || q.Get("objectId") != id ||
		q.Get("userId") != "7001" || q.Get("userEmail") != "olivia@x.test" || q.Get("portalId") != itoa(e.portal) || q.Get("appId") == "" {
		t.Errorf("request = %s %s", req.Method, req.URL)
	}
	if !strings.HasPrefix(req.URL.RawQuery, "objectId="+id+"&") {
		t.Errorf("the card's own parameter is not first: %s", req.URL.RawQuery)
	}
	// The gateway's own check accepts it (the sim's clock is its "now"), and only for this exact URL.
	full := gw.srv.URL + req.URL.RequestURI()
	now := e.clock.Now()
	if err := hubspot.VerifyWebhookV3URI(req.Method, full, req.Header, nil, hubspotsim.DefaultClientSecret, now, 0); err != nil {
		t.Errorf("signature: %v", err)
	}
	if err := hubspot.VerifyWebhookV3URI(req.Method, strings.Replace(full, "objectId="+id, "objectId=1", 1), req.Header, nil, hubspotsim.DefaultClientSecret, now, 0); err == nil {
		t.Error("the signature also verifies for another contact")
	}
}

// Every state in words: not connected, nothing yet, unreachable (with a retry link); no card, no panel.
func TestAppCardPanelStates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.ts.SeedContact(e.portal, map[string]string{"firstname": "Ann"}, time.Time{})
	page := "/contacts/" + itoa(e.portal) + "/record/0-1/" + id
	if html := string(e.callAs("", "GET", page, nil).Raw); strings.Contains(html, "appcard-title") {
		t.Error("a panel without an installed card")
	}
	gw := newFakeCardGateway(t)
	if err := e.ts.SetAppCard(hubspotsim.AppCard{FetchURL: gw.srv.URL + "/card"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status int
		answer any
		want   string
	}{
		{200, map[string]any{"connected": false, "conversations": []any{}}, "This HubSpot account is not connected to a Convrs workspace."},
		{200, map[string]any{"connected": true, "conversations": []any{}, "startChatUrl": "http://gw.test/#/new?hubspotContactId=1"}, "No Convrs conversations yet."},
		{503, map[string]any{"error": "down"}, "Convrs is unreachable right now: the app&#39;s server answered HTTP 503."},
		{200, "not an object", "Convrs is unreachable right now: the app&#39;s answer is not the JSON the card expects."},
	} {
		gw.mu.Lock()
		gw.status, gw.answer = tc.status, tc.answer
		gw.mu.Unlock()
		html := string(e.callAs("", "GET", page, nil).Raw)
		if !strings.Contains(html, tc.want) {
			t.Errorf("answer %d %v: page lacks %q", tc.status, tc.answer, tc.want)
		}
		if tc.status != 200 && !strings.Contains(html, `<a href="`+page+`">Try again</a>`) {
			t.Errorf("unreachable without a retry link")
		}
	}
	gw.srv.Close()
	if html := string(e.callAs("", "GET", page, nil).Raw); !strings.Contains(html, "the app&#39;s server could not be reached") {
		t.Error("a closed gateway is not reported unreachable")
	}
	if err := e.ts.SetAppCard(hubspotsim.AppCard{FetchURL: "ftp://x"}); err == nil {
		t.Error("an ftp fetch URL was accepted")
	}
}
