package graph_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/seed"
)

// wsClient speaks graphql-transport-ws to a real server, several operations on one socket.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialWS(t *testing.T, url string) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &wsClient{t: t, conn: conn}, resp, nil
}

func (w *wsClient) send(v map[string]any) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, w.conn, v); err != nil {
		w.t.Fatalf("websocket write: %v", err)
	}
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// read returns the next message other than pings, or the error that ended the socket.
func (w *wsClient) read() (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, w.conn, &m); err != nil {
			return m, err
		}
		if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
			return m, nil
		}
	}
}

func (w *wsClient) init(token string) {
	w.t.Helper()
	w.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}})
	if m, err := w.read(); err != nil || m.Type != "connection_ack" {
		w.t.Fatalf("connection_init: %+v, %v; want connection_ack", m, err)
	}
}

func (w *wsClient) start(id, query string) {
	w.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query}})
}

// result reads the next message of operation id and returns its errors' codes (none: it succeeded).
func (w *wsClient) result(id string) []string {
	w.t.Helper()
	for {
		m, err := w.read()
		if err != nil {
			w.t.Fatalf("waiting for %s: %v", id, err)
		}
		if m.ID != id {
			continue
		}
		var p struct{ Errors []gqlError }
		if m.Type == "error" {
			_ = json.Unmarshal(m.Payload, &p.Errors)
		} else {
			_ = json.Unmarshal(m.Payload, &p)
		}
		codes := []string{}
		for _, e := range p.Errors {
			codes = append(codes, e.code())
		}
		return codes
	}
}

func closeCode(err error) websocket.StatusCode { return websocket.CloseStatus(err) }

