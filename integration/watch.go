package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
)

// Every HubSpot call of a workspace (the sync, the agents' cards, outbound search, the connection check) goes
// through a watcher, which turns what HubSpot answers into the integration's state at once, in every tab:
//   - a 401 that is not EXPIRED_AUTHENTICATION (the app uninstalled, access revoked) puts the integration in
//     ERROR, as a refresh HubSpot refuses does (the token source's OnPermanentFailure);
//   - no answer (5xx, timeouts, the network) starts the health line "HubSpot has not answered since …", kept
//     in the cache so every process shows one; the first answer clears it.

// healthTTL bounds a health line no call ever cleared (every waiting sync calls HubSpot again well before).
const healthTTL = 24 * time.Hour

// healthRecheck is how often a process whose calls succeed looks for a health line another process set.
const healthRecheck = 5 * time.Second

// healthKey is under the workspace's cache prefix, so Disable purges it.
func healthKey(workspaceID string, portalID int64) string {
	return CachePrefix(workspaceID) + strconv.FormatInt(portalID, 10) + ":health"
}

type healthEntry struct {
	Since  time.Time `json:"s"`
	Detail string    `json:"d,omitempty"`
}

// healthMemo remembers, per workspace, whether this process saw a health line and when it last looked.
type healthMemo struct {
	mu      sync.Mutex
	down    map[string]bool
	checked map[string]time.Time
}

// watcher is the RoundTripper in front of a workspace's authenticated HubSpot transport.
type watcher struct {
	s           *Service
	workspaceID string
	portalID    int64
	connectedAt *time.Time
	next        http.RoundTripper
}

func (w *watcher) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	ctx := context.WithoutCancel(req.Context())
	var re *hubspot.RefreshError
	switch {
	case err != nil && errors.As(err, &re) && re.Permanent:
		// The token source has told refreshRefused already.
	case err != nil:
		if req.Context().Err() == nil {
			w.s.unanswered(ctx, w.workspaceID, w.portalID, err.Error())
		}
	case resp.StatusCode >= 500:
		w.s.unanswered(ctx, w.workspaceID, w.portalID, fmt.Sprintf("HubSpot answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	case resp.StatusCode == http.StatusUnauthorized:
		category, detail := peekError(resp)
		if hubfault.RefusedAuthentication(resp.StatusCode, category) {
			w.s.accessRefused(ctx, w.workspaceID, w.connectedAt, detail)
		}
		w.s.answered(ctx, w.workspaceID, w.portalID)
	default:
		w.s.answered(ctx, w.workspaceID, w.portalID)
	}
	return resp, err
}

// peekError reads an error answer's category and one-line detail, leaving the body for the client to read.
func peekError(resp *http.Response) (category, detail string) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var e struct {
		Category      string `json:"category"`
		Message       string `json:"message"`
		CorrelationID string `json:"correlationId"`
	}
	_ = json.Unmarshal(body, &e)
	detail = fmt.Sprintf("HubSpot answered %d %s", resp.StatusCode, e.Category)
	if e.Message != "" {
		detail += ": " + e.Message
	}
	if e.CorrelationID != "" {
		detail += " (correlation ID " + e.CorrelationID + ")"
	}
	return e.Category, detail
}

// accessRefused puts the integration in ERROR at HubSpot's first refusal of the access token, unless the
// workspace was connected again since the connection the token belongs to.
func (s *Service) accessRefused(ctx context.Context, workspaceID string, connectedAt *time.Time, detail string) {
	reason := "HubSpot refused Convrs's authorization (the app may have been uninstalled or its access revoked). Reconnect to resume syncing; transcripts wait until then."
	s.cfg.Logger.WarnContext(ctx, "hubspot refused the access token", "workspace_id", workspaceID, "detail", detail)
	s.markError(ctx, workspaceID, connectedAt, reason)
}

// markError moves the integration to ERROR and tells every card, once: a connection already in ERROR or
// replaced since is left alone.
func (s *Service) markError(ctx context.Context, workspaceID string, connectedAt *time.Time, reason string) {
	if cur, err := s.cfg.Store.HubspotIntegration(ctx, workspaceID); err == nil && cur.State == convrs.IntegrationError {
		return
	}
	if _, err := s.cfg.Store.MarkHubspotError(ctx, workspaceID, connectedAt, reason); convrs.ErrorCode(err) == convrs.ECONFLICT {
		s.cfg.Logger.InfoContext(ctx, "hubspot refusal for a connection replaced since; ignored", "workspace_id", workspaceID)
		return
	} else if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "hubspot: mark error", "workspace_id", workspaceID, "error", err)
		return
	}
	s.changed(ctx, workspaceID)
	s.announce(ctx, workspaceID)
}

// unanswered starts the workspace's health line if it is not on already.
func (s *Service) unanswered(ctx context.Context, workspaceID string, portalID int64, detail string) {
	s.health.mu.Lock()
	s.health.down[workspaceID] = true
	s.health.mu.Unlock()
	b, _ := json.Marshal(healthEntry{Since: s.cfg.Now().UTC(), Detail: detail})
	set, err := s.cfg.Cache.SetNX(ctx, healthKey(workspaceID, portalID), b, healthTTL)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "hubspot health: record", "workspace_id", workspaceID, "error", err)
		return
	}
	if set {
		s.cfg.Logger.WarnContext(ctx, "hubspot is not answering", "workspace_id", workspaceID, "portal_id", portalID, "detail", detail)
		s.announce(ctx, workspaceID)
	}
}

// answered clears the workspace's health line, if this process saw one or has not looked for a while.
func (s *Service) answered(ctx context.Context, workspaceID string, portalID int64) {
	now := s.cfg.Now()
	s.health.mu.Lock()
	look := s.health.down[workspaceID] || now.Sub(s.health.checked[workspaceID]) >= healthRecheck
	if look {
		s.health.down[workspaceID] = false
		s.health.checked[workspaceID] = now
	}
	s.health.mu.Unlock()
	if !look {
		return
	}
	if _, had, err := s.cfg.Cache.Take(ctx, healthKey(workspaceID, portalID)); err != nil {
		s.cfg.Logger.WarnContext(ctx, "hubspot health: clear", "workspace_id", workspaceID, "error", err)
	} else if had {
		s.cfg.Logger.InfoContext(ctx, "hubspot answers again", "workspace_id", workspaceID, "portal_id", portalID)
		s.announce(ctx, workspaceID)
	}
}

// healthOf is the workspace's health line, nil while HubSpot answers.
func (s *Service) healthOf(ctx context.Context, integ *convrs.HubspotIntegration) *convrs.HubspotHealth {
	if integ.PortalID == 0 || (integ.State != convrs.IntegrationEnabled && integ.State != convrs.IntegrationConnected) {
		return nil
	}
	b, ok, err := s.cfg.Cache.Get(ctx, healthKey(integ.WorkspaceID, integ.PortalID))
	var h healthEntry
	if err != nil || !ok || json.Unmarshal(b, &h) != nil {
		return nil
	}
	return &convrs.HubspotHealth{UnansweredSince: h.Since, Detail: h.Detail}
}

// InvalidateToken passes HubSpot's rejection of an expired access token on to the token source behind (the
// client's refresh-and-retry of 401 EXPIRED_AUTHENTICATION).
func (w *watcher) InvalidateToken(accessToken string) {
	if inv, ok := w.next.(interface{ InvalidateToken(string) }); ok {
		inv.InvalidateToken(accessToken)
	}
}
