package hubsync

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/store"
)

// Service implements convrs.HubspotSyncService over the store's sync records; changes reach subscribers in
// every gateway process through PubSub.
type Service struct {
	Store  *store.DB
	PubSub convrs.PubSub
	// Now is the clock of the backfill window (default time.Now).
	Now func() time.Time

	sharedOnce sync.Once
	shared     *pubsub.Shared[convrs.HubspotSync]
}

var _ convrs.HubspotSyncService = (*Service)(nil)

// Sync returns the conversation's record (ENOTFOUND when it has none).
func (s *Service) Sync(ctx context.Context, conversationID string) (*convrs.HubspotSync, error) {
	return s.Store.HubspotSync(ctx, conversationID)
}

// SyncsByConversation returns the records of the conversations that have one.
func (s *Service) SyncsByConversation(ctx context.Context, conversationIDs []string) (map[string]*convrs.HubspotSync, error) {
	return s.Store.HubspotSyncsByConversation(ctx, conversationIDs)
}

// Syncs lists the workspace's records, newest first. Admin only.
func (s *Service) Syncs(ctx context.Context, f convrs.HubspotSyncFilter) (*convrs.HubspotSyncPage, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return s.Store.ListHubspotSyncs(ctx, f)
}

// Summary counts the workspace's records by status. Admin only.
func (s *Service) Summary(ctx context.Context) (*convrs.HubspotSyncSummary, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return s.Store.HubspotSyncSummary(ctx)
}

// Retry queues a FAILED, SKIPPED or CANCELLED record again. Admin only.
func (s *Service) Retry(ctx context.Context, conversationID string) (*convrs.HubspotSync, error) {
	rec, err := s.Store.RetryHubspotSync(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	s.Store.PublishHubspotSync(ctx, rec)
	return rec, nil
}

func (s *Service) since(days int) (time.Time, error) {
	if days != 7 && days != 30 {
		return time.Time{}, convrs.Invalidf("days", "Choose 7 or 30 days.")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().Add(-time.Duration(days) * 24 * time.Hour), nil
}

// BackfillCount counts the conversations closed in the last 7 or 30 days that were never synced. Admin only.
func (s *Service) BackfillCount(ctx context.Context, days int) (int, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return 0, err
	}
	since, err := s.since(days)
	if err != nil {
		return 0, err
	}
	_, n, err := s.Store.BackfillHubspotSyncs(ctx, since, true)
	return n, err
}

// Backfill queues those conversations through the same pipeline and returns how many. Admin only.
func (s *Service) Backfill(ctx context.Context, days int) (int, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return 0, err
	}
	since, err := s.since(days)
	if err != nil {
		return 0, err
	}
	recs, n, err := s.Store.BackfillHubspotSyncs(ctx, since, false)
	if err != nil {
		return 0, err
	}
	for _, r := range recs {
		s.Store.PublishHubspotSync(ctx, r)
	}
	return n, nil
}

// SubscribeSyncs streams the workspace's records as they change, in any process, in order and without gaps: a
// subscriber too slow for them is ended (the channel closes), never skipped silently. Every staff member of the
// workspace sees its conversations, so agents and admins get the same records. However many subscribers a
// workspace has in this process, each record is received and decoded once, and every subscriber gets the same
// (read-only) value: what the events need is then loaded once per event (see graph's event loaders).
func (s *Service) SubscribeSyncs(ctx context.Context) (<-chan *convrs.HubspotSync, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	return s.fanout().Subscribe(ctx, convrs.TopicHubspotSyncs(p.WorkspaceID))
}

func (s *Service) fanout() *pubsub.Shared[convrs.HubspotSync] {
	s.sharedOnce.Do(func() {
		s.shared = &pubsub.Shared[convrs.HubspotSync]{PubSub: s.PubSub, Decode: decodeSync}
	})
	return s.shared
}

// decodeSync reads a record published on a workspace's topic; one of another workspace (a publishing bug) is
// dropped rather than shown.
func decodeSync(topic string, b []byte) (*convrs.HubspotSync, bool) {
	var rec convrs.HubspotSync
	if json.Unmarshal(b, &rec) != nil || convrs.TopicHubspotSyncs(rec.WorkspaceID) != topic {
		return nil, false
	}
	return &rec, true
}

// Dropped returns how many sync subscriptions were ended because their subscriber fell behind.
func (s *Service) Dropped() uint64 { return s.fanout().Dropped() }