// A socket is closed with 4401 when its token expires, even with a subscription running.
func TestWebsocketClosedWhenSessionExpires(t *testing.T) {
	s := newStack(t)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	tok, err := s.signer.Issue(demoStaff[seed.AgentID], 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(tok)
	ws.start("1", `subscription { conversationEvents { kind } }`)
	s.pubsub.waitSubscribed(t, convrs.TopicConversations(seed.WorkspaceID))
	for {
		_, err := ws.read()
		if err == nil {
			continue
		}
		if closeCode(err) != 4401 {
			t.Fatalf("socket ended with %v, want close code 4401", err)
		}
		break
	}
	testkit.Eventually(t, "the connection is counted closed", func() bool { return s.server.Stats().Connections() == 0 && s.server.Stats().Operations() == 0 })
	if n := s.server.Stats().ExpiredClosed(); n != 1 {
		t.Errorf("ExpiredClosed = %d, want 1", n)
	}
}

// Every operation on a socket checks the session: once it has expired, operations answer EUNAUTHORIZED.
func TestWebsocketChecksExpiryOnEveryOperation(t *testing.T) {
	s := newStack(t)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	ws, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(s.token(t, seed.AgentID))
	ws.start("1", `{ me { id } }`)
	if codes := ws.result("1"); len(codes) != 0 {
		t.Fatalf("query before expiry: %v", codes)
	}
	s.clock.Advance(2 * time.Hour) // the token lived for one
	ws.start("2", `{ me { id } }`)
	if codes := ws.result("2"); !slices.Equal(codes, []string{convrs.EUNAUTHORIZED}) {
		t.Errorf("query after expiry: %v, want EUNAUTHORIZED", codes)
	}
	ws.start("3", `subscription { conversationEvents { kind } }`)
	if codes := ws.result("3"); !slices.Equal(codes, []string{convrs.EUNAUTHORIZED}) {
		t.Errorf("subscription after expiry: %v, want EUNAUTHORIZED", codes)
	}
}

// A socket that never sends connection_init is closed after the init timeout, and its count released.
func TestWebsocketInitTimeout(t *testing.T) {
	s := newStackMode(t, true, func(o *graph.ServerOptions) { o.InitTimeout = 200 * time.Millisecond })
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	ws, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.read(); closeCode(err) != 4408 {
		t.Errorf("silent socket: %v, want closed with 4408", err)
	}
	testkit.Eventually(t, "the connection is released", func() bool { return s.server.Stats().Connections() == 0 })
	if n := s.server.Stats().InitTimeouts(); n != 1 {
		t.Errorf("InitTimeouts = %d, want 1", n)
	}
	// A socket that does send connection_init in time is not closed by the timer.
	ok, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ok.init(s.token(t, seed.AgentID))
	ok.start("1", `subscription { conversationEvents { kind } }`)
	s.pubsub.waitSubscribed(t, convrs.TopicConversations(seed.WorkspaceID))
	<-time.After(300 * time.Millisecond) // outlast the init timeout: it must not close an initialised socket
	ok.start("2", `{ me { id } }`)
	if codes := ok.result("2"); len(codes) != 0 {
		t.Errorf("query on an initialised socket: %v", codes)
	}
}

// One socket runs a bounded number of operations; ending one frees its place.
func TestWebsocketOperationCap(t *testing.T) {
	s := newStackMode(t, true, func(o *graph.ServerOptions) { o.MaxOperationsPerConnection = 3 })
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	ws, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(s.token(t, seed.AgentID))
	// The process's subscriptions share one underlying subscription per topic: each is counted running instead.
	running := func(n int64) {
		t.Helper()
		testkit.Eventually(t, "the subscriptions are running", func() bool { return s.server.Stats().Operations() == n })
	}
	for i, id := range []string{"1", "2", "3"} {
		ws.start(id, `subscription { conversationEvents { kind } }`)
		running(int64(i + 1))
	}
	if n := s.server.Stats().Operations(); n != 3 {
		t.Errorf("Operations = %d, want 3", n)
	}
	ws.start("4", `subscription { conversationEvents { kind } }`)
	if codes := ws.result("4"); !slices.Equal(codes, []string{convrs.EINVALID}) {
		t.Errorf("fourth subscription: %v, want refused (EINVALID)", codes)
	}
	if n := s.server.Stats().RefusedOperations(); n != 1 {
		t.Errorf("RefusedOperations = %d, want 1", n)
	}
	ws.send(map[string]any{"id": "2", "type": "complete"})
	testkit.Eventually(t, "the completed subscription is released", func() bool { return s.server.Stats().Operations() == 2 })
	ws.start("5", `subscription { conversationEvents { kind } }`)
	running(3)
}

// The process holds a bounded number of authenticated sockets: a connection_init beyond the cap is closed with
// 4429 until one closes.
func TestWebsocketConnectionCap(t *testing.T) {
	s := newStackMode(t, true, func(o *graph.ServerOptions) { o.MaxConnections = 2 })
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	var open []*wsClient
	for _, staff := range []string{seed.AgentID, seed.AdminID} {
		ws, _, err := dialWS(t, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		ws.init(s.token(t, staff))
		open = append(open, ws)
	}
	third, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	third.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + s.token(t, seed.OtherAdminID)}})
	if err := readUntilClosed(third); closeCode(err) != 4429 {
		t.Fatalf("third socket: %v, want closed with 4429", err)
	}
	if n := s.server.Stats().RefusedConnections(); n != 1 {
		t.Errorf("RefusedConnections = %d, want 1", n)
	}
	_ = open[0].conn.Close(websocket.StatusNormalClosure, "")
	testkit.Eventually(t, "the closed socket is released", func() bool { return s.server.Stats().Connections() == 1 })
	again, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	again.init(s.token(t, seed.OtherAdminID))
}

// readUntilClosed reads messages until the socket ends and returns the error that ended it.
func readUntilClosed(w *wsClient) error {
	for {
		if _, err := w.read(); err != nil {
			return err
		}
	}
}

