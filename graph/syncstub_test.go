package graph_test

import (
	"context"

	"github.com/convrs/gateway/convrs"
)

// pendingSyncs stands in for the transcript sync's service until that branch wires the real one into the
// stack: it authenticates like every service and knows no sync records.
type pendingSyncs struct{}

var _ convrs.HubspotSyncService = pendingSyncs{}

func (pendingSyncs) none(ctx context.Context) error {
	if _, err := convrs.Authenticated(ctx); err != nil {
		return err
	}
	return convrs.Errorf(convrs.ENOTFOUND, "No transcript sync record.")
}

func (s pendingSyncs) Sync(ctx context.Context, _ string) (*convrs.HubspotSync, error) {
	return nil, s.none(ctx)
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

func (s pendingSyncs) Retry(ctx context.Context, _ string) (*convrs.HubspotSync, error) {
	if _, err := convrs.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return nil, s.none(ctx)
}

func (pendingSyncs) BackfillCount(ctx context.Context, _ int) (int, error) {
	_, err := convrs.RequireAdmin(ctx)
	return 0, err
}

func (pendingSyncs) Backfill(ctx context.Context, _ int) (int, error) {
	_, err := convrs.RequireAdmin(ctx)
	return 0, err
}

func (pendingSyncs) SubscribeSyncs(ctx context.Context) (<-chan *convrs.HubspotSync, error) {
	if _, err := convrs.Authenticated(ctx); err != nil {
		return nil, err
	}
	ch := make(chan *convrs.HubspotSync)
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}
