package hubspot

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// contractBackend is a HubSpot the contract runs against.
type contractBackend struct {
	client *Client
	// real is true for a real HubSpot portal, which keeps what the test creates unless the test deletes it.
	real bool
	// portalID is the portal the client's token belongs to (0: not known beforehand).
	portalID int64
}

// forEachBackend runs fn against the simulator and, when HUBSPOT_TEST_TOKEN holds the private app token of a
// HubSpot developer test portal, against that portal too (HUBSPOT_TEST_API_URL overrides the API origin), as
// miniredis runs its tests against a real Redis on demand.
func forEachBackend(t *testing.T, fn func(t *testing.T, b *contractBackend)) {
	t.Run("simulator", func(t *testing.T) {
		t.Parallel()
		env := setupSim(t, hubspotsim.Options{})
		fn(t, &contractBackend{client: env.client, portalID: env.portal.ID})
	})
	t.Run("hubspot", func(t *testing.T) {
		token := os.Getenv("HUBSPOT_TEST_TOKEN")
		if token == "" {
			t.Skip("HUBSPOT_TEST_TOKEN is not set: set it to a private app token (scopes crm.objects.contacts.read " +
				"and crm.objects.contacts.write) of a HubSpot developer test portal to run this contract against real HubSpot")
		}
		t.Parallel()
		hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
		c := mustNewClient(t, hc, WithBaseURL(cmp.Or(os.Getenv("HUBSPOT_TEST_API_URL"), DefaultBaseURL)))
		fn(t, &contractBackend{client: c, real: true})
	})
}

// cleanup deletes a record the test created when the backend is real (the simulator ends with the test).
func (b *contractBackend) cleanup(t *testing.T, objectType, id string) {
	if !b.real {
		return
	}
	t.Cleanup(func() {
		req, err := b.client.NewRequest(http.MethodDelete, "crm/objects/2026-03/"+objectType+"/"+id, nil)
		if err == nil {
			_, err = b.client.Do(context.Background(), req, nil)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Errorf("cleanup: delete %s %s: %v", objectType, id, err)
		}
	})
}

// The calls the gateway depends on, with the answers it relies on: account details, a contact created, read by
// ID and by email, found by search, refused as a duplicate, and a note on its timeline.
func TestContract(t *testing.T) {
	t.Parallel()
	forEachBackend(t, runContract)
}

func runContract(t *testing.T, b *contractBackend) {
	ctx := context.Background()
	c := b.client

	d, _, err := c.Account.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.PortalID == 0 || (b.portalID != 0 && d.PortalID != b.portalID) {
		t.Errorf("account details name portal %d, want %d", d.PortalID, b.portalID)
	}

	// A real portal keeps data between runs: the email is new every time.
	email := "convrs-contract-" + rand.Text()[:12] + "@example.com"
	created, resp, err := c.Contacts.Create(ctx, map[string]string{"email": email, "firstname": "Ada", "lastname": "Contract"})
	if err != nil {
		t.Fatal(err)
	}
	b.cleanup(t, ObjectTypeContacts, created.ID)
	if resp.StatusCode != http.StatusCreated || created.ID == "" || created.Prop("firstname") != "Ada" {
		t.Fatalf("create answered %d with %+v", resp.StatusCode, created)
	}

	_, _, err = c.Contacts.Create(ctx, map[string]string{"email": email})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.ExistingID != created.ID {
		t.Errorf("a second contact with the email: err = %v, want ConflictError naming %s", err, created.ID)
	}

	got, _, err := c.Contacts.Get(ctx, created.ID, []string{"email", "firstname"})
	if err != nil || got.ID != created.ID || got.Prop("email") != email {
		t.Errorf("Get = %+v, %v", got, err)
	}
	got, _, err = c.Contacts.GetByEmail(ctx, email, []string{"firstname"})
	if err != nil || got.ID != created.ID || got.Prop("firstname") != "Ada" {
		t.Errorf("GetByEmail = %+v, %v", got, err)
	}
	if _, _, err := c.Contacts.Get(ctx, "999999999999", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of an unknown ID: err = %v, want ErrNotFound", err)
	}

	// HubSpot's search index catches up with a create within seconds.
	search := NewSearch().Where("email", OpEQ, email).Properties("email", "firstname").Limit(5).Request()
	found := waitForSearch(t, b.real, func() (bool, error) {
		res, _, err := c.Contacts.Search(ctx, search)
		if err != nil {
			return false, err
		}
		return res.Total == 1 && len(res.Results) == 1 && res.Results[0].ID == created.ID, nil
	})
	if !found {
		t.Errorf("search by email never found contact %s", created.ID)
	}

	nobody := "convrs-contract-nobody-" + rand.Text()[:12] + "@example.com"
	batch, resp, err := c.Contacts.BatchReadByEmail(ctx, []string{email, nobody}, []string{"firstname"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusMultiStatus || len(batch.Results) != 1 || batch.Results[0].ID != created.ID ||
		len(batch.NotFoundIDs()) != 1 || batch.NotFoundIDs()[0] != nobody {
		t.Errorf("batch read answered %d with %+v, want the contact and %s not found", resp.StatusCode, batch, nobody)
	}

	note, _, err := c.Notes.Create(ctx, NoteInput{Body: "Convrs contract test:<br>All &lt;good&gt;", Timestamp: time.Now(),
		ContactIDs: []string{created.ID}})
	if err != nil {
		t.Fatal(err)
	}
	b.cleanup(t, ObjectTypeNotes, note.ID)
	fetched, _, err := c.Notes.Get(ctx, note.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ids := fetched.ContactIDs(); len(ids) != 1 || ids[0] != created.ID {
		t.Errorf("the note is on contacts %v, want [%s]", ids, created.ID)
	}
	if got := fetched.Prop(PropNoteBody); !strings.Contains(got, "Convrs contract test:<br>All &lt;good&gt;") {
		t.Errorf("note body %q", got)
	}
	onTimeline := waitForSearch(t, b.real, func() (bool, error) {
		notes, _, err := c.Notes.SearchByContact(ctx, created.ID, nil)
		if err != nil {
			return false, err
		}
		return notes.Total == 1 && len(notes.Results) == 1 && notes.Results[0].ID == note.ID, nil
	})
	if !onTimeline {
		t.Errorf("the contact's notes never listed note %s", note.ID)
	}
}

// waitForSearch polls found until it reports true: once on the simulator (whose index is immediate), for up to a
// minute, at HubSpot's search pace, on a real portal.
func waitForSearch(t *testing.T, real bool, found func() (bool, error)) bool {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, err := found()
		if err != nil {
			t.Fatal(err)
		}
		if ok || !real || time.Now().After(deadline) {
			return ok
		}
		time.Sleep(time.Second)
	}
}
