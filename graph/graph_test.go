package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/convrs/gateway/auth"
	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubsync"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/seed"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

// demoStaff are the seeded staff members tests sign in as.
var demoStaff = map[string]convrs.Principal{
	seed.AdminID:      {StaffID: seed.AdminID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAdmin},
	seed.AgentID:      {StaffID: seed.AgentID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAgent},
	seed.OtherAdminID: {StaffID: seed.OtherAdminID, WorkspaceID: seed.OtherWorkspaceID, Role: convrs.RoleAdmin},
}

// stack is the production GraphQL stack, wired as server/routes.go wires it, on a fresh SQLite database holding
// the demo data.
type stack struct {
	db        *store.DB
	box       *secret.Box
	signer    *auth.Signer
	pubsub    *watchedPubSub
	customers *countingCustomers
	syncs     *countingSyncs
	// conversations and staff count the reads that could be N+1.
	conversations *countingConversations
	staff         *countingStaff
	clock         *testkit.Clock
	server        *graph.Server
	handler       http.Handler
}

func newStack(t *testing.T) *stack { return newStackMode(t, true) }

// newStackMode builds the stack in the demo console's mode (demo) or in production's.
func newStackMode(t testing.TB, demo bool, configure ...func(*graph.ServerOptions)) *stack {
	t.Helper()
	return newStackOn(t, demo, pubsub.NewMemory(), configure...)
}

