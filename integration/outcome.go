package integration

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/convrs/gateway/convrs"
)

// attemptTTL is how long a workspace remembers its current connection attempt and how it failed: longer than
// the link's StateTTL, so a callback arriving after the link expired still tells the card why nothing happened.
const attemptTTL = 2 * StateTTL

// attemptKey names the workspace's current connection attempt (its state's hash), set by Connect: only the
// current attempt's failure reaches the card, not an abandoned older tab's.
func attemptKey(workspaceID string) string { return "oauth:attempt:" + workspaceID }

// outcomeKey holds why the workspace's current attempt did not complete, for HubspotIntegration.LastConnectError.
func outcomeKey(workspaceID string) string { return "oauth:outcome:" + workspaceID }

type attemptOutcome struct {
	Attempt string `json:"a"`
	Reason  string `json:"r"`
}

func stateHash(state string) string {
	sum := sha256.Sum256([]byte(state))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// beginAttempt makes state the workspace's current attempt and clears the last one's failure (announced, so
// other admin cards drop it too).
func (s *Service) beginAttempt(ctx context.Context, workspaceID, state string) error {
	if err := s.cfg.Cache.Set(ctx, attemptKey(workspaceID), []byte(stateHash(state)), attemptTTL); err != nil {
		return err
	}
	if _, had, err := s.cfg.Cache.Take(ctx, outcomeKey(workspaceID)); err != nil {
		return err
	} else if had {
		s.announce(ctx, workspaceID)
	}
	return nil
}

// attemptFailed records why the attempt of state did not complete, if it is still the workspace's current one,
// and announces it as a change of the integration: the waiting card learns the outcome as it learns a success.
func (s *Service) attemptFailed(ctx context.Context, workspaceID, state, reason string) {
	ctx = context.WithoutCancel(ctx)
	cur, ok, err := s.cfg.Cache.Get(ctx, attemptKey(workspaceID))
	if err != nil || !ok || string(cur) != stateHash(state) {
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "oauth: read current attempt", "workspace_id", workspaceID, "error", err)
		}
		return
	}
	b, _ := json.Marshal(attemptOutcome{Attempt: string(cur), Reason: reason})
	if err := s.cfg.Cache.Set(ctx, outcomeKey(workspaceID), b, attemptTTL); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth: record attempt outcome", "workspace_id", workspaceID, "error", err)
		return
	}
	s.announce(ctx, workspaceID)
}

// attemptSucceeded forgets the workspace's attempt and any failure recorded for it.
func (s *Service) attemptSucceeded(ctx context.Context, workspaceID string) {
	if err := s.cfg.Cache.Delete(context.WithoutCancel(ctx), attemptKey(workspaceID), outcomeKey(workspaceID)); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth: clear attempt", "workspace_id", workspaceID, "error", err)
	}
}

// lastConnectError is the recorded failure of the workspace's current attempt, if any.
func (s *Service) lastConnectError(ctx context.Context, workspaceID string) string {
	b, ok, err := s.cfg.Cache.Get(ctx, outcomeKey(workspaceID))
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "oauth: read attempt outcome", "workspace_id", workspaceID, "error", err)
		return ""
	}
	var o attemptOutcome
	if !ok || json.Unmarshal(b, &o) != nil {
		return ""
	}
	return o.Reason
}

// withOutcome fills integ's LastConnectError.
func (s *Service) withOutcome(ctx context.Context, integ *convrs.HubspotIntegration) *convrs.HubspotIntegration {
	if integ != nil {
		integ.LastConnectError = s.lastConnectError(ctx, integ.WorkspaceID)
		integ.Health = s.healthOf(ctx, integ)
	}
	return integ
}

// doneKey remembers, for the attempt's lifetime, that a state completed a connection: reloading the success
// page then says the connection is complete instead of "already used".
func doneKey(state string) string { return "oauth:done:" + stateHash(state) }

func (s *Service) rememberDone(ctx context.Context, state, workspaceID string) {
	if err := s.cfg.Cache.Set(context.WithoutCancel(ctx), doneKey(state), []byte(workspaceID), attemptTTL); err != nil {
		s.cfg.Logger.WarnContext(ctx, "oauth: remember completed attempt", "workspace_id", workspaceID, "error", err)
	}
}

// alreadyDone is the page for a used state that connected its workspace, while that workspace is connected.
func (s *Service) alreadyDone(ctx context.Context, state string) (Outcome, bool) {
	b, ok, err := s.cfg.Cache.Get(ctx, doneKey(state))
	if err != nil || !ok {
		return Outcome{}, false
	}
	integ, err := s.cfg.Store.HubspotIntegration(ctx, string(b))
	if err != nil || (integ.State != convrs.IntegrationConnected && integ.State != convrs.IntegrationEnabled) {
		return Outcome{}, false
	}
	return Outcome{Result: ResultConnected, Title: "HubSpot is connected", Message: fmt.Sprintf(
		"The connection is complete: Convrs is connected to HubSpot portal %d. Return to the Convrs tab.", integ.PortalID)}, true
}
