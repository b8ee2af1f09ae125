package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

const (
	cardSecret = "card-test-secret"
	cardPublic = "https://convrs.example.com"
)

// cardFixture is a workspace connected to portal 77 whose agent (sam@test.test) chats with Alice, contact 501.
type cardFixture struct {
	db      *store.DB
	h       *hubspotCardHandler
	now     time.Time
	open    *convrs.Conversation
	closed  *convrs.Conversation
	aliceID string
}

func newCardFixture(t *testing.T) *cardFixture {
	t.Helper()
	db := storetest.OpenDB(t, "sqlite")
	admin, agent := hubtest.Workspace(t, db, convrs.Workspace{ID: "ws_card", Name: "Card", DefaultRegion: "GB", TimeZone: "Europe/London"})
	if _, _, err := db.SaveHubspotConnection(admin, convrs.HubspotConnection{WorkspaceID: "ws_card", PortalID: 77, ConnectedBy: hubtest.AdminID}); err != nil {
		t.Fatal(err)
	}
	email, first := "alice@example.com", "Alice"
	open, err := db.StartConversation(agent, convrs.StartConversationInput{Customer: convrs.CustomerInput{Email: &email, FirstName: &first},
		Channel: "email", Message: "Hello Alice,\n  your order   shipped today."})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LinkHubspotContact(admin, open.CustomerID, 77, "501", convrs.HubspotLinkSource{}); err != nil {
		t.Fatal(err)
	}
	closed, err := db.StartConversation(agent, convrs.StartConversationInput{CustomerID: open.CustomerID, Channel: "web", Message: "Earlier chat"})
	if err != nil {
		t.Fatal(err)
	}
	if closed, err = db.CloseConversation(agent, closed.ID); err != nil {
		t.Fatal(err)
	}
	f := &cardFixture{db: db, now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), open: open, closed: closed, aliceID: open.CustomerID}
	f.h = newHubspotCardHandler(cardSecret, cardPublic+"/", db, f.limiter(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.h.now = func() time.Time { return f.now }
	return f
}

// limiter is a fresh in-process limiter on the fixture's clock.
func (f *cardFixture) limiter() convrs.Limiter {
	return cache.NewMemory(cache.WithClock(func() time.Time { return f.now })).Limiter()
}

// cardQuery is the query hubspot.fetch sends: the card's objectId, then what HubSpot adds.
func cardQuery(portal, contact, email string) string {
	return "objectId=" + contact + "&userId=9001&userEmail=" + url.QueryEscape(email) + "&portalId=" + portal + "&appId=4242"
}

// cardSigned is the request HubSpot sends for query, signed for signedURL (normally the same URL) at ts.
func cardSigned(query, signedURL string, ts time.Time, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, HubspotCardPath+"?"+query, nil)
	if signedURL == "" {
		signedURL = cardPublic + HubspotCardPath + "?" + query
	}
	stamp := strconv.FormatInt(ts.UnixMilli(), 10)
	r.Header.Set(hubspot.HeaderSignatureV3, hubspot.SignWebhookV3(secret, http.MethodGet, signedURL, nil, stamp))
	r.Header.Set(hubspot.HeaderRequestTimestamp, stamp)
	return r
}

func (f *cardFixture) do(r *http.Request) (*httptest.ResponseRecorder, cardAnswer) {
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	var a cardAnswer
	if w.Code == http.StatusOK {
		_ = json.Unmarshal(w.Body.Bytes(), &a)
	}
	return w, a
}

