package contactcard

import (
	"context"
	"encoding/json"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/match"
)

func jsonDecode(b []byte, v any) bool { return json.Unmarshal(b, v) == nil }

// notify tells every gateway process's open panels of the customer that its card changed; they look it up
// again (through the cache, so one HubSpot call serves them all).
func (s *Service) notify(ctx context.Context, ws, customerID string) {
	if err := s.cfg.PubSub.Publish(context.WithoutCancel(ctx), convrs.TopicHubspotContact(ws, customerID), []byte("changed")); err != nil {
		s.cfg.Logger.WarnContext(ctx, "contactcard: publish card change", "workspace_id", ws, "customer_id", customerID, "error", err)
	}
}

// forgetCustomer drops the customer's cached match.
func (s *Service) forgetCustomer(ctx context.Context, ws string, portal int64, customerID string) {
	s.cacheDelete(ctx, linkKey(ws, portal, customerID))
}

// relink moves the links to fromIDs onto toID ("" removes them), forgets the changed customers' matches and
// tells their panels. It returns the customers changed.
func (s *Service) relink(ctx context.Context, ws string, portal int64, fromIDs []string, toID string) ([]string, error) {
	sys := systemContext(ctx, ws)
	changed, err := s.cfg.Store.RelinkHubspotContacts(sys, portal, fromIDs, toID)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "contactcard: relink hubspot contacts", "workspace_id", ws, "portal_id", portal, "error", err)
		return nil, err
	}
	for _, c := range changed {
		s.forgetCustomer(ctx, ws, portal, c)
		s.notify(ctx, ws, c)
	}
	return changed, nil
}

func systemContext(ctx context.Context, ws string) context.Context {
	return convrs.NewContextWithPrincipal(context.WithoutCancel(ctx), &convrs.Principal{WorkspaceID: ws, Role: convrs.RoleSystem})
}

// SubscribeContact streams the customer's card each time it changes in any gateway process: a webhook, a new
// link (the card's, the sync's, an outbound pick), or the integration being enabled, disabled or reconnected.
// The customer must be the caller's workspace's (ENOTFOUND otherwise, before anything is subscribed). All the
// panels of one customer in this process share one watch: one lookup per change, whose result each receives;
// notifications arriving while a lookup runs are folded into one more lookup.
func (s *Service) SubscribeContact(ctx context.Context, customerID string) (<-chan *convrs.HubspotContactLookup, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.cfg.Store.FindCustomer(ctx, customerID); err != nil {
		return nil, err
	}
	return s.watch(ctx, p.WorkspaceID, customerID)
}

// NotifyingLinks wraps the store's links for the matchers (the transcript sync's included): a link stored
// through it drops the customer's cached match and updates the customer's open panels.
func (s *Service) NotifyingLinks(links match.Links) match.Links {
	return &notifyingLinks{s: s, links: links}
}

type notifyingLinks struct {
	s     *Service
	links match.Links
}

func (n *notifyingLinks) LinkHubspotContact(ctx context.Context, customerID string, portalID int64, contactID string, src convrs.HubspotLinkSource) error {
	if err := n.links.LinkHubspotContact(ctx, customerID, portalID, contactID, src); err != nil {
		return err
	}
	if p := convrs.PrincipalFromContext(ctx); p != nil {
		n.s.forgetCustomer(ctx, p.WorkspaceID, portalID, customerID)
		n.s.notify(ctx, p.WorkspaceID, customerID)
	}
	return nil
}
