package graph_test

import (
	"context"

	"github.com/convrs/gateway/convrs"
)

// pendingSyncs stands in for the transcript sync's service until that branch wires the real one into the
// stack: it authenticates like every service, answers an empty record and refuses retries (ECONFLICT).
type pendingSyncs struct{ ps convrs.PubSub }

var _ convrs.HubspotSyncService = pendingSyncs{}

func (pendingSyncs) Sync(ctx context.Context, id string) (*convrs.HubspotSync, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	return &convrs.HubspotSync{ID: "hss_stub", WorkspaceID: p.WorkspaceID, ConversationID: id, Status: convrs.SyncQueued}, nil
}

func (pendingSyncs) SyncsByConversation(ctx context.Context, _ []string) (map[string]*convrs.HubspotSync, error) {
	_, err := convrs.Authenticated(ctx)
	return map[string]*convrs.HubspotSync{}, err
}

func (pendingSyncs) Syncs(ctx context.Context, _ convrs.HubspotSyncFilter) (*convrs.HubspotSyncPage, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return &convrs.HubspotSyncPage{}, nil
}

func (pendingSyncs) Summary(ctx context.Context) (*convrs.HubspotSyncSummary, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return &convrs.HubspotSyncSummary{}, nil
}

func (pendingSyncs) Retry(ctx context.Context, _ string) (*convrs.HubspotSync, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return nil, convrs.Errorf(convrs.ECONFLICT, "Nothing to retry.")
}

func (pendingSyncs) BackfillCount(ctx context.Context, _ int) (int, error) {
	_, err := convrs.RequireAdmin(ctx)
	return 0, err
}

func (pendingSyncs) Backfill(ctx context.Context, _ int) (int, error) {
	_, err := convrs.RequireAdmin(ctx)
	return 0, err
}

func (s pendingSyncs) SubscribeSyncs(ctx context.Context) (<-chan *convrs.HubspotSync, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.ps.Subscribe(ctx, convrs.TopicHubspotSyncs(p.WorkspaceID))
	if err != nil {
		return nil, err
	}
	ch := make(chan *convrs.HubspotSync)
	go func() {
		for range in {
		}
		close(ch)
	}()
	return ch, nil
}