// HubSpot's signed request gets the contact's conversations, open first, in the card's words; the staff member
// whose email HubSpot names sees their own marked.
func TestHubspotCardListsTheContactsConversations(t *testing.T) {
	f := newCardFixture(t)
	w, a := f.do(cardSigned(cardQuery("77", "501", "SAM@test.test"), "", f.now, cardSecret))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if !a.Connected || len(a.Conversations) != 2 || a.More {
		t.Fatalf("answer = %+v", a)
	}
	open, closed := a.Conversations[0], a.Conversations[1]
	want := cardConversation{Channel: "email", ChannelLabel: "Email", Status: "open", AssignedAgent: "Sam Agent", Mine: true,
		LastMessageAt: f.open.LastMessageAt.UTC().Format(time.RFC3339), Preview: "Hello Alice, your order shipped today.",
		OpenURL: cardPublic + "/#/chat/" + f.open.ID}
	if open != want {
		t.Errorf("open conversation = %+v\nwant %+v", open, want)
	}
	if closed.Status != "closed" || closed.ChannelLabel != "Web chat" || closed.Preview != "Earlier chat" || closed.OpenURL != cardPublic+"/#/chat/"+f.closed.ID ||
		closed.Sync != "Transcript not logged in HubSpot: syncing was off when the chat closed." {
		t.Errorf("closed conversation = %+v", closed)
	}
	if a.StartChatURL != cardPublic+"/#/new?hubspotContactId=501" {
		t.Errorf("startChatUrl = %q", a.StartChatURL)
	}
	// Nothing internal beyond the conversations' own IDs in their links: no workspace, customer or staff IDs.
	for _, secret := range []string{"ws_card", f.aliceID, hubtest.AgentID, "alice@example.com"} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("the answer carries %q:\n%s", secret, w.Body)
		}
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}

	// Another HubSpot user: nothing is theirs.
	_, a = f.do(cardSigned(cardQuery("77", "501", "someone@else.test"), "", f.now, cardSecret))
	if len(a.Conversations) != 2 || a.Conversations[0].Mine || a.Conversations[1].Mine {
		t.Errorf("another user's answer = %+v", a.Conversations)
	}
}

// The transcript's sync outcome of a closed conversation, in words.
func TestHubspotCardSyncInWords(t *testing.T) {
	for status, want := range map[convrs.HubspotSyncStatus]string{
		convrs.SyncSynced:  "Transcript logged in HubSpot as a note.",
		convrs.SyncQueued:  "Transcript being logged in HubSpot.",
		convrs.SyncWaiting: "Transcript waiting to be logged in HubSpot: HubSpot is unreachable.",
		convrs.SyncFailed:  "Transcript could not be logged in HubSpot: HubSpot is unreachable.",
	} {
		if got := syncInWords(&convrs.HubspotSync{Status: status, Reason: "HubSpot is unreachable."}); got != want {
			t.Errorf("%s: %q, want %q", status, got, want)
		}
	}
}

// Only HubSpot's requests for exactly this URL, within five minutes, with the app's secret, are answered.
func TestHubspotCardRefusesWhatHubspotDidNotSign(t *testing.T) {
	f := newCardFixture(t)
	q := cardQuery("77", "501", "sam@test.test")
	noSig := httptest.NewRequest(http.MethodGet, HubspotCardPath+"?"+q, nil)
	for name, r := range map[string]*http.Request{
		"no signature":       noSig,
		"another secret":     cardSigned(q, "", f.now, "not-the-secret"),
		"stale timestamp":    cardSigned(q, "", f.now.Add(-6*time.Minute), cardSecret),
		"future timestamp":   cardSigned(q, "", f.now.Add(6*time.Minute), cardSecret),
		"another contact":    cardSigned(cardQuery("77", "502", "sam@test.test"), cardPublic+HubspotCardPath+"?"+q, f.now, cardSecret),
		"another portal":     cardSigned(cardQuery("78", "501", "sam@test.test"), cardPublic+HubspotCardPath+"?"+q, f.now, cardSecret),
		"another host":       cardSigned(q, "https://evil.example.com"+HubspotCardPath+"?"+q, f.now, cardSecret),
		"another path":       cardSigned(q, cardPublic+"/webhooks/hubspot?"+q, f.now, cardSecret),
		"the email replaced": cardSigned(cardQuery("77", "501", "ada@test.test"), cardPublic+HubspotCardPath+"?"+q, f.now, cardSecret),
	} {
		w, _ := f.do(r)
		if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "Alice") {
			t.Errorf("%s: status %d, body %s", name, w.Code, w.Body)
		}
	}
	// A signed request with a missing or malformed contact or portal is refused without reading anything.
	for _, q := range []string{"userEmail=a%40b.c&portalId=77", "objectId=abc&portalId=77", "objectId=501&portalId=x", "objectId=501"} {
		if w, _ := f.do(cardSigned(q, "", f.now, cardSecret)); w.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d", q, w.Code)
		}
	}
}

