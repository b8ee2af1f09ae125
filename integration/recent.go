package integration

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// RecentTTL bounds how long a workspace's integration row and client are reused (Recent) without reading the
// row again. Within it a user checks the workspace's generation (GenKey) in the cache, in the same round trip
// as its own cache reads: every change of the integration bumps it, in whichever process, so the next use
// anywhere sees the change. The TTL only bounds how long a change goes unseen whose bump was lost (the cache
// down when it was made).
const RecentTTL = 5 * time.Second

// genTTL outlives any Recent by far: a generation that expired would read as the "" it started from.
const genTTL = 30 * 24 * time.Hour

// Recent is a workspace's integration and client as Client returned them, current while the cache holds Gen
// under GenKey. Users must treat it as read-only.
type Recent struct {
	Client      *hubspot.Client
	Integration *convrs.HubspotIntegration
	// Err is Client's error with them (the state's: not connected, needs a reconnect).
	Err error
	// GenKey and Gen: the workspace's generation key, and its value read before the row was.
	GenKey, Gen string
	until       time.Time
}

// GenKey is the cache key of the workspace's integration generation, bumped by every change of its integration.
func GenKey(workspaceID string) string { return "hubspot-integration:gen:" + workspaceID }

// Recent returns the workspace's Recent if one was read within RecentTTL, nil otherwise. It does no I/O: the
// caller checks Gen (or calls Current).
func (s *Service) Recent(workspaceID string) *Recent {
	s.mu.Lock()
	r := s.recent[workspaceID]
	s.mu.Unlock()
	if r == nil || !s.cfg.Now().Before(r.until) {
		return nil
	}
	return r
}

// Current returns the workspace's client and integration as Client does, reading the row afresh, and keeps them
// as the workspace's Recent. Integ is nil when the row cannot be read (Err says why); GenKey is empty when the
// generation could not be read (nothing is kept then).
func (s *Service) Current(ctx context.Context, workspaceID string) *Recent {
	// The generation is read before the row: a change committed after the row was read bumps it after this read,
	// so the Recent kept here can never pass for current after a change it does not show.
	gen, _, genErr := s.cfg.Cache.Get(ctx, GenKey(workspaceID))
	hc, integ, err := s.Client(ctx, workspaceID)
	r := &Recent{Client: hc, Integration: integ, Err: err}
	// Only outcomes that follow from the row are kept (not a failed read, nor a token source that failed).
	keep := integ != nil && (err == nil || integ.State == convrs.IntegrationDisconnected || integ.State == convrs.IntegrationError)
	if genErr != nil || !keep {
		return r
	}
	r.GenKey, r.Gen, r.until = GenKey(workspaceID), string(gen), s.cfg.Now().Add(RecentTTL)
	s.mu.Lock()
	s.recent[workspaceID] = r
	s.mu.Unlock()
	return r
}

// changed is called after every change of the workspace's integration row (and tokens): this process forgets its
// Recent and every process's Recent of the workspace stops being current.
func (s *Service) changed(ctx context.Context, workspaceID string) {
	s.mu.Lock()
	delete(s.recent, workspaceID)
	s.mu.Unlock()
	if err := s.cfg.Cache.Set(context.WithoutCancel(ctx), GenKey(workspaceID), []byte(rand.Text()[:12]), genTTL); err != nil {
		s.cfg.Logger.WarnContext(ctx, "hubspot: bump integration generation; other processes see the change within "+RecentTTL.String(),
			"workspace_id", workspaceID, "error", err)
	}
}
