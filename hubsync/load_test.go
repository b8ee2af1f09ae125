package hubsync

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
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

// countingQueue counts the worker's writes to the queue: each call is one transaction.
type countingQueue struct {
	Store
	db        *store.DB
	writes    atomic.Int64
	published atomic.Int64
}

func (c *countingQueue) ClaimHubspotSyncs(ctx context.Context, lease string, leaseFor time.Duration, limit int) ([]*convrs.HubspotSyncClaim, error) {
	c.writes.Add(1)
	return c.Store.ClaimHubspotSyncs(ctx, lease, leaseFor, limit)
}

func (c *countingQueue) SaveHubspotSyncProgress(ctx context.Context, cl *convrs.HubspotSyncClaim, p convrs.HubspotSyncProgress) error {
	c.writes.Add(1)
	return c.Store.SaveHubspotSyncProgress(ctx, cl, p)
}

func (c *countingQueue) SaveHubspotSyncProgresses(ctx context.Context, cl []*convrs.HubspotSyncClaim, ps []convrs.HubspotSyncProgress) ([]error, error) {
	c.writes.Add(1)
	return c.Store.SaveHubspotSyncProgresses(ctx, cl, ps)
}

func (c *countingQueue) FinishHubspotSyncs(ctx context.Context, cl []*convrs.HubspotSyncClaim, os []convrs.HubspotSyncOutcome) (
	[]*convrs.HubspotSync, []error, error) {
	c.writes.Add(1)
	return c.Store.FinishHubspotSyncs(ctx, cl, os)
}

func (c *countingQueue) LinkHubspotContact(ctx context.Context, customerID string, portalID int64, contactID string, src convrs.HubspotLinkSource) error {
	c.writes.Add(1)
	return c.Store.LinkHubspotContact(ctx, customerID, portalID, contactID, src)
}

func (c *countingQueue) PublishHubspotSync(ctx context.Context, s *convrs.HubspotSync) {
	// Announced once committed: the record read back is already the one announced.
	if got, err := c.db.HubspotSyncOf(ctx, s.WorkspaceID, s.ConversationID); err == nil && got.Status == s.Status {
		c.published.Add(1)
	}
	c.Store.PublishHubspotSync(ctx, s)
}

// A batch of linked customers' transcripts writes to the database in four transactions whatever its size: the
// claim, the creates in flight before the batch create, the notes written after it, and the outcomes (it was
// three per record), and every record is announced once its outcome is committed.
func TestBatchWritesItsRecordsTogether(t *testing.T) {
	for _, n := range []int{3, 25} {
		e := newEnv(t, "sqlite", envOpts{})
		cq := &countingQueue{Store: e.db, db: e.db}
		e.worker.cfg.Store = cq
		var convs []string
		for i := range n {
			email := "write" + itoa(i) + "@example.com"
			id := e.sim.SeedContact(portal, map[string]string{"email": email}, time.Time{})
			cust := e.customer(email, "", "", "")
			if err := e.db.LinkHubspotContact(e.admin, cust.ID, portal, id, convrs.HubspotLinkSource{}); err != nil {
				t.Fatal(err)
			}
			convs = append(convs, e.closed(cust, "Where is order "+itoa(i)+"?", "On its way, order "+itoa(i)+".").ID)
		}
		claimed, err := e.worker.RunOnce(context.Background(), "test")
		if err != nil || claimed != n {
			t.Fatalf("RunOnce claimed %d, %v; want the %d records in one batch", claimed, err, n)
		}
		if got := cq.writes.Load(); got != 4 {
			t.Errorf("a batch of %d wrote to the queue in %d transactions, want 4", n, got)
		}
		if got := cq.published.Load(); got != int64(n) {
			t.Errorf("a batch of %d announced %d committed records, want %d", n, got, n)
		}
		for i, c := range convs {
			s := e.mustStatus(c, convrs.SyncSynced)
			if got := e.notesWith(s.ContactID, "On its way, order "+itoa(i)+"."); got != 1 {
				t.Errorf("conversation %d: %d notes with the agent's reply, want 1", i, got)
			}
			if s.Attempts != 1 || len(s.NoteIDs) != 1 {
				t.Errorf("conversation %d: attempts %d, notes %v; want one attempt and its note recorded", i, s.Attempts, s.NoteIDs)
			}
		}
	}
}
