package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

// fixture is one workspace with an admin, an agent and a customer with an open conversation.
type fixture struct {
	db           *store.DB
	ws           *convrs.Workspace
	admin, agent context.Context
	customer     *convrs.Customer
	conv         *convrs.Conversation
}

func newFixture(t *testing.T, db *store.DB, wsID string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, ws: &convrs.Workspace{ID: wsID, Name: "Acme " + wsID, DefaultRegion: "GB", TimeZone: "Europe/London"}}
	if err := db.CreateWorkspace(ctx, f.ws); err != nil {
		t.Fatal(err)
	}
	admin := &convrs.Staff{WorkspaceID: wsID, Name: "Ada Admin", Email: "ada@" + wsID + ".test", Role: convrs.RoleAdmin}
	agent := &convrs.Staff{WorkspaceID: wsID, Name: "Sam Agent", Email: "sam@" + wsID + ".test", Role: convrs.RoleAgent}
	for _, s := range []*convrs.Staff{admin, agent} {
		if err := db.CreateStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	f.admin = convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: admin.ID, WorkspaceID: wsID, Role: convrs.RoleAdmin})
	f.agent = convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: agent.ID, WorkspaceID: wsID, Role: convrs.RoleAgent})
	conv, err := db.StartConversation(f.agent, convrs.StartConversationInput{
		Customer: convrs.CustomerInput{Email: ptr("alice@example.com"), FirstName: ptr("Alice"), LastName: ptr("Johnson")},
		Channel:  "web", Message: "Hello Alice, how can we help?",
	})
	if err != nil {
		t.Fatal(err)
	}
	f.conv = conv
	if f.customer, err = db.FindCustomer(f.agent, conv.CustomerID); err != nil {
		t.Fatal(err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// eachEngine runs fn on a fresh database of every engine.
func eachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.OpenDB(t, engine))
		})
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := convrs.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %s", got, err, code)
	}
}

// Running the migrations again on a migrated database changes nothing, on every engine: each version is
// recorded once, and the schema's tables, columns, indexes and constraints and every row stay as they were.
func TestMigrationsAreVersionedAndIdempotent(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		f := newFixture(t, db, "ws_a")
		db.Close()
		raw := storetest.Raw(t, dsn)
		schema, rows := schemaObjects(t, raw, engine), tableRows(t, raw, engine)
		var versions []int
		if err := raw.Raw(`SELECT version FROM schema_migrations ORDER BY version`).Scan(&versions).Error; err != nil {
			t.Fatal(err)
		}
		if want := seq(1, store.LatestSchemaVersion()); !slices.Equal(versions, want) {
			t.Fatalf("schema_migrations = %v, want each of %v once", versions, want)
		}

		// Opening again runs the migrations again.
		db, err = store.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("migrating an up-to-date database: %v", err)
		}
		defer db.Close()
		if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchemaVersion() {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, store.LatestSchemaVersion())
		}
		if diff := cmp.Diff(schema, schemaObjects(t, raw, engine)); diff != "" {
			t.Errorf("the second migration run changed the schema (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(rows, tableRows(t, raw, engine)); diff != "" {
			t.Errorf("the second migration run changed rows (-before +after):\n%s", diff)
		}
		if _, err := db.FindConversation(f.agent, f.conv.ID); err != nil {
			t.Fatalf("the conversation is not found after the second migration run: %v", err)
		}
	})
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// schemaObjects lists the database's tables, columns, indexes and constraints with their definitions, sorted.
func schemaObjects(t *testing.T, raw *gorm.DB, engine string) []string {
	t.Helper()
	query := `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY 1`
	if engine == "postgres" {
		query = `SELECT * FROM (
			SELECT 'column ' || table_name || '.' || column_name || ': ' || data_type || ' nullable=' || is_nullable || ' default=' || COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema()
			UNION ALL SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
		) objects ORDER BY 1`
	}
	var objects []string
	if err := raw.Raw(query).Scan(&objects).Error; err != nil {
		t.Fatalf("list schema objects: %v", err)
	}
	if len(objects) == 0 {
		t.Fatal("no schema objects: the query reads the wrong schema")
	}
	return objects
}

