package hubsync

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
)

// countingStore counts the worker's reads of the Convrs host's records (Records).
type countingStore struct {
	Store
	reads atomic.Int64
}

func (c *countingStore) FindWorkspace(ctx context.Context, id string) (*convrs.Workspace, error) {
	c.reads.Add(1)
	return c.Store.FindWorkspace(ctx, id)
}

func (c *countingStore) FindConversations(ctx context.Context, ids []string) ([]*convrs.Conversation, error) {
	c.reads.Add(1)
	return c.Store.FindConversations(ctx, ids)
}

func (c *countingStore) FindCustomers(ctx context.Context, ids []string) ([]*convrs.Customer, error) {
	c.reads.Add(1)
	return c.Store.FindCustomers(ctx, ids)
}

func (c *countingStore) FindCustomer(ctx context.Context, id string) (*convrs.Customer, error) {
	c.reads.Add(1)
	return c.Store.FindCustomer(ctx, id)
}

func (c *countingStore) ListAllMessagesOf(ctx context.Context, ids []string) (map[string][]*convrs.Message, error) {
	c.reads.Add(1)
	return c.Store.ListAllMessagesOf(ctx, ids)
}

func (c *countingStore) FindStaffMembers(ctx context.Context, ids []string) ([]*convrs.Staff, error) {
	c.reads.Add(1)
	return c.Store.FindStaffMembers(ctx, ids)
}

// A batch loads its workspace, conversations, customers, messages and agents in five reads whatever its size
// (it was five per job), and its transcripts are complete.
func TestBatchLoadsItsRecordsOnce(t *testing.T) {
	for _, n := range []int{3, 25} {
		e := newEnv(t, "sqlite", envOpts{})
		cs := &countingStore{Store: e.db}
		e.worker.cfg.Store = cs
		var convs []string
		for i := range n {
			email := "load" + itoa(i) + "@example.com"
			e.sim.SeedContact(portal, map[string]string{"email": email}, time.Time{})
			convs = append(convs, e.closed(e.customer(email, "", "", ""), "Where is order "+itoa(i)+"?", "On its way, order "+itoa(i)+".").ID)
		}
		claimed, err := e.worker.RunOnce(context.Background(), "test")
		if err != nil || claimed != n {
			t.Fatalf("RunOnce claimed %d, %v; want the %d records in one batch", claimed, err, n)
		}
		got := cs.reads.Load()
		t.Logf("a batch of %d read the records %d times", n, got)
		if got > 5 {
			t.Errorf("a batch of %d read the records %d times, want at most 5", n, got)
		}
		for i, c := range convs {
			s := e.mustStatus(c, convrs.SyncSynced)
			if got := e.notesWith(s.ContactID, "On its way, order "+itoa(i)+"."); got != 1 {
				t.Errorf("conversation %d: %d notes with the agent's reply, want 1", i, got)
			}
			// The assigned agent was loaded: the note is owned by the agent's HubSpot owner.
			if notes := e.notesOf(s.ContactID); len(notes) != 1 || notes[0].OwnerID != "41000001" {
				t.Errorf("conversation %d: notes %+v, want one owned by the agent's owner 41000001", i, notes)
			}
		}
	}
}