// dialFrom opens a websocket from the local address ip (any 127.x.y.z on Linux), with extra headers.
func dialFrom(t *testing.T, url, ip string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	t.Cleanup(hc.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{
		HTTPClient: hc, HTTPHeader: header, Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &wsClient{t: t, conn: conn}, resp, nil
}

// A flood of token-less sockets from one address, more than the whole process's cap, neither locks a
// signed-in agent out nor stops their events: unauthenticated sockets have their own small budget, per address.
func TestWebsocketFloodDoesNotLockOutAgents(t *testing.T) {
	s := newStackMode(t, true, func(o *graph.ServerOptions) { o.MaxConnections = 20 })
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	accepted, refused := 0, 0
	for range 40 {
		_, resp, err := dialFrom(t, srv.URL, "127.0.0.1", nil)
		switch {
		case err == nil:
			accepted++
		case resp != nil && resp.StatusCode == http.StatusServiceUnavailable:
			refused++
		default:
			t.Fatalf("flood socket: %v", err)
		}
	}
	if accepted != 10 || refused != 30 {
		t.Errorf("flood: %d accepted, %d refused; want 10 (the per-address pending cap) and 30", accepted, refused)
	}
	if n := s.server.Stats().PendingConnections(); n != 10 {
		t.Errorf("PendingConnections = %d, want 10", n)
	}
	// The agent, from another address, connects while the flood's sockets are open, and gets its events.
	agent, resp, err := dialFrom(t, srv.URL, "127.0.0.2", nil)
	if err != nil {
		t.Fatalf("the agent's socket during the flood: %v (%v)", err, resp)
	}
	agent.init(s.token(t, seed.AgentID))
	agent.start("1", `subscription { conversationEvents { kind } }`)
	s.pubsub.waitSubscribed(t, convrs.TopicConversations(seed.WorkspaceID))
	convID, _ := demoConversation(t, s)
	do(t, s.as(t, seed.AdminID), `mutation($c: ID!) { sendMessage(conversationId: $c, text: "during the flood") { id } }`, "c", convID).decode(t, &struct{}{})
	for {
		m, err := agent.read()
		if err != nil {
			t.Fatalf("the agent's socket ended during the flood: %v", err)
		}
		if m.ID == "1" && m.Type == "next" {
			if !strings.Contains(string(m.Payload), "MESSAGE_ADDED") {
				t.Errorf("event %s", m.Payload)
			}
			break
		}
	}
}

// Authenticated sockets are capped per staff member and per workspace (4429), and production refuses an
// upgrade without Origin (no browser) with 403.
func TestWebsocketCapsPerStaffWorkspaceAndOrigin(t *testing.T) {
	s := newStackMode(t, false, func(o *graph.ServerOptions) {
		o.MaxConnectionsPerStaff, o.MaxConnectionsPerWorkspace, o.RequireOrigin = 2, 3, true
	})
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	origin := http.Header{"Origin": {srv.URL}}
	if _, resp, err := dialFrom(t, srv.URL, "127.0.0.1", nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("socket without Origin: %v (%v), want 403", err, resp)
	}
	initAs := func(staff string) error {
		ws, _, err := dialFrom(t, srv.URL, "127.0.0.1", origin)
		if err != nil {
			t.Fatal(err)
		}
		ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + s.token(t, staff)}})
		m, err := ws.read()
		if err == nil && m.Type == "connection_ack" {
			return nil
		}
		if err == nil {
			err = readUntilClosed(ws)
		}
		return err
	}
	for i := range 2 {
		if err := initAs(seed.AgentID); err != nil {
			t.Fatalf("agent's socket %d: %v", i+1, err)
		}
	}
	if err := initAs(seed.AgentID); closeCode(err) != 4429 {
		t.Errorf("agent's third socket: %v, want 4429", err)
	}
	if err := initAs(seed.AdminID); err != nil {
		t.Fatalf("admin's socket: %v", err)
	}
	if err := initAs(seed.AdminID); closeCode(err) != 4429 {
		t.Errorf("the workspace's fourth socket: %v, want 4429", err)
	}
	if err := initAs(seed.OtherAdminID); err != nil {
		t.Errorf("another workspace's socket: %v", err)
	}
}

// Roles and existence are read per request (cached for seconds at most), not taken from the token.
func TestSessionFollowsStaffChanges(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	admin, agent := s.as(t, seed.AdminID), s.as(t, seed.AgentID)
	do(t, admin, operations["updateWorkspaceSettings"].query).decode(t, &struct{}{})

	if err := s.db.SetStaffRole(ctx, seed.AdminID, convrs.RoleAgent); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(3 * time.Second) // past the session cache
	for _, op := range []string{"updateWorkspaceSettings", "connectHubspot", "saveHubspotOptions"} {
		do(t, admin, operations[op].query).wantError(t, convrs.EFORBIDDEN, "")
	}
	var me struct {
		Me struct{ Role string } `json:"me"`
	}
	do(t, admin, `{ me { role } }`).decode(t, &me)
	if me.Me.Role != "AGENT" {
		t.Errorf("demoted admin's role = %s", me.Me.Role)
	}

	if err := s.db.DeleteStaff(ctx, seed.AgentID); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(3 * time.Second)
	e := do(t, agent, `{ conversations { id } }`).wantError(t, convrs.EUNAUTHORIZED, "")
	if e.Message != "Sign in to continue." {
		t.Errorf("deleted staff: %q", e.Message)
	}
	// A deleted staff member's token no longer opens a websocket.
	sub := client.New(s.handler).WebsocketWithPayload(`subscription { conversationEvents { kind } }`, map[string]any{"authorization": "Bearer " + s.token(t, seed.AgentID)})
	defer sub.Close()
	if err := sub.Next(&struct{}{}); err == nil || !strings.Contains(err.Error(), "connection_error") {
		t.Errorf("websocket of a deleted staff member: %v, want refused", err)
	}
}