// tableRows is every row of every table, by table, each row printed and the rows sorted.
func tableRows(t *testing.T, raw *gorm.DB, engine string) map[string][]string {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if engine == "postgres" {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var tables []string
	if err := raw.Raw(query).Scan(&tables).Error; err != nil {
		t.Fatalf("list tables: %v", err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		var rows []map[string]any
		if err := raw.Table(table).Find(&rows).Error; err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for _, r := range rows {
			out[table] = append(out[table], fmt.Sprint(r))
		}
		slices.Sort(out[table])
	}
	return out
}

// Two gateway processes starting together on one empty PostgreSQL database both migrate it; the advisory lock
// (held on one pinned connection) lets one apply the migrations while the other waits, and neither fails.
func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	t.Parallel()
	testkit.DatabaseURL(t) // skips without PostgreSQL
	dsn := storetest.DSN(t, "postgres")
	const processes = 4
	errs := make(chan error, processes)
	dbs := make(chan *store.DB, processes)
	for range processes {
		go func() {
			db, err := store.Open(context.Background(), dsn)
			if db != nil {
				dbs <- db
			}
			errs <- err
		}()
	}
	for range processes {
		if err := <-errs; err != nil {
			t.Errorf("a concurrent migration failed: %v", err)
		}
	}
	close(dbs)
	for db := range dbs {
		if v, err := db.SchemaVersion(context.Background()); err != nil || v != store.LatestSchemaVersion() {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, store.LatestSchemaVersion())
		}
		db.Close()
	}
}

func TestReopenDatabaseKeepsData(t *testing.T) {
	t.Parallel()
	path := "sqlite://" + t.TempDir() + "/convrs.db"
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, db, "ws_a")
	db.Close()
	db, err = store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.FindConversation(f.agent, f.conv.ID); err != nil {
		t.Fatalf("conversation lost after reopening the database: %v", err)
	}
}

func TestCustomerValidation(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_a")
		c, err := db.CreateCustomer(f.agent, convrs.CustomerInput{Phone: ptr("07911 123456"), Email: ptr(" Bob@Example.COM ")})
		if err != nil {
			t.Fatal(err)
		}
		if c.Phone != "+447911123456" || c.PhoneRaw != "07911 123456" || c.Email != "bob@example.com" {
			t.Fatalf("customer = %+v; want E.164 phone, raw kept, email lowercased", c)
		}
		for _, tc := range []struct {
			in    convrs.CustomerInput
			field string
		}{
			{convrs.CustomerInput{Phone: ptr("call me maybe")}, "phone"},
			{convrs.CustomerInput{Phone: ptr("+44 12")}, "phone"},
			{convrs.CustomerInput{Email: ptr("not-an-email")}, "email"},
			{convrs.CustomerInput{Email: ptr("Bob <bob@example.com>")}, "email"},
		} {
			_, err := db.UpdateCustomer(f.agent, c.ID, tc.in)
			var e *convrs.Error
			if !errors.As(err, &e) || e.Code != convrs.EINVALID || e.Field != tc.field {
				t.Errorf("UpdateCustomer(%+v) = %v; want EINVALID on %s", tc.in, err, tc.field)
			}
		}
		got, _ := db.FindCustomer(f.agent, c.ID)
		if got.Phone != "+447911123456" {
			t.Errorf("a rejected update changed the customer: %+v", got)
		}
	})
}

func TestWorkspacesAreIsolated(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		a, b := newFixture(t, db, "ws_a"), newFixture(t, db, "ws_b")
		_, err := db.FindConversation(a.agent, b.conv.ID)
		wantCode(t, err, convrs.ENOTFOUND)
		_, err = db.FindCustomer(a.agent, b.customer.ID)
		wantCode(t, err, convrs.ENOTFOUND)
		_, err = db.SendMessage(a.agent, b.conv.ID, "hi")
		wantCode(t, err, convrs.ENOTFOUND)
		_, err = db.CloseConversation(a.admin, b.conv.ID)
		wantCode(t, err, convrs.ENOTFOUND)
		_, err = db.UpdateCustomer(a.admin, b.customer.ID, convrs.CustomerInput{FirstName: ptr("X")})
		wantCode(t, err, convrs.ENOTFOUND)
		msgs, err := db.ListMessages(a.agent, b.conv.ID)
		if err != nil || len(msgs) != 0 {
			t.Fatalf("ListMessages across workspaces = %d messages, %v", len(msgs), err)
		}
		convs, _ := db.ListConversations(a.agent, convrs.ConversationFilter{})
		custs, _ := db.ListCustomers(a.agent, "", 0)
		found, _ := db.FindCustomers(a.agent, []string{b.customer.ID, a.customer.ID})
		if len(convs) != 1 || convs[0].ID != a.conv.ID || len(custs) != 1 || len(found) != 1 || found[0].ID != a.customer.ID {
			t.Fatalf("workspace A sees %d conversations, %d customers, %d found", len(convs), len(custs), len(found))
		}
		_, err = db.FindWorkspace(a.admin, "ws_b")
		wantCode(t, err, convrs.ENOTFOUND)
	})
}

