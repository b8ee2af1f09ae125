package graph_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/convrs/gateway/auth"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/seed"
)

// cancellingStaff stands for a store whose query the client abandons: it cancels the request, as a browser
// navigating away does, and reports the cancellation as the database driver would.
type cancellingStaff struct{ cancel context.CancelFunc }

func (s cancellingStaff) FindStaff(ctx context.Context, _ string) (*convrs.Staff, error) {
	s.cancel()
	return nil, fmt.Errorf("store: find staff: %w", ctx.Err())
}

func (s cancellingStaff) FindStaffMembers(ctx context.Context, _ []string) ([]*convrs.Staff, error) {
	return nil, ctx.Err()
}

func (s cancellingStaff) ListStaff(ctx context.Context) ([]*convrs.Staff, error) {
	return nil, ctx.Err()
}

// A request the client cancelled is not an internal error: nothing is logged at ERROR level.
func TestCancelledRequestIsNotLoggedAsAnError(t *testing.T) {
	var logs testkit.LogBuffer
	signer, err := auth.NewSigner([]byte("graph-test-session-secret-of-32-bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &graph.Resolver{StaffService: cancellingStaff{cancel}, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	srv := graph.NewServer(r, graph.ServerOptions{Authenticate: signer.WebsocketInit})
	tok, err := signer.Issue(demoStaff[seed.AgentID], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(signer.Middleware(srv), client.AddHeader("Authorization", "Bearer "+tok))
	var out map[string]any
	_ = c.Post(`{ me { name } }`, &out, func(bd *client.Request) { bd.HTTP = bd.HTTP.WithContext(ctx) })
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a cancelled request was logged as an error:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "cancelled by the client") {
		t.Errorf("the cancellation is not in the debug log:\n%s", logs.String())
	}
}