// A conversation list's messages and assigned agents are read in one batch each, and messages page backwards.
func TestConversationFieldsAreBatchedAndPaged(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	s.staff.find.Store(0)
	var list struct {
		Conversations []struct {
			ID            string                      `json:"id"`
			AssignedAgent *struct{ Name string }      `json:"assignedAgent"`
			Messages      []struct{ ID, Text string } `json:"messages"`
		} `json:"conversations"`
	}
	do(t, agent, `{ conversations(first: 50) { id assignedAgent { name } messages(last: 50) { id text } } }`).decode(t, &list)
	if len(list.Conversations) < 10 {
		t.Fatalf("%d demo conversations", len(list.Conversations))
	}
	// The property, not the timing: on a loaded machine a list may take more than one batch (the loaders
	// wait 5 ms), but never a read per conversation.
	n := int64(len(list.Conversations))
	if one, many := s.conversations.list.Load(), s.conversations.listOf.Load(); one != 0 || many < 1 || many > n/4 {
		t.Errorf("message reads for %d conversations: %d one by one, %d batched; want 0 and a few batches", n, one, many)
	}
	if one, many := s.staff.find.Load(), s.staff.findMany.Load(); one > 1 || many < 1 || many > n/4 {
		t.Errorf("staff reads for %d conversations: %d one by one (the session check may be one), %d batched; want ≤1 and a few batches", n, one, many)
	}
	// The batched messages are each conversation's own, oldest first.
	ctx := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: seed.AgentID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAgent})
	var longest []string
	var longestID string
	for _, c := range list.Conversations {
		want, err := s.db.ListMessages(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wantIDs, gotIDs []string
		for _, m := range want {
			wantIDs = append(wantIDs, m.ID)
		}
		for _, m := range c.Messages {
			gotIDs = append(gotIDs, m.ID)
		}
		if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
			t.Errorf("conversation %s messages (-want +got):\n%s", c.ID, diff)
		}
		if len(wantIDs) > len(longest) {
			longest, longestID = wantIDs, c.ID
		}
	}
	if len(longest) < 3 {
		t.Fatalf("no demo conversation with 3 messages")
	}
	page := func(vars ...any) []string {
		var out struct {
			Conversation struct {
				Messages []struct{ ID string } `json:"messages"`
			} `json:"conversation"`
		}
		do(t, agent, `query($c: ID!, $last: Int, $before: ID) { conversation(id: $c) { messages(last: $last, before: $before) { id } } }`, append([]any{"c", longestID}, vars...)...).decode(t, &out)
		var ids []string
		for _, m := range out.Conversation.Messages {
			ids = append(ids, m.ID)
		}
		return ids
	}
	k := len(longest)
	if diff := cmp.Diff(longest[k-2:], page("last", 2)); diff != "" {
		t.Errorf("last 2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(longest[k-3:k-1], page("last", 2, "before", longest[k-1])); diff != "" {
		t.Errorf("2 before the last (-want +got):\n%s", diff)
	}
	// Page sizes the complexity estimate could not trust are refused.
	for _, bad := range []int{0, -1, 201} {
		do(t, agent, `query($n: Int) { conversations(first: $n) { id } }`, "n", bad).wantError(t, convrs.EINVALID, "first")
		do(t, agent, `query($n: Int) { customers(first: $n) { id } }`, "n", bad).wantError(t, convrs.EINVALID, "first")
	}
	for _, bad := range []int{0, -1, 1001} {
		do(t, agent, `query($c: ID!) { conversation(id: $c) { messages(last: `+strings.TrimSpace(jsonInt(bad))+`) { id } } }`, "c", longestID).wantError(t, convrs.EINVALID, "last")
	}
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

// A NUL character in any argument, literal or variable, is EINVALID before anything reads the database.
func TestNULInArgumentsIsInvalid(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	convID, custID := demoConversation(t, s)
	for name, tc := range map[string]struct {
		query string
		vars  []any
		field string
	}{
		"id literal":         {`{ conversation(id: "cnv_\u0000") { id } }`, nil, "id"},
		"message variable":   {`mutation($c: ID!, $t: String!) { sendMessage(conversationId: $c, text: $t) { id } }`, []any{"c", convID, "t", "hi\x00"}, "t"},
		"search":             {`query($q: String) { customers(query: $q) { id } }`, []any{"q", "\x00"}, "q"},
		"input object field": {`mutation($id: ID!) { updateCustomer(id: $id, input: {lastName: "A\u0000"}) { id } }`, []any{"id", custID}, "lastName"},
		"input variable":     {`mutation($in: WorkspaceSettingsInput!) { updateWorkspaceSettings(input: $in) { id } }`, []any{"in", map[string]any{"timeZone": "Europe/\x00"}}, "timeZone"},
	} {
		t.Run(name, func(t *testing.T) {
			e := do(t, agent, tc.query, tc.vars...).wantError(t, convrs.EINVALID, tc.field)
			if !strings.Contains(e.Message, "NUL") {
				t.Errorf("message %q", e.Message)
			}
		})
	}
}

// The authorization table: every operation × every kind of caller, with the outcome each must get.
func TestAuthorizationMatrix(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	convID, custID := demoConversation(t, s)
	s.syncRecordFor(t, convID)
	// A second admin of the demo workspace, demoted to agent once their token is issued.
	demoted := &convrs.Staff{WorkspaceID: seed.WorkspaceID, Name: "Dee Moted", Email: "dee@acme.test", Role: convrs.RoleAdmin}
	if err := s.db.CreateStaff(ctx, demoted); err != nil {
		t.Fatal(err)
	}
	demotedTok, err := s.signer.Issue(convrs.Principal{StaffID: demoted.ID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAdmin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.SetStaffRole(ctx, demoted.ID, convrs.RoleAgent); err != nil {
		t.Fatal(err)
	}
	expired, err := s.signer.Issue(demoStaff[seed.AdminID], -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	type caller struct {
		name, token, workspace string
		admin, foreign         bool
	}
	callers := []caller{
		{name: "no token"},
		{name: "expired token", token: expired},
		{name: "agent", token: s.token(t, seed.AgentID), workspace: seed.WorkspaceID},
		{name: "admin of another workspace", token: s.token(t, seed.OtherAdminID), workspace: seed.OtherWorkspaceID, admin: true, foreign: true},
		{name: "admin", token: s.token(t, seed.AdminID), workspace: seed.WorkspaceID, admin: true},
		{name: "demoted admin", token: demotedTok, workspace: seed.WorkspaceID},
	}
	// want is the outcome: "EUNAUTHORIZED", "EFORBIDDEN", "hidden" (ENOTFOUND or null: another workspace's
	// object) or "allowed" (past authorization: data, or a domain error such as ECONFLICT).
	want := func(o operation, c caller) string {
		switch {
		case c.workspace == "":
			return convrs.EUNAUTHORIZED
		case o.admin && !c.admin:
			return convrs.EFORBIDDEN
		case o.scoped && c.foreign:
			return "hidden"
		}
		return "allowed"
	}
	names := make([]string, 0, len(operations))
	for name := range operations {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		o := operations[name]
		for _, c := range callers {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				exp := want(o, c)
				if o.topic != nil {
					query := strings.ReplaceAll(o.query, "$cust", custID)
					sub := client.New(s.handler).WebsocketWithPayload(query, map[string]any{"authorization": "Bearer " + c.token})
					defer sub.Close()
					switch exp {
					case convrs.EUNAUTHORIZED:
						if err := sub.Next(&struct{}{}); err == nil || !strings.Contains(err.Error(), "connection_error") {
							t.Errorf("got %v, want the connection refused", err)
						}
					case "hidden":
						// Another workspace's customer: refused before anything is subscribed.
						if err := sub.Next(&struct{}{}); err == nil || !strings.Contains(err.Error(), convrs.ENOTFOUND) {
							t.Errorf("got %v, want ENOTFOUND", err)
						}
					case "allowed":
						// Panels of one customer share a watch, and a process's conversationEvents subscribers one
						// pub/sub subscription per workspace, so the proof is an update arriving: announce one until
						// it does.
						switch name {
						case "hubspotContactUpdated":
							receiveWhilePublishing(t, s, sub, convrs.TopicHubspotContact(c.workspace, custID), []byte("changed"))
							return
						case "conversationEvents":
							receiveWhilePublishing(t, s, sub, convrs.TopicConversations(c.workspace), conversationEventIn(t, s, c.workspace))
							return
						}
						s.pubsub.waitSubscribed(t, o.topic(c.workspace))
					}
					return
				}
				var opts []client.Option
				if c.token != "" {
					opts = append(opts, client.AddHeader("Authorization", "Bearer "+c.token))
				}
				r := o.run(t, client.New(s.handler, opts...), convID, custID)
				got := "allowed"
				if len(r.Errors) > 0 {
					switch code := r.Errors[0].code(); code {
					case convrs.EUNAUTHORIZED, convrs.EFORBIDDEN:
						got = code
					case convrs.ENOTFOUND:
						got = "hidden"
					}
				} else if string(r.Data) == `{"`+name+`":null}` {
					got = "hidden"
				}
				if got != exp {
					t.Errorf("got %s, want %s: %s", got, exp, r.raw)
				}
			})
		}
	}
}

// receiveWhilePublishing publishes on topic every 20 ms until sub gets an event (10 s at most).
func receiveWhilePublishing(t *testing.T, s *stack, sub *client.Subscription, topic string, payload []byte) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		var v map[string]any
		done <- sub.Next(&v)
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("subscription: %v", err)
			}
			return
		case <-tick.C:
			_ = s.pubsub.Publish(context.Background(), topic, payload)
		case <-deadline:
			_ = sub.Close()
			t.Fatal("no update within 10 s")
		}
	}
}