func TestNoPrincipalIsUnauthorized(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDB(t, "sqlite")
	f := newFixture(t, db, "ws_a")
	_, err := db.FindConversation(context.Background(), f.conv.ID)
	wantCode(t, err, convrs.EUNAUTHORIZED)
	_, err = db.ListCustomers(context.Background(), "", 10)
	wantCode(t, err, convrs.EUNAUTHORIZED)
}

func TestWorkspaceSettingsAreAdminOnly(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_a")
		_, err := db.UpdateWorkspace(f.agent, "ws_a", convrs.WorkspaceUpdate{DefaultRegion: ptr("US")})
		wantCode(t, err, convrs.EFORBIDDEN)
		_, err = db.UpdateWorkspace(f.admin, "ws_a", convrs.WorkspaceUpdate{TimeZone: ptr("Mars/Olympus")})
		wantCode(t, err, convrs.EINVALID)
		// Regions and time zones are both read whatever their letter case, and stored in their usual form.
		ws, err := db.UpdateWorkspace(f.admin, "ws_a", convrs.WorkspaceUpdate{DefaultRegion: ptr("us"), TimeZone: ptr("america/new_york")})
		if err != nil || ws.DefaultRegion != "US" || ws.TimeZone != "America/New_York" {
			t.Fatalf("UpdateWorkspace = %+v, %v", ws, err)
		}
		// Numbers without a country code are now read as US numbers.
		c, err := db.CreateCustomer(f.agent, convrs.CustomerInput{Phone: ptr("(415) 555-0134")})
		if err != nil || c.Phone != "+14155550134" {
			t.Fatalf("CreateCustomer = %+v, %v", c, err)
		}
	})
}

type recorder struct {
	mu     sync.Mutex
	topics []string
	events []string
}

func (r *recorder) Publish(_ context.Context, topic string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.topics = append(r.topics, topic)
	r.events = append(r.events, string(payload))
	return nil
}

func (r *recorder) Subscribe(context.Context, string) (<-chan []byte, error) { return nil, nil }

func TestConversationLifecycle(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		rec := &recorder{}
		db.Events = rec
		f := newFixture(t, db, "ws_a")
		if _, err := db.PostCustomerMessage(f.agent, f.conv.ID, "My order has not arrived."); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SendMessage(f.agent, f.conv.ID, "  Sorry to hear that — checking now.  "); err != nil {
			t.Fatal(err)
		}
		_, err := db.SendMessage(f.agent, f.conv.ID, "   ")
		wantCode(t, err, convrs.EINVALID)
		_, err = db.SendMessage(f.agent, f.conv.ID, strings.Repeat("x", convrs.MaxMessageLength+1))
		wantCode(t, err, convrs.EINVALID)

		closed, err := db.CloseConversation(f.agent, f.conv.ID)
		if err != nil || closed.Status != convrs.ConversationClosed || closed.ClosedAt == nil {
			t.Fatalf("CloseConversation = %+v, %v", closed, err)
		}
		_, err = db.CloseConversation(f.agent, f.conv.ID)
		wantCode(t, err, convrs.ECONFLICT)
		_, err = db.SendMessage(f.agent, f.conv.ID, "Anyone there?")
		wantCode(t, err, convrs.ECONFLICT)
		reopened, err := db.ReopenConversation(f.agent, f.conv.ID)
		if err != nil || reopened.Status != convrs.ConversationOpen || reopened.ClosedAt != nil {
			t.Fatalf("ReopenConversation = %+v, %v", reopened, err)
		}

		msgs, err := db.ListMessages(f.agent, f.conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, m := range msgs {
			lines = append(lines, string(m.AuthorKind)+"|"+m.AuthorName+"|"+m.Text)
		}
		want := []string{
			"agent|Sam Agent|Hello Alice, how can we help?",
			"customer|Alice Johnson|My order has not arrived.",
			"agent|Sam Agent|Sorry to hear that — checking now.",
			"system|Convrs|Conversation closed by Sam Agent.",
			"system|Convrs|Conversation reopened by Sam Agent.",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Fatalf("transcript:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.events) != 5 || rec.topics[0] != convrs.TopicConversations("ws_a") || !strings.Contains(rec.events[3], `"CLOSED"`) {
			t.Fatalf("published %d events: %v", len(rec.events), rec.events)
		}
	})
}

