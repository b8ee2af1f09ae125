package store_test

import (
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

func TestMarkHubspotErrorOnlyForTheCurrentConnection(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_a")
		conn := convrs.HubspotConnection{WorkspaceID: "ws_a", PortalID: 1, UIDomain: "app.hubspot.com", HubUserEmail: "o@x.test",
			Scopes: []string{"oauth"}, AccessTokenEnc: "v1:a", RefreshTokenEnc: "v1:r", TokenExpiresAt: time.Now().Add(time.Hour)}
		first, _, err := db.SaveHubspotConnection(f.admin, conn)
		if err != nil {
			t.Fatal(err)
		}
		// The admin reconnects before a refresh of the first connection's token comes back refused.
		db.Now = func() time.Time { return time.Now().Add(time.Minute) }
		if _, _, err := db.SaveHubspotConnection(f.admin, conn); err != nil {
			t.Fatal(err)
		}
		_, err = db.MarkHubspotError(f.admin, "ws_a", first.ConnectedAt, "refused")
		wantCode(t, err, convrs.ECONFLICT)
		current, _ := db.HubspotIntegration(f.admin, "ws_a")
		if current.State != convrs.IntegrationConnected {
			t.Fatalf("a stale refusal changed the new connection to %s", current.State)
		}
		marked, err := db.MarkHubspotError(f.admin, "ws_a", current.ConnectedAt, "refused")
		if err != nil || marked.State != convrs.IntegrationError || marked.ErrorReason != "refused" {
			t.Fatalf("MarkHubspotError = %+v, %v", marked, err)
		}
	})
}