// newStackOn builds the stack on the pub/sub mem (in process or Redis).
func newStackOn(t testing.TB, demo bool, mem convrs.PubSub, configure ...func(*graph.ServerOptions)) *stack {
	t.Helper()
	ctx := context.Background()
	db := storetest.OpenDB(t, "sqlite")
	if _, err := seed.Demo(ctx, db); err != nil {
		t.Fatalf("seed: %v", err)
	}
	db.Events = mem
	signer, err := auth.NewSigner([]byte("graph-test-session-secret-of-32-bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	kv := cache.NewMemory()
	logger := slog.New(slog.DiscardHandler)
	hub := integration.New(integration.Config{
		Store: db,
		OAuth: &hubspot.OAuthConfig{
			ClientID: "test-client", ClientSecret: "test-secret",
			RedirectURL: "http://gateway.test" + integration.CallbackPath,
			Scopes:      integration.RequiredScopes,
			AppURL:      "http://hubspot.test", APIURL: "http://hubspot.test",
		},
		APIURL:    "http://hubspot.test",
		PublicURL: "http://gateway.test",
		Cache:     kv, Locker: kv, Limiter: kv.Limiter(), PubSub: mem,
		Box: box, Logger: logger,
	})
	s := &stack{
		db: db, box: box, signer: signer,
		pubsub:    &watchedPubSub{PubSub: mem, subscribed: make(chan string, 16)},
		customers: &countingCustomers{CustomerService: db},
		clock:     testkit.NewClock(time.Now()),
	}
	s.conversations = &countingConversations{ConversationService: db}
	s.syncs = &countingSyncs{HubspotSyncService: &hubsync.Service{Store: db, PubSub: s.pubsub}}
	s.staff = &countingStaff{StaffService: db}
	card := contactcard.New(contactcard.Config{
		Store: db, Clients: hub, Matcher: match.New(match.Config{Links: db, Locker: kv, Logger: logger}),
		Cache: kv, Locker: kv, PubSub: s.pubsub, Logger: logger,
	})
	r := &graph.Resolver{
		WorkspaceService: db, StaffService: s.staff, CustomerService: s.customers, ConversationService: card.Outbound(s.conversations),
		HubspotService: hub, HubspotContactService: card, HubspotLinkService: card, HubspotSyncService: s.syncs, PubSub: s.pubsub, Logger: logger, Demo: demo,
		Limiter: kv.Limiter(),
	}
	opts := graph.ServerOptions{Authenticate: signer.WebsocketInit, Introspection: demo, Now: s.clock.Now}
	for _, f := range configure {
		f(&opts)
	}
	s.server = graph.NewServer(r, opts)
	s.handler = signer.Middleware(s.server)
	return s
}

// token returns a valid session token of a seeded staff member.
func (s *stack) token(t testing.TB, staffID string) string {
	t.Helper()
	p, ok := demoStaff[staffID]
	if !ok {
		t.Fatalf("no demo staff %q", staffID)
	}
	tok, err := s.signer.Issue(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// as returns a client that sends staffID's token on every request.
func (s *stack) as(t *testing.T, staffID string) *client.Client {
	t.Helper()
	return client.New(s.handler, client.AddHeader("Authorization", "Bearer "+s.token(t, staffID)))
}

// connectHubspot stores a HubSpot connection for the demo workspace, as a completed OAuth handshake would. The
// sealed tokens are fake: nothing here calls HubSpot.
func (s *stack) connectHubspot(t *testing.T) {
	t.Helper()
	seal := func(v, which string) string {
		out, err := s.box.Seal(v, "hubspot:"+which+":"+seed.WorkspaceID)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	_, _, err := s.db.SaveHubspotConnection(context.Background(), convrs.HubspotConnection{
		WorkspaceID: seed.WorkspaceID, PortalID: 4242, UIDomain: "app-eu1.hubspot.com", HubUserEmail: "ada@acme.test",
		Scopes: integration.RequiredScopes, AccessTokenEnc: seal("fake-access", "access"), RefreshTokenEnc: seal("fake-refresh", "refresh"),
		TokenExpiresAt: time.Now().Add(time.Hour), ConnectedBy: seed.AdminID,
	})
	if err != nil {
		t.Fatalf("save connection: %v", err)
	}
}

// subscribe opens a websocket subscription as staffID and returns once the resolver subscribed to topic, so
// that events published from then on reach it.
func (s *stack) subscribe(t *testing.T, staffID, query, topic string) *client.Subscription {
	t.Helper()
	sub := client.New(s.handler).WebsocketWithPayload(query, map[string]any{"authorization": "Bearer " + s.token(t, staffID)})
	t.Cleanup(func() { _ = sub.Close() })
	s.pubsub.waitSubscribed(t, topic)
	return sub
}

// subscribeRaw opens a websocket subscription as staffID without waiting for anything.
func (s *stack) subscribeRaw(t *testing.T, staffID, query string) *client.Subscription {
	t.Helper()
	sub := client.New(s.handler).WebsocketWithPayload(query, map[string]any{"authorization": "Bearer " + s.token(t, staffID)})
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

// watchedPubSub reports each Subscribe, so that tests publish only once a subscription is in place.
type watchedPubSub struct {
	convrs.PubSub
	subscribed chan string
}

func (w *watchedPubSub) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	ch, err := w.PubSub.Subscribe(ctx, topic)
	if err == nil {
		w.subscribed <- topic
	}
	return ch, err
}

func (w *watchedPubSub) waitSubscribed(t *testing.T, topic string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-w.subscribed:
			if got == topic {
				return
			}
		case <-deadline:
			t.Fatalf("no subscription to %s within 10s", topic)
		}
	}
}

// countingCustomers counts the customer lookups, to show that a list's customers are loaded in one batch.
type countingCustomers struct {
	convrs.CustomerService
	find, findMany atomic.Int64
}

func (c *countingCustomers) FindCustomer(ctx context.Context, id string) (*convrs.Customer, error) {
	c.find.Add(1)
	return c.CustomerService.FindCustomer(ctx, id)
}

func (c *countingCustomers) FindCustomers(ctx context.Context, ids []string) ([]*convrs.Customer, error) {
	c.findMany.Add(1)
	return c.CustomerService.FindCustomers(ctx, ids)
}

// countingConversations counts message reads, one by one and batched.
type countingConversations struct {
	convrs.ConversationService
	list, listOf atomic.Int64
	finds        sync.Map // conversation ID → *atomic.Int64: FindConversation calls
}

func (c *countingConversations) FindConversation(ctx context.Context, id string) (*convrs.Conversation, error) {
	n, _ := c.finds.LoadOrStore(id, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	return c.ConversationService.FindConversation(ctx, id)
}

// found returns how many times the conversation was read.
func (c *countingConversations) found(id string) int64 {
	if n, ok := c.finds.Load(id); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

func (c *countingConversations) ListMessages(ctx context.Context, id string) ([]*convrs.Message, error) {
	c.list.Add(1)
	return c.ConversationService.ListMessages(ctx, id)
}

func (c *countingConversations) ListMessagesOf(ctx context.Context, ids []string, page convrs.MessagePage) (map[string][]*convrs.Message, error) {
	c.listOf.Add(1)
	return c.ConversationService.ListMessagesOf(ctx, ids, page)
}

// countingStaff counts staff reads, one by one (session checks among them) and batched.
type countingStaff struct {
	convrs.StaffService
	find, findMany atomic.Int64
}

func (c *countingStaff) FindStaff(ctx context.Context, id string) (*convrs.Staff, error) {
	c.find.Add(1)
	return c.StaffService.FindStaff(ctx, id)
}

func (c *countingStaff) FindStaffMembers(ctx context.Context, ids []string) ([]*convrs.Staff, error) {
	c.findMany.Add(1)
	return c.StaffService.FindStaffMembers(ctx, ids)
}

// gqlError is an entry of a response's errors, as a client sees it.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string  { s, _ := e.Extensions["code"].(string); return s }
func (e gqlError) field() string { s, _ := e.Extensions["field"].(string); return s }

type response struct {
	Data   json.RawMessage
	Errors []gqlError
	raw    string
}

// do runs a query or mutation; vars alternate names and values.
func do(t *testing.T, c *client.Client, query string, vars ...any) response {
	t.Helper()
	var opts []client.Option
	for i := 0; i+1 < len(vars); i += 2 {
		opts = append(opts, client.Var(vars[i].(string), vars[i+1]))
	}
	raw, err := c.RawPost(query, opts...)
	if err != nil {
		t.Fatalf("post %q: %v", query, err)
	}
	data, err := json.Marshal(raw.Data)
	if err != nil {
		t.Fatal(err)
	}
	r := response{Data: data, raw: string(data) + " " + string(raw.Errors)}
	if len(raw.Errors) > 0 {
		if err := json.Unmarshal(raw.Errors, &r.Errors); err != nil {
			t.Fatalf("errors %s: %v", raw.Errors, err)
		}
	}
	return r
}

// decode unpacks the data of a response that must have no errors.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// wantError checks that the response failed with exactly one error of code (and field, if given).
func (r response) wantError(t *testing.T, code, field string) gqlError {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("got %d errors, want one %s: %s", len(r.Errors), code, r.raw)
	}
	e := r.Errors[0]
	if e.code() != code || e.field() != field {
		t.Fatalf("error code/field = %s/%q, want %s/%q: %s", e.code(), e.field(), code, field, r.raw)
	}
	return e
}

// next waits for the subscription's next event.
func next(t *testing.T, sub *client.Subscription, v any) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- sub.Next(v) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("subscription: %v", err)
		}
	case <-time.After(10 * time.Second):
		_ = sub.Close()
		<-done
		t.Fatal("no subscription event within 10s")
	}
}

// demoConversation returns the ID of an open demo conversation and its customer's ID.
func demoConversation(t *testing.T, s *stack) (convID, customerID string) {
	t.Helper()
	var out struct {
		Conversations []struct {
			ID       string `json:"id"`
			Customer struct {
				ID string `json:"id"`
			} `json:"customer"`
		} `json:"conversations"`
	}
	do(t, s.as(t, seed.AgentID), `{ conversations(status: OPEN, first: 1) { id customer { id } } }`).decode(t, &out)
	if len(out.Conversations) != 1 {
		t.Fatalf("no open demo conversation: %+v", out)
	}
	return out.Conversations[0].ID, out.Conversations[0].Customer.ID
}

// operation is one row of the operations table: the document, with $conv and $cust standing for a
// conversation and a customer of the demo workspace, and who may run it.
type operation struct {
	query string
	// admin: only admins (EFORBIDDEN for agents).
	admin bool
	// scoped: it names a conversation or customer, which another workspace's staff must not reach.
	scoped bool
	// topic is a subscription's pub/sub topic in a workspace; nil for queries and mutations.
	topic func(workspaceID string) string
}

// operations is every query, mutation and subscription (TestOperationsCoverSchema keeps it complete). Adding
// an operation to the schema means adding its row here.
var operations = map[string]operation{
	"me":                       {query: `{ me { id } }`},
	"workspace":                {query: `{ workspace { id } }`},
	"staff":                    {query: `{ staff { id } }`},
	"conversations":            {query: `{ conversations { id } }`},
	"conversation":             {query: `query($conv: ID!) { conversation(id: $conv) { id } }`, scoped: true},
	"customers":                {query: `{ customers { id } }`},
	"customer":                 {query: `query($cust: ID!) { customer(id: $cust) { id } }`, scoped: true},
	"hubspotIntegration":       {query: `{ hubspotIntegration { state } }`},
	"sendMessage":              {query: `mutation($conv: ID!) { sendMessage(conversationId: $conv, text: "hi") { id } }`, scoped: true},
	"postCustomerMessage":      {query: `mutation($conv: ID!) { postCustomerMessage(conversationId: $conv, text: "hi") { id } }`, scoped: true},
	"closeConversation":        {query: `mutation($conv: ID!) { closeConversation(id: $conv) { id } }`, scoped: true},
	"reopenConversation":       {query: `mutation($conv: ID!) { reopenConversation(id: $conv) { id } }`, scoped: true},
	"startConversation":        {query: `mutation($cust: ID) { startConversation(input: {customerId: $cust, channel: "web", message: "hi"}) { id } }`, scoped: true},
	"updateCustomer":           {query: `mutation($cust: ID!) { updateCustomer(id: $cust, input: {firstName: "X"}) { id } }`, scoped: true},
	"updateWorkspaceSettings":  {query: `mutation { updateWorkspaceSettings(input: {name: "X"}) { id } }`, admin: true},
	"connectHubspot":           {query: `mutation { connectHubspot { url } }`, admin: true},
	"enableHubspot":            {query: `mutation { enableHubspot { state } }`, admin: true},
	"disableHubspot":           {query: `mutation { disableHubspot { state } }`, admin: true},
	"saveHubspotOptions":       {query: `mutation { saveHubspotOptions(input: {allowOutboundSearch: true, requireOutboundMatch: false}) { state } }`, admin: true},
	"hubspotContact":           {query: `query($cust: ID!) { hubspotContact(customerId: $cust) { outcome } }`, scoped: true},
	"hubspotContactCandidates": {query: `query($cust: ID!) { hubspotContactCandidates(customerId: $cust) { id } }`, scoped: true},
	"changeHubspotContact":     {query: `mutation($cust: ID!) { changeHubspotContact(customerId: $cust, hubspotContactId: "1") { outcome } }`, scoped: true},
	"unlinkHubspotContact":     {query: `mutation($cust: ID!) { unlinkHubspotContact(customerId: $cust) { outcome } }`, scoped: true},
	"searchHubspotContacts":    {query: `{ searchHubspotContacts(query: "alice") { id } }`},
	"conversationEvents":       {query: `subscription { conversationEvents { kind } }`, topic: convrs.TopicConversations},
	"hubspotContactToPick":     {query: `{ hubspotContactToPick(id: "101") { id } }`},
	// $cust is spelled out in the subscription (the matrix's websockets send no variables).
	"hubspotContactUpdated": {query: `subscription { hubspotContactUpdated(customerId: "$cust") { outcome } }`, scoped: true,
		topic: func(ws string) string { return convrs.TopicHubspotContact(ws, "$cust") }},
	"hubspotIntegrationChanged": {query: `subscription { hubspotIntegrationChanged { state } }`, topic: convrs.TopicHubspot},
	"hubspotSync":               {query: `query($conv: ID!) { hubspotSync(conversationId: $conv) { id } }`, scoped: true},
	"hubspotSyncs":              {query: `{ hubspotSyncs { nodes { id } } }`, admin: true},
	"hubspotSyncSummary":        {query: `{ hubspotSyncSummary { total } }`, admin: true},
	"hubspotBackfillCount":      {query: `{ hubspotBackfillCount(days: 7) }`, admin: true},
	"retryHubspotSync":          {query: `mutation($conv: ID!) { retryHubspotSync(conversationId: $conv) { id } }`, admin: true, scoped: true},
	"backfillHubspotSyncs":      {query: `mutation { backfillHubspotSyncs(days: 7) }`, admin: true},
	"checkHubspotConnection":    {query: `mutation { checkHubspotConnection { ok } }`, admin: true},
	"hubspotSyncUpdated":        {query: `subscription { hubspotSyncUpdated { id } }`, topic: convrs.TopicHubspotSyncs},
}

// run runs a query or mutation of the table on the demo workspace's conversation and customer.
func (o operation) run(t *testing.T, c *client.Client, convID, custID string) response {
	t.Helper()
	return do(t, c, o.query, "conv", convID, "cust", custID)
}

func TestOperationsCoverSchema(t *testing.T) {
	s := newStack(t)
	var out struct {
		Schema struct {
			QueryType, MutationType, SubscriptionType struct {
				Fields []struct {
					Name string `json:"name"`
				} `json:"fields"`
			}
		} `json:"__schema"`
	}
	do(t, client.New(s.handler), `{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }`).decode(t, &out)
	var inSchema, tested []string
	for _, f := range slices.Concat(out.Schema.QueryType.Fields, out.Schema.MutationType.Fields, out.Schema.SubscriptionType.Fields) {
		inSchema = append(inSchema, f.Name)
	}
	for name := range operations {
		tested = append(tested, name)
	}
	slices.Sort(inSchema)
	slices.Sort(tested)
	if diff := cmp.Diff(inSchema, tested); diff != "" {
		t.Errorf("the operations table and the schema differ (-schema +table):\n%s", diff)
	}
}

func TestUnauthenticated(t *testing.T) {
	s := newStack(t)
	other, err := auth.NewSigner([]byte("another-secret-another-secret-xx!"))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Issue(demoStaff[seed.AdminID], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := s.signer.Issue(demoStaff[seed.AdminID], -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// An agent's token whose payload is edited to say admin, keeping the agent's signature.
	agent := strings.Split(s.token(t, seed.AgentID), ".")
	payload, err := base64.RawURLEncoding.DecodeString(agent[1])
	if err != nil {
		t.Fatal(err)
	}
	promoted := agent[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.Replace(payload, []byte(`"agent"`), []byte(`"admin"`), 1)) + "." + agent[2]

	for name, opts := range map[string][]client.Option{
		"no token":      nil,
		"not bearer":    {client.AddHeader("Authorization", "Basic "+s.token(t, seed.AdminID))},
		"garbage":       {client.AddHeader("Authorization", "Bearer nonsense")},
		"other key":     {client.AddHeader("Authorization", "Bearer "+forged)},
		"expired":       {client.AddHeader("Authorization", "Bearer "+expired)},
		"edited claims": {client.AddHeader("Authorization", "Bearer "+promoted)},
	} {
		t.Run(name, func(t *testing.T) {
			c := client.New(s.handler, opts...)
			for op, o := range operations {
				if o.topic != nil {
					continue // subscriptions: TestSubscriptionRefusedWithoutToken
				}
				r := o.run(t, c, "cnv_x", "cus_x")
				e := r.wantError(t, convrs.EUNAUTHORIZED, "")
				if e.Message != "Sign in to continue." || len(e.Path) != 1 || e.Path[0] != op {
					t.Errorf("%s: error %+v", op, e)
				}
				if string(r.Data) != "null" && string(r.Data) != fmt.Sprintf(`{%q:null}`, op) {
					t.Errorf("%s: data = %s, want null", op, r.Data)
				}
			}
		})
	}
	// Nothing was written meanwhile.
	var out struct {
		Workspace struct{ Name string } `json:"workspace"`
	}
	do(t, s.as(t, seed.AdminID), `{ workspace { name } }`).decode(t, &out)
	if out.Workspace.Name != "Acme Support" {
		t.Errorf("workspace name = %q", out.Workspace.Name)
	}
}

const adminState = `{
	workspace { name defaultRegion timeZone }
	hubspotIntegration { state portalId options { allowOutboundSearch requireOutboundMatch } }
}`

func TestAgentCannotRunAdminMutations(t *testing.T) {
	s := newStack(t)
	s.connectHubspot(t)
	admin, agent := s.as(t, seed.AdminID), s.as(t, seed.AgentID)
	before := do(t, admin, adminState)
	before.decode(t, &struct{}{})

	for _, op := range []string{"updateWorkspaceSettings", "connectHubspot", "enableHubspot", "disableHubspot", "saveHubspotOptions",
		"hubspotSyncs", "hubspotSyncSummary", "hubspotBackfillCount", "backfillHubspotSyncs"} {
		t.Run(op, func(t *testing.T) {
			e := do(t, agent, operations[op].query).wantError(t, convrs.EFORBIDDEN, "")
			if e.Message != "Only an administrator can do this." {
				t.Errorf("message = %q", e.Message)
			}
		})
	}
	after := do(t, admin, adminState)
	if diff := cmp.Diff(string(before.Data), string(after.Data)); diff != "" {
		t.Errorf("an agent's forbidden mutations changed the data (-before +after):\n%s", diff)
	}
	// The agent may still read what agents need.
	var out struct {
		HubspotIntegration struct {
			State    string `json:"state"`
			PortalID string `json:"portalId"`
		} `json:"hubspotIntegration"`
	}
	do(t, agent, `{ hubspotIntegration { state portalId } }`).decode(t, &out)
	if out.HubspotIntegration.State != "CONNECTED" || out.HubspotIntegration.PortalID != "4242" {
		t.Errorf("agent's view of the integration = %+v", out.HubspotIntegration)
	}
}

func TestUpdateWorkspaceSettings(t *testing.T) {
	s := newStack(t)
	admin := s.as(t, seed.AdminID)
	type workspace struct {
		Name          string `json:"name"`
		DefaultRegion string `json:"defaultRegion"`
		TimeZone      string `json:"timeZone"`
	}
	var out struct {
		UpdateWorkspaceSettings workspace `json:"updateWorkspaceSettings"`
	}
	do(t, admin, `mutation($in: WorkspaceSettingsInput!) { updateWorkspaceSettings(input: $in) { name defaultRegion timeZone } }`,
		"in", map[string]any{"name": " Acme Europe ", "defaultRegion": "de", "timeZone": "Europe/Berlin"}).decode(t, &out)
	want := workspace{Name: "Acme Europe", DefaultRegion: "DE", TimeZone: "Europe/Berlin"}
	if diff := cmp.Diff(want, out.UpdateWorkspaceSettings); diff != "" {
		t.Errorf("updated workspace (-want +got):\n%s", diff)
	}

	for _, tc := range []struct{ field, value string }{
		{"timeZone", "Mars/Olympus_Mons"},
		{"defaultRegion", "XX"},
		{"name", "  "},
	} {
		t.Run(tc.field, func(t *testing.T) {
			e := do(t, admin, `mutation($in: WorkspaceSettingsInput!) { updateWorkspaceSettings(input: $in) { name } }`,
				"in", map[string]any{tc.field: tc.value}).wantError(t, convrs.EINVALID, tc.field)
			if strings.TrimSpace(tc.value) != "" && !strings.Contains(e.Message, tc.value) {
				t.Errorf("message %q does not name %q", e.Message, tc.value)
			}
		})
	}
	var got struct {
		Workspace workspace `json:"workspace"`
	}
	do(t, admin, `{ workspace { name defaultRegion timeZone } }`).decode(t, &got)
	if diff := cmp.Diff(want, got.Workspace); diff != "" {
		t.Errorf("rejected updates changed the workspace (-want +got):\n%s", diff)
	}
	// Another workspace's admin changes only their own workspace.
	do(t, s.as(t, seed.OtherAdminID), `mutation { updateWorkspaceSettings(input: {name: "Globex Inc"}) { name } }`).decode(t, &struct{}{})
	do(t, admin, `{ workspace { name defaultRegion timeZone } }`).decode(t, &got)
	if got.Workspace.Name != "Acme Europe" {
		t.Errorf("ws_demo's name = %q after ws_globex's update", got.Workspace.Name)
	}
}

func TestHubspotMutationsAsAdmin(t *testing.T) {
	s := newStack(t)
	admin := s.as(t, seed.AdminID)

	var authz struct {
		ConnectHubspot struct {
			URL       string    `json:"url"`
			ExpiresAt time.Time `json:"expiresAt"`
		} `json:"connectHubspot"`
	}
	do(t, admin, `mutation { connectHubspot { url expiresAt } }`).decode(t, &authz)
	// The gateway's own start link, which binds the flow to the browser before sending it to HubSpot.
	if !strings.HasPrefix(authz.ConnectHubspot.URL, "http://gateway.test"+integration.StartPath+"?state=") {
		t.Errorf("start link = %q", authz.ConnectHubspot.URL)
	}
	if d := time.Until(authz.ConnectHubspot.ExpiresAt); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("expiresAt is %v away, want about 10 minutes", d)
	}

	// Not connected yet: nothing to enable or configure.
	do(t, admin, operations["enableHubspot"].query).wantError(t, convrs.ECONFLICT, "")
	do(t, admin, operations["saveHubspotOptions"].query).wantError(t, convrs.ECONFLICT, "")

	s.connectHubspot(t)
	do(t, admin, `mutation { saveHubspotOptions(input: {allowOutboundSearch: false, requireOutboundMatch: true}) { state } }`).
		wantError(t, convrs.EINVALID, "requireOutboundMatch")

	type integ struct {
		State    string `json:"state"`
		PortalID string `json:"portalId"`
		UIDomain string `json:"uiDomain"`
		Options  struct {
			AllowOutboundSearch  bool `json:"allowOutboundSearch"`
			RequireOutboundMatch bool `json:"requireOutboundMatch"`
		} `json:"options"`
	}
	var saved struct {
		SaveHubspotOptions integ `json:"saveHubspotOptions"`
	}
	do(t, admin, `mutation { saveHubspotOptions(input: {allowOutboundSearch: true, requireOutboundMatch: true}) { state portalId uiDomain options { allowOutboundSearch requireOutboundMatch } } }`).decode(t, &saved)
	if got := saved.SaveHubspotOptions; got.State != "CONNECTED" || got.PortalID != "4242" || got.UIDomain != "app-eu1.hubspot.com" || !got.Options.AllowOutboundSearch || !got.Options.RequireOutboundMatch {
		t.Errorf("after saveHubspotOptions: %+v", got)
	}
	var enabled struct {
		EnableHubspot integ `json:"enableHubspot"`
	}
	do(t, admin, `mutation { enableHubspot { state portalId uiDomain options { allowOutboundSearch requireOutboundMatch } } }`).decode(t, &enabled)
	if enabled.EnableHubspot.State != "ENABLED" {
		t.Errorf("after enableHubspot: %+v", enabled.EnableHubspot)
	}
	do(t, admin, operations["enableHubspot"].query).wantError(t, convrs.ECONFLICT, "")

	// The other workspace is untouched.
	var other struct {
		HubspotIntegration integ `json:"hubspotIntegration"`
	}
	do(t, s.as(t, seed.OtherAdminID), `{ hubspotIntegration { state portalId uiDomain options { allowOutboundSearch requireOutboundMatch } } }`).decode(t, &other)
	if other.HubspotIntegration.State != "DISCONNECTED" || other.HubspotIntegration.PortalID != "" {
		t.Errorf("ws_globex's integration = %+v", other.HubspotIntegration)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	s := newStack(t)
	ada, gina := s.as(t, seed.AdminID), s.as(t, seed.OtherAdminID)
	convID, custID := demoConversation(t, s)
	const snapshot = `query($c: ID!, $u: ID!) {
		conversation(id: $c) { status messages { text } }
		customer(id: $u) { email phone firstName lastName }
	}`
	before := do(t, ada, snapshot, "c", convID, "u", custID)
	before.decode(t, &struct{}{})

	t.Run("reads", func(t *testing.T) {
		r := do(t, gina, `query($c: ID!, $u: ID!) { conversation(id: $c) { id } customer(id: $u) { id } }`, "c", convID, "u", custID)
		if len(r.Errors) > 0 || string(r.Data) != `{"conversation":null,"customer":null}` {
			t.Errorf("workspace B's conversation and customer through A's token: %s", r.raw)
		}
		var lists struct {
			Conversations []struct {
				ID string `json:"id"`
			} `json:"conversations"`
			ByCustomer []struct {
				ID string `json:"id"`
			} `json:"byCustomer"`
			Customers []struct {
				ID string `json:"id"`
			} `json:"customers"`
			Search []struct {
				ID string `json:"id"`
			} `json:"search"`
		}
		do(t, gina, `query($u: ID!) {
			conversations(first: 200) { id }
			byCustomer: conversations(customerId: $u) { id }
			customers(first: 200) { id }
			search: customers(query: "alice") { id }
		}`, "u", custID).decode(t, &lists)
		if len(lists.Conversations) != 1 || lists.Conversations[0].ID == convID {
			t.Errorf("ws_globex's conversations = %+v, want its one own", lists.Conversations)
		}
		if len(lists.ByCustomer) != 0 || len(lists.Search) != 0 {
			t.Errorf("filters found workspace B's data: %+v", lists)
		}
		for _, c := range lists.Customers {
			if c.ID == custID {
				t.Errorf("ws_globex's customers include ws_demo's %s", custID)
			}
		}
		if len(lists.Customers) != 1 {
			t.Errorf("ws_globex has %d customers, want 1", len(lists.Customers))
		}
	})

	t.Run("writes", func(t *testing.T) {
		for name, query := range map[string]string{
			"sendMessage":         `mutation($c: ID!) { sendMessage(conversationId: $c, text: "from globex") { id } }`,
			"postCustomerMessage": `mutation($c: ID!) { postCustomerMessage(conversationId: $c, text: "from globex") { id } }`,
			"closeConversation":   `mutation($c: ID!) { closeConversation(id: $c) { id } }`,
			"reopenConversation":  `mutation($c: ID!) { reopenConversation(id: $c) { id } }`,
			"updateCustomer":      `mutation($u: ID!) { updateCustomer(id: $u, input: {firstName: "Mallory"}) { id } }`,
			"startConversation":   `mutation($u: ID!) { startConversation(input: {customerId: $u, channel: "web", message: "hi"}) { id } }`,
		} {
			vars := []any{"c", convID}
			if strings.Contains(query, "$u") {
				vars = []any{"u", custID}
			}
			r := do(t, gina, query, vars...)
			if len(r.Errors) != 1 || r.Errors[0].code() != convrs.ENOTFOUND {
				t.Errorf("%s on workspace B's data: %s, want ENOTFOUND", name, r.raw)
			}
		}
	})

	after := do(t, ada, snapshot, "c", convID, "u", custID)
	if diff := cmp.Diff(string(before.Data), string(after.Data)); diff != "" {
		t.Errorf("workspace A changed workspace B's data (-before +after):\n%s", diff)
	}
}

func TestInvalidContactDetails(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	_, custID := demoConversation(t, s)
	const customer = `query($u: ID!) { customer(id: $u) { email phone phoneRaw } }`
	before := do(t, agent, customer, "u", custID)
	before.decode(t, &struct{}{})

	for _, tc := range []struct {
		field, value, mention string
	}{
		{"phone", "12", "phone number"},
		{"phone", "12345", "phone number"}, // possible in GB, but not a valid number
		{"phone", "call me maybe", "phone number"},
		{"email", "alice@", "email address"},
		{"email", "alice example.com", "email address"},
	} {
		t.Run(tc.field+"/"+tc.value, func(t *testing.T) {
			in := map[string]any{tc.field: tc.value}
			for name, r := range map[string]response{
				"updateCustomer": do(t, agent, `mutation($u: ID!, $in: CustomerInput!) { updateCustomer(id: $u, input: $in) { id } }`, "u", custID, "in", in),
				"startConversation": do(t, agent, `mutation($in: CustomerInput, $ch: String!) { startConversation(input: {customer: $in, channel: $ch, message: "Hello"}) { id } }`,
					"in", map[string]any{tc.field: tc.value, "firstName": "Nobody"}, "ch", map[string]string{"phone": "sms", "email": "email"}[tc.field]),
			} {
				e := r.wantError(t, convrs.EINVALID, tc.field)
				if !strings.Contains(e.Message, tc.mention) || !strings.Contains(e.Message, tc.value) {
					t.Errorf("%s: message %q does not name the %s %q", name, e.Message, tc.mention, tc.value)
				}
			}
		})
	}
	after := do(t, agent, customer, "u", custID)
	if diff := cmp.Diff(string(before.Data), string(after.Data)); diff != "" {
		t.Errorf("rejected updates changed the customer (-before +after):\n%s", diff)
	}
	var out struct {
		Customers []struct {
			ID string `json:"id"`
		} `json:"customers"`
	}
	do(t, agent, `{ customers(query: "Nobody") { id } }`).decode(t, &out)
	if len(out.Customers) != 0 {
		t.Errorf("a rejected startConversation created customers: %+v", out.Customers)
	}
}

type conversationJSON struct {
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	ClosedAt *time.Time `json:"closedAt"`
	Customer struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
	} `json:"customer"`
	AssignedAgent *struct {
		Name string `json:"name"`
	} `json:"assignedAgent"`
	Messages []messageJSON `json:"messages"`
}

type messageJSON struct {
	Author     string `json:"author"`
	AuthorName string `json:"authorName"`
	Text       string `json:"text"`
}

const conversationFields = `id status closedAt customer { name email } assignedAgent { name } messages { author authorName text }`

func TestConversationLifecycle(t *testing.T) {
	s := newStack(t)
	sam := s.as(t, seed.AgentID)

	var started struct {
		StartConversation conversationJSON `json:"startConversation"`
	}
	do(t, sam, `mutation { startConversation(input: {customer: {email: "Zoe@Example.com", firstName: "Zoe", lastName: "Quinn"}, channel: "email", subject: "Your order", message: "Hello Zoe"}) { `+conversationFields+` } }`).decode(t, &started)
	conv := started.StartConversation
	if conv.Status != "OPEN" || conv.ClosedAt != nil || deref(conv.Customer.Name) != "Zoe Quinn" || deref(conv.Customer.Email) != "zoe@example.com" ||
		conv.AssignedAgent == nil || conv.AssignedAgent.Name != "Sam Agent" {
		t.Errorf("started conversation = %+v", conv)
	}
	id := conv.ID

	var sent struct {
		SendMessage messageJSON `json:"sendMessage"`
	}
	do(t, sam, `mutation($c: ID!) { sendMessage(conversationId: $c, text: "  Your parcel ships today.  ") { author authorName text } }`, "c", id).decode(t, &sent)
	if diff := cmp.Diff(messageJSON{Author: "AGENT", AuthorName: "Sam Agent", Text: "Your parcel ships today."}, sent.SendMessage); diff != "" {
		t.Errorf("sent message (-want +got):\n%s", diff)
	}
	do(t, sam, `mutation($c: ID!) { sendMessage(conversationId: $c, text: "   ") { id } }`, "c", id).wantError(t, convrs.EINVALID, "text")

	var closed struct {
		CloseConversation conversationJSON `json:"closeConversation"`
	}
	do(t, sam, `mutation($c: ID!) { closeConversation(id: $c) { `+conversationFields+` } }`, "c", id).decode(t, &closed)
	if c := closed.CloseConversation; c.Status != "CLOSED" || c.ClosedAt == nil || time.Since(*c.ClosedAt) > time.Minute || time.Since(*c.ClosedAt) < -time.Minute {
		t.Errorf("closed conversation = %+v", c)
	}
	do(t, sam, `mutation($c: ID!) { closeConversation(id: $c) { id } }`, "c", id).wantError(t, convrs.ECONFLICT, "")
	do(t, sam, `mutation($c: ID!) { sendMessage(conversationId: $c, text: "late") { id } }`, "c", id).wantError(t, convrs.ECONFLICT, "")

	var reopened struct {
		ReopenConversation conversationJSON `json:"reopenConversation"`
	}
	do(t, sam, `mutation($c: ID!) { reopenConversation(id: $c) { `+conversationFields+` } }`, "c", id).decode(t, &reopened)
	if c := reopened.ReopenConversation; c.Status != "OPEN" || c.ClosedAt != nil {
		t.Errorf("reopened conversation = %+v", c)
	}
	do(t, sam, `mutation($c: ID!) { reopenConversation(id: $c) { id } }`, "c", id).wantError(t, convrs.ECONFLICT, "")
	do(t, sam, `mutation($c: ID!) { postCustomerMessage(conversationId: $c, text: "Thanks!") { id } }`, "c", id).decode(t, &struct{}{})

	var got struct {
		Conversation conversationJSON `json:"conversation"`
	}
	do(t, sam, `query($c: ID!) { conversation(id: $c) { `+conversationFields+` } }`, "c", id).decode(t, &got)
	want := []messageJSON{
		{"AGENT", "Sam Agent", "Hello Zoe"},
		{"AGENT", "Sam Agent", "Your parcel ships today."},
		{"SYSTEM", "Convrs", "Conversation closed by Sam Agent."},
		{"SYSTEM", "Convrs", "Conversation reopened by Sam Agent."},
		{"CUSTOMER", "Zoe Quinn", "Thanks!"},
	}
	if diff := cmp.Diff(want, got.Conversation.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	var open struct {
		Conversations []struct {
			ID string `json:"id"`
		} `json:"conversations"`
	}
	do(t, sam, `{ conversations(status: OPEN, first: 1) { id } }`).decode(t, &open)
	if len(open.Conversations) != 1 || open.Conversations[0].ID != id {
		t.Errorf("most recently active open conversation = %+v, want %s", open.Conversations, id)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestConversationListLoadsCustomersInOneBatch(t *testing.T) {
	s := newStack(t)
	c := s.as(t, seed.AgentID)
	s.customers.find.Store(0)
	s.customers.findMany.Store(0)
	var out struct {
		Conversations []struct {
			Customer struct {
				Name *string `json:"name"`
			} `json:"customer"`
		} `json:"conversations"`
	}
	do(t, c, `{ conversations(first: 50) { customer { name } } }`).decode(t, &out)
	var names []string
	for _, conv := range out.Conversations {
		names = append(names, deref(conv.Customer.Name))
	}
	slices.Sort(names)
	want := []string{"<nil>", "Alice Johnson", "Bob Smith", "Carla Gomez", "Dev Patel", "Erin O'Brien", "Frank Müller",
		"Hana Sato", "Liam Chen", "Maya Rossi", "Noah Williams", "Olga Ivanova"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("customer names (-want +got):\n%s", diff)
	}
	// The property, not the timing: the loader's batch window is 1 ms, so on a loaded machine a list may take
	// more than one batch; what must never happen is a lookup per conversation.
	if one, many := s.customers.find.Load(), s.customers.findMany.Load(); one != 0 || many < 1 || many >= int64(len(out.Conversations)) {
		t.Errorf("customer lookups: %d single, %d batched for %d conversations; want 0 single and fewer batches than conversations",
			one, many, len(out.Conversations))
	}
}

type conversationEventJSON struct {
	Kind         string `json:"kind"`
	Conversation struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"conversation"`
	Message *struct {
		Text string `json:"text"`
	} `json:"message"`
}

// nextConversationEvent decodes into a fresh value: the client leaves a field that is null in the event as the
// previous event set it.
func nextConversationEvent(t *testing.T, sub *client.Subscription) conversationEventJSON {
	t.Helper()
	var ev struct {
		ConversationEvents conversationEventJSON `json:"conversationEvents"`
	}
	next(t, sub, &ev)
	return ev.ConversationEvents
}

func TestSubscriptionConversationEvents(t *testing.T) {
	s := newStack(t)
	sam, gina := s.as(t, seed.AgentID), s.as(t, seed.OtherAdminID)
	convID, _ := demoConversation(t, s)
	sub := s.subscribe(t, seed.AdminID, `subscription { conversationEvents { kind conversation { id status } message { text } } }`,
		convrs.TopicConversations(seed.WorkspaceID))

	// Another workspace's event comes first; the subscriber must see only its own workspace's.
	var globex struct {
		Conversations []struct {
			ID string `json:"id"`
		} `json:"conversations"`
	}
	do(t, gina, `{ conversations { id } }`).decode(t, &globex)
	do(t, gina, `mutation($c: ID!) { sendMessage(conversationId: $c, text: "globex secret") { id } }`, "c", globex.Conversations[0].ID).decode(t, &struct{}{})

	do(t, sam, `mutation($c: ID!) { sendMessage(conversationId: $c, text: "On my way") { id } }`, "c", convID).decode(t, &struct{}{})
	if e := nextConversationEvent(t, sub); e.Kind != "MESSAGE_ADDED" || e.Conversation.ID != convID || e.Conversation.Status != "OPEN" || e.Message == nil || e.Message.Text != "On my way" {
		t.Errorf("first event = %+v, want MESSAGE_ADDED \"On my way\" on %s", e, convID)
	}

	do(t, sam, `mutation($c: ID!) { closeConversation(id: $c) { id } }`, "c", convID).decode(t, &struct{}{})
	if e := nextConversationEvent(t, sub); e.Kind != "CLOSED" || e.Conversation.ID != convID || e.Conversation.Status != "CLOSED" || e.Message != nil {
		t.Errorf("second event = %+v, want CLOSED on %s", e, convID)
	}

	do(t, sam, `mutation($c: ID!) { reopenConversation(id: $c) { id } }`, "c", convID).decode(t, &struct{}{})
	if e := nextConversationEvent(t, sub); e.Kind != "REOPENED" || e.Conversation.Status != "OPEN" {
		t.Errorf("third event = %+v, want REOPENED", e)
	}

	var started struct {
		StartConversation struct {
			ID string `json:"id"`
		} `json:"startConversation"`
	}
	do(t, sam, `mutation { startConversation(input: {customer: {phone: "+44 7400 900456"}, channel: "sms", message: "Hi there"}) { id } }`).decode(t, &started)
	if e := nextConversationEvent(t, sub); e.Kind != "CREATED" || e.Conversation.ID != started.StartConversation.ID || e.Conversation.Status != "OPEN" {
		t.Errorf("fourth event = %+v, want CREATED %s", e, started.StartConversation.ID)
	}
}

func TestSubscriptionRefusedWithoutToken(t *testing.T) {
	s := newStack(t)
	const query = `subscription { conversationEvents { kind } }`
	expired, err := s.signer.Issue(demoStaff[seed.AdminID], -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for name, payload := range map[string]map[string]any{
		"no payload":    nil,
		"no token":      {"other": "x"},
		"bad token":     {"authorization": "Bearer nonsense"},
		"expired token": {"authorization": "Bearer " + expired},
	} {
		t.Run(name, func(t *testing.T) {
			// The Authorization header alone does not authenticate a websocket: the init payload must.
			c := client.New(s.handler, client.AddHeader("Authorization", "Bearer "+s.token(t, seed.AdminID)))
			sub := c.WebsocketWithPayload(query, payload)
			defer sub.Close()
			var ev struct{}
			err := sub.Next(&ev)
			if err == nil || !strings.Contains(err.Error(), "connection_error") {
				t.Errorf("subscription without a valid token: %v, want the connection refused", err)
			}
		})
	}
	// A bare token (without "Bearer ") in the payload is accepted.
	sub := client.New(s.handler).WebsocketWithPayload(query, map[string]any{"authorization": s.token(t, seed.AgentID)})
	defer sub.Close()
	s.pubsub.waitSubscribed(t, convrs.TopicConversations(seed.WorkspaceID))
}

func TestSubscriptionHubspotIntegrationChanged(t *testing.T) {
	s := newStack(t)
	s.connectHubspot(t)
	admin := s.as(t, seed.AdminID)
	sub := s.subscribe(t, seed.AgentID, `subscription { hubspotIntegrationChanged { state options { allowOutboundSearch requireOutboundMatch } } }`,
		convrs.TopicHubspot(seed.WorkspaceID))
	type event struct {
		HubspotIntegrationChanged struct {
			State   string `json:"state"`
			Options struct {
				AllowOutboundSearch  bool `json:"allowOutboundSearch"`
				RequireOutboundMatch bool `json:"requireOutboundMatch"`
			} `json:"options"`
		} `json:"hubspotIntegrationChanged"`
	}

	do(t, admin, `mutation { saveHubspotOptions(input: {allowOutboundSearch: true, requireOutboundMatch: true}) { state } }`).decode(t, &struct{}{})
	var ev event
	next(t, sub, &ev)
	if e := ev.HubspotIntegrationChanged; e.State != "CONNECTED" || !e.Options.AllowOutboundSearch || !e.Options.RequireOutboundMatch {
		t.Errorf("after saveHubspotOptions: %+v", e)
	}
	do(t, admin, `mutation { enableHubspot { state } }`).decode(t, &struct{}{})
	next(t, sub, &ev)
	if e := ev.HubspotIntegrationChanged; e.State != "ENABLED" {
		t.Errorf("after enableHubspot: %+v", e)
	}
}

// failingStaff is a StaffService whose failures carry details that must never reach a client. Its first
// FindStaff answers (the session check, then cached), every later one fails.
// With err set, the later ones fail with it instead.
type failingStaff struct {
	calls atomic.Int64
	err   error
}

func (f *failingStaff) FindStaff(_ context.Context, id string) (*convrs.Staff, error) {
	if f.calls.Add(1) == 1 {
		return &convrs.Staff{ID: id, WorkspaceID: seed.WorkspaceID, Name: "Sam Agent", Role: convrs.RoleAgent}, nil
	}
	if f.err != nil {
		return nil, fmt.Errorf("store: find staff: %w", f.err)
	}
	return nil, fmt.Errorf("store: find staff: %w", errors.New(`pq: password authentication failed for user "convrs"`))
}

func (f *failingStaff) FindStaffMembers(ctx context.Context, ids []string) ([]*convrs.Staff, error) {
	_, err := f.FindStaff(ctx, "")
	return nil, err
}

func (*failingStaff) ListStaff(context.Context) ([]*convrs.Staff, error) {
	panic("runtime detail: index out of range in staff.go:42")
}

// failingStaffClient is an agent's GraphQL client of a gateway whose staff service is staff, logging to logs.
func failingStaffClient(t *testing.T, staff *failingStaff, logs *testkit.LogBuffer) *client.Client {
	t.Helper()
	signer, err := auth.NewSigner([]byte("graph-test-session-secret-of-32-bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	r := &graph.Resolver{StaffService: staff, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	start := time.Now()
	srv := graph.NewServer(r, graph.ServerOptions{Authenticate: signer.WebsocketInit, Now: func() time.Time { return start }})
	tok, err := signer.Issue(demoStaff[seed.AgentID], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return client.New(signer.Middleware(srv), client.AddHeader("Authorization", "Bearer "+tok))
}

// A database that cannot be reached (down, restarting) is a passing failure of ours: the person reads that and
// what to do, with the EUNAVAILABLE code; the connection's details stay in the log.
func TestUnreachableDatabaseSaysTryAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: PostgreSQL is "down"
	_, connErr := pgconn.Connect(ctx, "postgres://convrs@"+addr+"/convrs?sslmode=disable&connect_timeout=5")
	if connErr == nil {
		t.Fatal("connected to a closed port")
	}
	var logs testkit.LogBuffer
	c := failingStaffClient(t, &failingStaff{err: connErr}, &logs)
	r := do(t, c, `{ me { name } }`)
	e := r.wantError(t, convrs.EUNAVAILABLE, "")
	if e.Message != "Convrs could not reach its database or cache just now. Try again in a moment." || strings.Contains(r.raw, addr) {
		t.Errorf("client saw %s", r.raw)
	}
	if !strings.Contains(logs.String(), addr) {
		t.Errorf("the log lacks the connection's error:\n%s", logs.String())
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	var logs testkit.LogBuffer
	c := failingStaffClient(t, &failingStaff{}, &logs)
	for query, detail := range map[string]string{
		`{ me { name } }`:    "password authentication failed",
		`{ staff { name } }`: "index out of range",
	} {
		r := do(t, c, query)
		e := r.wantError(t, convrs.EINTERNAL, "")
		if e.Message != "Internal error." || strings.Contains(r.raw, detail) || strings.Contains(r.raw, "pq:") {
			t.Errorf("%s: client saw %s", query, r.raw)
		}
		if !strings.Contains(logs.String(), detail) {
			t.Errorf("%s: the log lacks %q:\n%s", query, detail, logs.String())
		}
	}
}

// Outside the demo console (production), nobody can post as a customer, and nothing is written.
func TestPostingAsCustomerIsDemoOnly(t *testing.T) {
	s := newStackMode(t, false)
	sam := s.as(t, "stf_sam")
	var list struct {
		Conversations []struct {
			ID       string `json:"id"`
			Messages []struct {
				Text string `json:"text"`
			} `json:"messages"`
		} `json:"conversations"`
	}
	do(t, sam, `{ conversations(status: OPEN, first: 1) { id messages { text } } }`).decode(t, &list)
	if len(list.Conversations) != 1 {
		t.Fatalf("no open conversation in the seed")
	}
	conv := list.Conversations[0]
	e := do(t, sam, `mutation($c: ID!) { postCustomerMessage(conversationId: $c, text: "I am the customer") { id } }`, "c", conv.ID).
		wantError(t, convrs.EFORBIDDEN, "")
	if !strings.Contains(e.Message, "demo console") {
		t.Errorf("message %q does not say why", e.Message)
	}
	var after struct {
		Conversation struct {
			Messages []struct {
				Text string `json:"text"`
			} `json:"messages"`
		} `json:"conversation"`
	}
	do(t, sam, `query($c: ID!) { conversation(id: $c) { messages { text } } }`, "c", conv.ID).decode(t, &after)
	if len(after.Conversation.Messages) != len(conv.Messages) {
		t.Errorf("%d messages after a refused post, want %d", len(after.Conversation.Messages), len(conv.Messages))
	}
}

// Create New Chat's error shapes, as the form reads them: every invalid field at once, and ECONFLICT with the
// matching customer's id when the details are an existing customer's (whose data stays as it was).
func TestStartConversationErrorShapes(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	const start = `mutation($in: StartConversationInput!) { startConversation(input: $in) { id customer { id } } }`

	r := do(t, agent, start, "in", map[string]any{"channel": "sms", "message": " ", "customer": map[string]any{"email": "bob@", "phone": "12345"}})
	var fields []string
	for _, e := range r.Errors {
		if e.code() != convrs.EINVALID || e.Message == "" {
			t.Errorf("error %+v, want EINVALID with a message", e)
		}
		fields = append(fields, e.field())
	}
	if diff := cmp.Diff([]string{"message", "email", "phone"}, fields); diff != "" {
		t.Errorf("invalid fields (-want +got):\n%s\n%s", diff, r.raw)
	}

	var bob struct {
		Customers []struct {
			ID    string  `json:"id"`
			Phone *string `json:"phone"`
		} `json:"customers"`
	}
	do(t, agent, `{ customers(query: "bob@example.com") { id phone } }`).decode(t, &bob)
	if len(bob.Customers) != 1 {
		t.Fatalf("seeded Bob: %+v", bob)
	}
	r = do(t, agent, start, "in", map[string]any{"channel": "sms", "message": "Hi", "customer": map[string]any{"email": "Bob@Example.com", "phone": "+44 20 7946 0000", "firstName": "Robert"}})
	e := r.wantError(t, convrs.ECONFLICT, "email")
	if want := "This matches Bob Smith (bob@example.com)."; e.Message != want {
		t.Errorf("message = %q, want %q", e.Message, want)
	}
	if e.Extensions["customerId"] != bob.Customers[0].ID {
		t.Errorf("extensions = %v, want customerId %s", e.Extensions, bob.Customers[0].ID)
	}
	var after struct {
		Customer struct {
			Phone     *string `json:"phone"`
			FirstName *string `json:"firstName"`
		} `json:"customer"`
	}
	do(t, agent, `query($u: ID!) { customer(id: $u) { phone firstName } }`, "u", bob.Customers[0].ID).decode(t, &after)
	if after.Customer.Phone != nil || after.Customer.FirstName == nil || *after.Customer.FirstName != "Bob" {
		t.Errorf("Bob changed: %+v", after.Customer)
	}
	// Settings report every invalid field at once too.
	r = do(t, s.as(t, seed.AdminID), `mutation { updateWorkspaceSettings(input: {name: " ", defaultRegion: "XX", timeZone: "Mars/Base"}) { id } }`)
	fields = nil
	for _, e := range r.Errors {
		fields = append(fields, e.field())
	}
	if diff := cmp.Diff([]string{"name", "defaultRegion", "timeZone"}, fields); diff != "" {
		t.Errorf("settings fields (-want +got):\n%s\n%s", diff, r.raw)
	}
}