// A portal answers only about its own contacts: an unconnected portal is told so, a contact with no
// conversations gets none, and the same contact ID in another portal is another contact.
func TestHubspotCardAnswersOnlyAboutThePortalsContact(t *testing.T) {
	f := newCardFixture(t)
	w, a := f.do(cardSigned(cardQuery("88", "501", "sam@test.test"), "", f.now, cardSecret))
	if w.Code != http.StatusOK || a.Connected || len(a.Conversations) != 0 || a.StartChatURL != "" {
		t.Errorf("unconnected portal: %d %+v", w.Code, a)
	}
	_, a = f.do(cardSigned(cardQuery("77", "999", "sam@test.test"), "", f.now, cardSecret))
	if !a.Connected || len(a.Conversations) != 0 || a.StartChatURL != cardPublic+"/#/new?hubspotContactId=999" {
		t.Errorf("contact without conversations: %+v", a)
	}
}

// A portal's rate is shared by every gateway process (through Redis): HubSpot's requests spread over two
// processes still get cardRequestsPerMinute a minute between them, not that many each.
func TestHubspotCardRateIsSharedAcrossProcesses(t *testing.T) {
	rdb, err := cache.OpenRedis(testkit.RedisURL(t))
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	t.Cleanup(func() { rdb.Close() })
	f := newCardFixture(t)
	f.now = time.Now() // the Redis limiter keeps real time; HubSpot's signatures are checked against f.now
	shared := cache.NewRedis(rdb, "cardrate:"+rand.Text()+":").Limiter()
	other := newHubspotCardHandler(cardSecret, cardPublic+"/", f.db, shared, slog.New(slog.NewTextHandler(io.Discard, nil)))
	other.now = f.h.now
	f.h.limiter = shared
	for i := range cardRequestsPerMinute {
		h := f.h
		if i%2 == 1 {
			h = other
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, cardSigned(cardQuery("77", "501", ""), "", f.now, cardSecret))
		if w.Code != http.StatusOK {
			t.Fatalf("request %d of the minute, on process %d: %d %s", i+1, i%2+1, w.Code, w.Body)
		}
	}
	for n, h := range []*hubspotCardHandler{f.h, other} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, cardSigned(cardQuery("77", "501", ""), "", f.now, cardSecret))
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Errorf("process %d, past the portal's minute: %d (Retry-After %q)", n+1, w.Code, w.Header().Get("Retry-After"))
		}
	}
	w := httptest.NewRecorder()
	other.ServeHTTP(w, cardSigned(cardQuery("78", "501", ""), "", f.now, cardSecret))
	if w.Code != http.StatusOK {
		t.Errorf("another portal is held back by this one's minute: %d", w.Code)
	}
}