// conversationEventIn is an event of one of the workspace's conversations, as the store publishes it.
func conversationEventIn(t *testing.T, s *stack, workspaceID string) []byte {
	t.Helper()
	ctx := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: "reader", WorkspaceID: workspaceID, Role: convrs.RoleAgent})
	convs, err := s.db.ListConversations(ctx, convrs.ConversationFilter{Limit: 1})
	if err != nil || len(convs) == 0 {
		t.Fatalf("a conversation of %s: %v", workspaceID, err)
	}
	b, _ := json.Marshal(convrs.ConversationEvent{Kind: convrs.ConversationEventReopened, WorkspaceID: workspaceID, ConversationID: convs[0].ID})
	return b
}

// A socket whose staff member is removed is closed (4401), even if it only listens.
func TestWebsocketClosedWhenStaffRemoved(t *testing.T) {
	s := newStackMode(t, true, func(o *graph.ServerOptions) { o.SessionRecheckInterval = 20 * time.Millisecond })
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	ws, _, err := dialWS(t, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(s.token(t, seed.AgentID))
	ws.start("1", `subscription { conversationEvents { kind } }`)
	s.pubsub.waitSubscribed(t, convrs.TopicConversations(seed.WorkspaceID))
	if err := s.db.DeleteStaff(context.Background(), seed.AgentID); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(3 * time.Second) // past the session cache
	for {
		if _, err := ws.read(); err != nil {
			if closeCode(err) != 4401 {
				t.Fatalf("socket ended with %v, want 4401", err)
			}
			return
		}
	}
}

// A subscription's events show the conversation as stored now: the operation's loaders do not serve what an
// earlier event loaded.
func TestSubscriptionEventsAreNotServedFromTheLoaderCache(t *testing.T) {
	s := newStack(t)
	sam := s.as(t, seed.AgentID)
	convID, _ := demoConversation(t, s)
	sub := s.subscribe(t, seed.AdminID, `subscription { conversationEvents { conversation { messages(last: 1) { text } } } }`,
		convrs.TopicConversations(seed.WorkspaceID))
	for _, text := range []string{"first reply", "second reply"} {
		do(t, sam, `mutation($c: ID!, $t: String!) { sendMessage(conversationId: $c, text: $t) { id } }`, "c", convID, "t", text).decode(t, &struct{}{})
		var ev struct {
			ConversationEvents struct {
				Conversation struct {
					Messages []struct{ Text string } `json:"messages"`
				} `json:"conversation"`
			} `json:"conversationEvents"`
		}
		next(t, sub, &ev)
		if m := ev.ConversationEvents.Conversation.Messages; len(m) != 1 || m[0].Text != text {
			t.Errorf("event after %q shows %+v", text, m)
		}
	}
}
