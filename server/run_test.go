package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/hubsync"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/store"
)

// newRunApp builds the development app (SQLite, the embedded simulator) to be Run, its log in the returned
// writer.
func newRunApp(t *testing.T) (*App, *testkit.LogBuffer) {
	t.Helper()
	cfg, err := LoadConfig(devEnv("DATA_DIR", t.TempDir(), "LISTEN_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0", "HUBSPOT_SIM_ADDR", "127.0.0.1:0", "LOG_LEVEL", "info"))
	if err != nil {
		t.Fatal(err)
	}
	logs := &testkit.LogBuffer{}
	app, err := NewApp(context.Background(), cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	return app, logs
}

// connectDemo connects the demo workspace to the simulator's demo portal and enables the sync, as an admin's
// OAuth and Enable would.
func connectDemo(t *testing.T, app *App) {
	t.Helper()
	ctx := context.Background()
	box, err := secret.NewBox(app.cfg.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	access, refresh := app.sim.IssueTokens(hubspotsim.DemoPortalID, "")
	seal := func(v, which string) string {
		s, err := box.Seal(v, "hubspot:"+which+":ws_demo")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, _, err := app.db.SaveHubspotConnection(ctx, convrs.HubspotConnection{WorkspaceID: "ws_demo", PortalID: hubspotsim.DemoPortalID,
		Scopes: integration.RequiredScopes, AccessTokenEnc: seal(access, "access"), RefreshTokenEnc: seal(refresh, "refresh"),
		TokenExpiresAt: time.Now().Add(30 * time.Minute), ConnectedBy: "stf_ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.db.EnableHubspot(ctx, "ws_demo"); err != nil {
		t.Fatal(err)
	}
}

// holdFirstCRMCall makes the simulator hold the first CRM API call until its caller gives up, and closes the
// returned channel when that call arrives.
func holdFirstCRMCall(app *App) <-chan struct{} {
	arrived := make(chan struct{})
	var once sync.Once
	next := app.simSrv.Handler
	app.simSrv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		held := false
		if strings.HasPrefix(r.URL.Path, "/crm/") {
			once.Do(func() { held = true })
		}
		if held {
			close(arrived)
			<-r.Context().Done()
			return
		}
		next.ServeHTTP(w, r)
	})
	return arrived
}

// SIGTERM while a transcript sync is talking to HubSpot: Run stops the listeners, then the sync, which puts its
// record back in the queue, and only then closes the database.
func TestRunStopsTheSyncBeforeClosingTheDatabase(t *testing.T) {
	app, logs := newRunApp(t)
	connectDemo(t, app)
	admin := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: "stf_ada", WorkspaceID: "ws_demo", Role: convrs.RoleAdmin})
	agent := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: "stf_sam", WorkspaceID: "ws_demo", Role: convrs.RoleAgent})
	email := "shutdown@example.com"
	cust, err := app.db.CreateCustomer(admin, convrs.CustomerInput{Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	conv, err := app.db.OpenInbound(admin, cust.ID, "web", "Is my order on its way?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.db.CloseConversation(agent, conv.ID); err != nil {
		t.Fatal(err)
	}
	arrived := holdFirstCRMCall(app)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case <-arrived:
	case err := <-done:
		t.Fatalf("Run returned before the sync called HubSpot: %v\n%s", err, logs)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after the cancel: %v\n%s", err, logs)
	}

	db, err := store.Open(context.Background(), app.cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := (&hubsync.Service{Store: db}).Sync(admin, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != convrs.SyncQueued || s.Attempts != 0 {
		t.Errorf("after the shutdown the sync is %s after %d attempts, want QUEUED (released, not counted)\n%s", s.Status, s.Attempts, logs)
	}
	for _, bad := range []string{"database is closed", "level=ERROR"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the log has %q:\n%s", bad, logs)
		}
	}
}

// The embedded simulator cannot serve: the gateway logs which worker failed and Run returns its error (the
// process exits non-zero) after stopping the others.
func TestRunReturnsAWorkersFailure(t *testing.T) {
	app, logs := newRunApp(t)
	app.simLn.Close()
	err := app.Run(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "hubspot simulator: ") {
		t.Fatalf("Run = %v, want the simulator's failure\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), `msg="worker failed; stopping the gateway" worker="hubspot simulator"`) {
		t.Errorf("the log does not name the failed worker:\n%s", logs)
	}
}

// A stage stops only once the stage before it has: a worker still finishing a request finds the next stage's
// workers (and what they hold) running.
func TestRunStagesStopInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu      sync.Mutex
		stopped []string
	)
	record := func(name string) {
		mu.Lock()
		defer mu.Unlock()
		stopped = append(stopped, name)
	}
	laterRunning := make(chan struct{})
	release := make(chan struct{})
	first := worker{"first", func(ctx context.Context) error {
		<-ctx.Done()
		<-release // the test looks at the later stage meanwhile
		record("first")
		return nil
	}}
	later := worker{"later", func(ctx context.Context) error {
		close(laterRunning)
		<-ctx.Done()
		record("later")
		return context.Cause(ctx)
	}}
	done := make(chan error, 1)
	go func() { done <- runStages(ctx, slog.New(slog.DiscardHandler), []worker{first}, nil, []worker{later}) }()
	<-laterRunning
	cancel()
	mu.Lock()
	early := len(stopped)
	mu.Unlock()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("runStages = %v, want nil (workers ending with their context)", err)
	}
	if early != 0 || len(stopped) != 2 || stopped[0] != "first" {
		t.Errorf("stopped %v (%d before the first stage returned), want [first later]", stopped, early)
	}
}

func TestRunStagesFailure(t *testing.T) {
	boom := errors.New("boom")
	var logs testkit.LogBuffer
	err := runStages(context.Background(), newLogger(&Config{Env: "development"}, &logs),
		[]worker{{"waits", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}},
		[]worker{{"fails", func(context.Context) error { return boom }}, {"panics", func(ctx context.Context) error { <-ctx.Done(); panic("bug") }}})
	if !errors.Is(err, boom) || err.Error() != "fails: boom" {
		t.Errorf("runStages = %v, want fails: boom", err)
	}
	for _, want := range []string{`worker=fails error=boom`, `worker=panics error="panic: bug`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, logs.String())
		}
	}
}