// Bounds: a long URL is refused before anything else; a portal gets at most 20 requests at once and 120 a
// minute (429 with Retry-After); the answer is bounded in conversations and preview length.
func TestHubspotCardBounds(t *testing.T) {
	f := newCardFixture(t)
	long := cardQuery("77", "501", "sam@test.test") + "&pad=" + strings.Repeat("x", cardMaxQueryBytes)
	if w, _ := f.do(cardSigned(long, "", f.now, cardSecret)); w.Code != http.StatusRequestURITooLong {
		t.Errorf("long query: %d", w.Code)
	}

	var held []func()
	for range cardConcurrentByPortal {
		release, _ := f.h.take(context.Background(), 77)
		if release == nil {
			t.Fatal("a request within the concurrency was refused")
		}
		held = append(held, release)
	}
	w, _ := f.do(cardSigned(cardQuery("77", "501", ""), "", f.now, cardSecret))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("the 21st concurrent request: %d (Retry-After %q)", w.Code, w.Header().Get("Retry-After"))
	}
	if w, _ := f.do(cardSigned(cardQuery("78", "501", ""), "", f.now, cardSecret)); w.Code != http.StatusOK {
		t.Errorf("another portal is held back by this one's requests: %d", w.Code)
	}
	for _, release := range held {
		release()
	}
	f.h.portals, f.h.limiter = map[int64]*portalBudget{}, f.limiter()
	for i := range cardRequestsPerMinute {
		if w, _ := f.do(cardSigned(cardQuery("77", "501", ""), "", f.now, cardSecret)); w.Code != http.StatusOK {
			t.Fatalf("request %d of the minute: %d", i+1, w.Code)
		}
	}
	w, _ = f.do(cardSigned(cardQuery("77", "501", ""), "", f.now, cardSecret))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "60" {
		t.Errorf("request %d of the minute: %d, Retry-After %q", cardRequestsPerMinute+1, w.Code, w.Header().Get("Retry-After"))
	}
	f.now = f.now.Add(time.Minute)
	if w, _ := f.do(cardSigned(cardQuery("77", "501", ""), "", f.now, cardSecret)); w.Code != http.StatusOK {
		t.Errorf("a minute later: %d", w.Code)
	}

	if got := preview(strings.Repeat("é", 500), cardPreviewRunes); len([]rune(got)) != cardPreviewRunes || !strings.HasSuffix(got, "…") {
		t.Errorf("preview of 500 characters = %d characters", len([]rune(got)))
	}
}

// The route is registered: an unsigned request gets 401 from the app, not the console's index.html.
func TestHubspotCardRoute(t *testing.T) {
	app := newTestApp(t)
	if w := serve(t, app, http.MethodGet, HubspotCardPath+"?objectId=1&portalId=1", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned request: %d %s", w.Code, w.Body)
	}
}

// Two workspaces connected to one portal: both answer, each conversation names its workspace, and open ones come
// first across them.
func TestHubspotCardSeveralWorkspaces(t *testing.T) {
	f := newCardFixture(t)
	ctx := t.Context()
	if err := f.db.CreateWorkspace(ctx, &convrs.Workspace{ID: "ws_two", Name: "Second", DefaultRegion: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateStaff(ctx, &convrs.Staff{ID: "stf_two", WorkspaceID: "ws_two", Name: "Tess Two", Email: "tess@two.test", Role: convrs.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	two := convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: "stf_two", WorkspaceID: "ws_two", Role: convrs.RoleAdmin})
	if _, _, err := f.db.SaveHubspotConnection(two, convrs.HubspotConnection{WorkspaceID: "ws_two", PortalID: 77, ConnectedBy: "stf_two"}); err != nil {
		t.Fatal(err)
	}
	email := "alice@example.com"
	conv, err := f.db.StartConversation(two, convrs.StartConversationInput{Customer: convrs.CustomerInput{Email: &email}, Channel: "email", Message: "From the second"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.LinkHubspotContact(two, conv.CustomerID, 77, "501", convrs.HubspotLinkSource{}); err != nil {
		t.Fatal(err)
	}
	_, a := f.do(cardSigned(cardQuery("77", "501", "tess@two.test"), "", f.now, cardSecret))
	if len(a.Conversations) != 3 {
		t.Fatalf("answer = %+v", a)
	}
	var order []string
	for _, c := range a.Conversations {
		order = append(order, c.Workspace+"/"+c.Status+"/"+c.Preview)
	}
	want := []string{"Second/open/From the second", "Card/open/Hello Alice, your order shipped today.", "Card/closed/Earlier chat"}
	if strings.Join(order, " | ") != strings.Join(want, " | ") {
		t.Errorf("order = %q\nwant    %q", order, want)
	}
	if !a.Conversations[0].Mine || a.Conversations[1].Mine {
		t.Errorf("mine: %+v", a.Conversations)
	}
}
