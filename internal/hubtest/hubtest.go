// Package hubtest sets up what the tests of the packages over the HubSpot integration share: a workspace with
// an admin and an agent, a secret box, and a connection to a simulator portal as a completed OAuth handshake
// stores it. Only tests import it.
package hubtest

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/store"
)

// PublicURL is the gateway's public address in tests.
const PublicURL = "https://convrs.test"

// The staff Workspace creates.
const (
	AdminID = "stf_admin" // Ada Admin, ada@test.test
	AgentID = "stf_agent" // Sam Agent, sam@test.test
)

// Workspace creates ws with an admin (AdminID) and an agent (AgentID) and returns their request contexts.
func Workspace(tb testing.TB, db *store.DB, ws convrs.Workspace) (admin, agent context.Context) {
	tb.Helper()
	ctx := context.Background()
	if err := db.CreateWorkspace(ctx, &ws); err != nil {
		tb.Fatalf("create workspace %s: %v", ws.ID, err)
	}
	for _, s := range []*convrs.Staff{
		{ID: AdminID, WorkspaceID: ws.ID, Name: "Ada Admin", Email: "ada@test.test", Role: convrs.RoleAdmin},
		{ID: AgentID, WorkspaceID: ws.ID, Name: "Sam Agent", Email: "sam@test.test", Role: convrs.RoleAgent},
	} {
		if err := db.CreateStaff(ctx, s); err != nil {
			tb.Fatalf("create staff %s: %v", s.ID, err)
		}
	}
	return Principals(ws.ID)
}

// Principals returns the request contexts of the admin and the agent of workspace wsID (see Workspace).
func Principals(wsID string) (admin, agent context.Context) {
	ctx := context.Background()
	admin = convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: AdminID, WorkspaceID: wsID, Role: convrs.RoleAdmin})
	agent = convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: AgentID, WorkspaceID: wsID, Role: convrs.RoleAgent})
	return admin, agent
}

// NewBox returns a secret box with a random key.
func NewBox(tb testing.TB) *secret.Box {
	tb.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		tb.Fatal(err)
	}
	return box
}

// Connect stores c (WorkspaceID, PortalID and TokenExpiresAt set) as the OAuth callback would, with fresh
// simulator tokens sealed by box; UIDomain, Scopes and ConnectedBy default to app.hubspot.com, every required
// scope and AdminID. It returns the access token.
func Connect(tb testing.TB, db *store.DB, box *secret.Box, sim *hubspotsim.TestServer, c convrs.HubspotConnection) string {
	tb.Helper()
	access, refresh := sim.IssueTokens(c.PortalID, "")
	seal := func(token, which string) string {
		sealed, err := box.Seal(token, "hubspot:"+which+":"+c.WorkspaceID)
		if err != nil {
			tb.Fatal(err)
		}
		return sealed
	}
	c.AccessTokenEnc, c.RefreshTokenEnc = seal(access, "access"), seal(refresh, "refresh")
	if c.UIDomain == "" {
		c.UIDomain = "app.hubspot.com"
	}
	if c.Scopes == nil {
		c.Scopes = integration.RequiredScopes
	}
	if c.ConnectedBy == "" {
		c.ConnectedBy = AdminID
	}
	if _, _, err := db.SaveHubspotConnection(context.Background(), c); err != nil {
		tb.Fatalf("save the connection: %v", err)
	}
	return access
}

// OAuth is the simulator's app as the gateway at PublicURL is configured for it.
func OAuth(sim *hubspotsim.TestServer) *hubspot.OAuthConfig {
	return &hubspot.OAuthConfig{
		ClientID: hubspotsim.DefaultClientID, ClientSecret: hubspotsim.DefaultClientSecret,
		RedirectURL: PublicURL + integration.CallbackPath, Scopes: integration.RequiredScopes,
		AppURL: sim.URL(), APIURL: sim.URL(),
	}
}
