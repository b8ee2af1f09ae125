package match_test

import (
	"context"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/store/storetest"
)

// The matcher over the real store (SQLite and PostgreSQL): the link it stores is the customer's, and the
// syncs of one new phone-only customer that run at once end on one contact because each reloads the customer
// under the lock.
func TestFindOrCreateWithStore(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := storetest.OpenDB(t, engine)
			ctx := context.Background()
			ws := &convrs.Workspace{ID: "ws_m", Name: "Acme", DefaultRegion: "GB", TimeZone: "Europe/London"}
			if err := db.CreateWorkspace(ctx, ws); err != nil {
				t.Fatal(err)
			}
			agent := &convrs.Staff{WorkspaceID: ws.ID, Name: "Sam", Email: "sam@acme.test", Role: convrs.RoleAgent}
			if err := db.CreateStaff(ctx, agent); err != nil {
				t.Fatal(err)
			}
			actx := convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: agent.ID, WorkspaceID: ws.ID, Role: convrs.RoleAgent})
			phone, name := "+447911123456", "Lee"
			conv, err := db.StartConversation(actx, convrs.StartConversationInput{
				Customer: convrs.CustomerInput{Phone: &phone, FirstName: &name}, Channel: "web", Message: "Hello",
			})
			if err != nil {
				t.Fatal(err)
			}
			cu, err := db.FindCustomer(actx, conv.CustomerID)
			if err != nil {
				t.Fatal(err)
			}

			e := setup(t, envOpts{indexDelay: time.Hour})
			m := match.New(match.Config{Links: db, Locker: e.locker})
			target := match.Target{Customer: cu, PortalID: e.portal, Region: ws.DefaultRegion,
				Reload: func(ctx context.Context) (*convrs.Customer, error) { return db.FindCustomer(ctx, cu.ID) }}
			together(t, 4, func() (*match.Result, error) { return m.FindOrCreate(actx, e.hc, target) })

			live := e.live()
			if len(live) != 1 {
				t.Fatalf("%d contacts in HubSpot; want 1", len(live))
			}
			got, err := db.FindCustomer(actx, cu.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.HubspotContactID != live[0].ID || got.HubspotPortalID != e.portal || got.Phone != phone {
				t.Errorf("stored customer = %+v; want linked to %s in %d, phone unchanged", got, live[0].ID, e.portal)
			}
		})
	}
}
