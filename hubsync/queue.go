package hubsync

import (
	"context"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/store"
)

// Queue is the transcript sync's queue as the worker needs it: the sync records, leased in batches of one
// workspace. The worker decides every record's next state (next); the queue persists what it is told, under
// the claim's lease (convrs.ErrHubspotSyncLeaseLost once another worker holds the record).
type Queue interface {
	// ClaimHubspotSyncs leases up to limit due records of one workspace for leaseFor, counting an attempt on each.
	ClaimHubspotSyncs(ctx context.Context, lease string, leaseFor time.Duration, limit int) ([]*convrs.HubspotSyncClaim, error)
	// ExtendHubspotSyncLeases keeps the claims still held for leaseFor from now.
	ExtendHubspotSyncLeases(ctx context.Context, lease string, ids []string, leaseFor time.Duration) (int64, error)
	// SaveHubspotSyncProgress records what was written so far and extends the lease.
	SaveHubspotSyncProgress(ctx context.Context, c *convrs.HubspotSyncClaim, p convrs.HubspotSyncProgress) error
	// SaveHubspotSyncProgresses records the progress ps[i] of each claims[i] in one transaction (errs[i]: the lease lost).
	SaveHubspotSyncProgresses(ctx context.Context, claims []*convrs.HubspotSyncClaim, ps []convrs.HubspotSyncProgress) (errs []error, err error)
	// FinishHubspotSyncs writes each claims[i]'s outcome outs[i] and ends its lease, in one transaction: recs[i]
	// as stored, or errs[i] (the lease lost, closed again) when nothing was written for it.
	FinishHubspotSyncs(ctx context.Context, claims []*convrs.HubspotSyncClaim, outs []convrs.HubspotSyncOutcome) (
		recs []*convrs.HubspotSync, errs []error, err error)
	// HubspotContactAnchors lists the first notes of the customer's records written before any contact existed.
	HubspotContactAnchors(ctx context.Context, workspaceID, customerID string) ([]string, error)
	// PublishHubspotSync announces a record change to the workspace's subscribers.
	PublishHubspotSync(ctx context.Context, s *convrs.HubspotSync)
	// NextHubspotSyncDue is when the soonest record not due yet becomes due (zero: none will).
	NextHubspotSyncDue(ctx context.Context) (time.Time, error)
	// SyncsQueued receives, coalesced, once a sync was queued (in any process sharing the queue), until ctx ends;
	// onError hears a lost listener, which is opened again after retryIn.
	SyncsQueued(ctx context.Context, onError func(err error, retryIn time.Duration)) <-chan struct{}
}

// Records are the Convrs host's records a batch reads to write its transcripts, for the whole batch at once
// (records of other workspaces are never returned; missing ones are left out).
type Records interface {
	FindWorkspace(ctx context.Context, id string) (*convrs.Workspace, error)
	FindConversations(ctx context.Context, ids []string) ([]*convrs.Conversation, error)
	FindCustomers(ctx context.Context, ids []string) ([]*convrs.Customer, error)
	// ListAllMessagesOf returns every message of each conversation, oldest first.
	ListAllMessagesOf(ctx context.Context, conversationIDs []string) (map[string][]*convrs.Message, error)
	FindStaffMembers(ctx context.Context, ids []string) ([]*convrs.Staff, error)
	// FindCustomer reads one customer again (the matcher, under the customer's lock).
	FindCustomer(ctx context.Context, id string) (*convrs.Customer, error)
}

// Store is what the worker needs of the database: the queue, the records, and customers' links.
type Store interface {
	Queue
	Records
	match.Links
}

var _ Store = (*store.DB)(nil)
