package integration

import (
	"context"
	"time"
)

// RefreshDue makes sure every connected workspace holds an access token that is not about to expire,
// refreshing those within the refresh margin. Besides keeping tokens fresh for the next call, it is how a
// revoked or uninstalled app is noticed while nobody is using HubSpot: the refused refresh puts the integration
// in ERROR and the admin cards turn red. Failures are logged; one workspace's failure does not stop the pass.
func (s *Service) RefreshDue(ctx context.Context) {
	ids, err := s.cfg.Store.ConnectedHubspotWorkspaces(ctx)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "hubspot keeper: list workspaces", "error", err)
		return
	}
	for _, id := range ids {
		if _, err := s.AccessToken(ctx, id); err != nil && ctx.Err() == nil {
			s.cfg.Logger.WarnContext(ctx, "hubspot keeper: token not refreshed", "workspace_id", id, "error", err)
		}
	}
}

// KeepTokensFresh runs RefreshDue every interval until ctx ends. Every gateway process may run it: the shared
// refresh lock and the reload-after-lock in the token source keep it to one refresh per token.
func (s *Service) KeepTokensFresh(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.RefreshDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