// A close queues its transcript sync exactly while the workspace syncs to HubSpot: from Enable, through an
// integration in ERROR (the record waits for the reconnect), until a reconnect to another portal or a Disable,
// which also cancel what was queued.
func TestClosingQueuesTheTranscriptSyncWhileSyncingIsOn(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, "ws_a")
		// closes reopens (when closed) and closes the fixture's conversation, and returns its sync record's status
		// ("" when it has none).
		closes := func() convrs.HubspotSyncStatus {
			t.Helper()
			if c, err := db.FindConversation(f.agent, f.conv.ID); err == nil && c.Status == convrs.ConversationClosed {
				if _, err := db.ReopenConversation(f.agent, f.conv.ID); err != nil {
					t.Fatal(err)
				}
			}
			closed, err := db.CloseConversation(f.agent, f.conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.HubspotSync(f.admin, f.conv.ID)
			if convrs.ErrorCode(err) == convrs.ENOTFOUND {
				return ""
			} else if err != nil {
				t.Fatal(err)
			}
			if s.Status == convrs.SyncQueued && !s.ClosedAt.Equal(*closed.ClosedAt) {
				t.Fatalf("sync queued for the close at %v, want %v", s.ClosedAt, closed.ClosedAt)
			}
			return s.Status
		}
		status := func() convrs.HubspotSyncStatus {
			t.Helper()
			s, err := db.HubspotSync(f.admin, f.conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			return s.Status
		}
		if got := closes(); got != "" {
			t.Fatalf("close without HubSpot: sync %s, want none", got)
		}
		conn := convrs.HubspotConnection{WorkspaceID: f.ws.ID, PortalID: 77, ConnectedBy: "x"}
		if _, _, err := db.SaveHubspotConnection(ctx, conn); err != nil {
			t.Fatal(err)
		}
		if got := closes(); got != "" {
			t.Fatalf("close while connected, not enabled: sync %s, want none", got)
		}
		integ, err := db.EnableHubspot(ctx, f.ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := closes(); got != convrs.SyncQueued {
			t.Fatalf("close while enabled: sync %q, want QUEUED", got)
		}
		if _, err := db.MarkHubspotError(ctx, f.ws.ID, integ.ConnectedAt, "revoked"); err != nil {
			t.Fatal(err)
		}
		if got := closes(); got != convrs.SyncQueued {
			t.Fatalf("close while in ERROR: sync %q, want QUEUED (waiting for the reconnect)", got)
		}
		// Reconnecting the same portal keeps syncing on; another portal turns it off and cancels what was queued.
		if _, _, err := db.SaveHubspotConnection(ctx, conn); err != nil {
			t.Fatal(err)
		}
		if got := closes(); got != convrs.SyncQueued {
			t.Fatalf("close after reconnecting the same portal: sync %q, want QUEUED", got)
		}
		conn.PortalID = 78
		if _, _, err := db.SaveHubspotConnection(ctx, conn); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != convrs.SyncCancelled {
			t.Fatalf("sync after connecting another portal: %s, want CANCELLED", got)
		}
		if got := closes(); got != convrs.SyncCancelled {
			t.Fatalf("close after connecting another portal: sync %s, want it left CANCELLED", got)
		}
		if _, err := db.EnableHubspot(ctx, f.ws.ID); err != nil {
			t.Fatal(err)
		}
		if got := closes(); got != convrs.SyncQueued {
			t.Fatalf("close after enabling again: sync %q, want QUEUED", got)
		}
		if _, err := db.DeleteHubspotIntegration(ctx, f.ws.ID); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != convrs.SyncCancelled {
			t.Fatalf("sync after Disable: %s, want CANCELLED", got)
		}
		if got := closes(); got != convrs.SyncCancelled {
			t.Fatalf("close after Disable: sync %s, want it left CANCELLED", got)
		}
	})
}

func TestStartConversationReusesOrCreatesCustomers(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_a")
		// A new person.
		conv, err := db.StartConversation(f.agent, convrs.StartConversationInput{
			Customer: convrs.CustomerInput{Phone: ptr("020 7946 0958"), FirstName: ptr("Hana")}, Channel: "sms", Message: "Hello Hana",
		})
		if err != nil || conv.CustomerID == f.customer.ID {
			t.Fatalf("StartConversation = %+v, %v; want a new customer", conv, err)
		}
		for _, in := range []convrs.StartConversationInput{
			{Customer: convrs.CustomerInput{Phone: ptr("12")}, Channel: "sms", Message: "x"},
			{Customer: convrs.CustomerInput{FirstName: ptr("Nobody")}, Channel: "sms", Message: "x"},
			{Customer: convrs.CustomerInput{Email: ptr("a@b.co")}, Channel: "pigeon", Message: "x"},
			{Customer: convrs.CustomerInput{Email: ptr("a@b.co")}, Channel: "web", Message: " "},
		} {
			_, err := db.StartConversation(f.agent, in)
			wantCode(t, err, convrs.EINVALID)
		}
		if custs, _ := db.ListCustomers(f.agent, "", 0); len(custs) != 2 {
			t.Fatalf("%d customers; rejected starts must create none", len(custs))
		}
		if found, _ := db.ListCustomers(f.agent, "hana", 0); len(found) != 1 {
			t.Fatalf("search by name found %d", len(found))
		}
	})
}
