package contactcard

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// WebhookEvent is one event of a HubSpot webhook batch.
type WebhookEvent = hubspot.WebhookEvent

// Contact webhook subscription types.
const (
	EventCreation        = hubspot.WebhookContactCreation
	EventPropertyChange  = hubspot.WebhookContactPropertyChange
	EventDeletion        = hubspot.WebhookContactDeletion
	EventMerge           = hubspot.WebhookContactMerge
	EventRestore         = hubspot.WebhookContactRestore
	EventPrivacyDeletion = hubspot.WebhookContactPrivacyDeletion
)

// webhookMemory is how long event IDs (HubSpot retries for 24 hours) and the order of a contact's events are
// remembered.
const webhookMemory = 48 * time.Hour

func eventKey(e WebhookEvent) string {
	return "hubspot:webhook:event:" + strconv.FormatInt(e.PortalID, 10) + ":" + strconv.FormatInt(e.EventID, 10)
}

func stateKey(portal, object int64) string {
	return "hubspot:webhook:state:" + strconv.FormatInt(portal, 10) + ":" + strconv.FormatInt(object, 10)
}

// HandleWebhook applies a verified batch of events before the caller acknowledges it, so an acknowledged
// event is never lost: what each event changes here is local (links in the database, cache entries, a
// pub/sub notice) and fast; the new card is fetched from HubSpot afterwards by the open panels. Events are
// applied oldest first (occurredAt); a duplicate eventId is skipped; a deletion, merge or restore older than
// one already applied to the same contact is skipped. An error means some event was not applied (and not
// remembered as seen): the caller answers non-2xx and HubSpot sends the batch again.
func (s *Service) HandleWebhook(ctx context.Context, events []WebhookEvent) error {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b WebhookEvent) int { return cmp.Compare(a.OccurredAt, b.OccurredAt) })
	var errs []error
	for _, e := range events {
		if err := s.handleEvent(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) handleEvent(ctx context.Context, e WebhookEvent) error {
	log := s.cfg.Logger.With("portal_id", e.PortalID, "event_id", e.EventID, "subscription_type", e.SubscriptionType, "attempt", e.AttemptNumber)
	first, err := s.cfg.Cache.SetNX(ctx, eventKey(e), []byte("1"), webhookMemory)
	if err != nil {
		// Without the cache every event is applied: applying one twice is harmless.
		s.cacheDown(ctx, "webhook dedupe", err)
		first = true
	}
	if !first {
		log.DebugContext(ctx, "contactcard: duplicate webhook event skipped")
		return nil
	}
	if err := s.apply(ctx, e, log); err != nil {
		s.cacheDelete(ctx, eventKey(e))
		log.ErrorContext(ctx, "contactcard: webhook event not applied; HubSpot will retry", "error", err)
		return err
	}
	return nil
}

func (s *Service) apply(ctx context.Context, e WebhookEvent, log interface {
	InfoContext(context.Context, string, ...any)
	DebugContext(context.Context, string, ...any)
}) error {
	// Every workspace connected to the portal receives the event (each has its own customers and links).
	wss, err := s.cfg.Store.WorkspacesByHubspotPortal(ctx, e.PortalID)
	if convrs.ErrorCode(err) == convrs.ENOTFOUND {
		log.InfoContext(ctx, "contactcard: webhook for a portal no workspace is connected to; ignored")
		return nil
	} else if err != nil {
		return err
	}
	var errs []error
	for _, ws := range wss {
		errs = append(errs, s.applyTo(ctx, ws, e, log))
	}
	return errors.Join(errs...)
}

func (s *Service) applyTo(ctx context.Context, ws string, e WebhookEvent, log interface {
	InfoContext(context.Context, string, ...any)
	DebugContext(context.Context, string, ...any)
}) error {
	id := strconv.FormatInt(e.ObjectID, 10)
	switch e.SubscriptionType {
	case EventDeletion, EventMerge, EventRestore, EventPrivacyDeletion, EventCreation:
		if !s.inOrder(ctx, e) {
			log.InfoContext(ctx, "contactcard: webhook event older than one already applied to the contact; skipped", "object_id", e.ObjectID)
			return nil
		}
	}
	sys := systemContext(ctx, ws)
	switch e.SubscriptionType {
	case EventPropertyChange:
		s.cacheDelete(ctx, contactKey(ws, e.PortalID, id))
		return s.notifyLinked(ctx, ws, e.PortalID, []string{id})
	case EventCreation, EventRestore:
		// A new or restored contact may match customers that matched nothing: their cards look again.
		s.cacheDelete(ctx, contactKey(ws, e.PortalID, id))
		s.bump(ctx, ws, e.PortalID, "search")
		s.forgetUnmatched(ctx, ws, e.PortalID)
		return nil
	case EventDeletion:
		s.cacheDelete(ctx, contactKey(ws, e.PortalID, id))
		s.bump(ctx, ws, e.PortalID, "search")
		_, err := s.relink(sys, ws, e.PortalID, []string{id}, "")
		return err
	case EventMerge:
		kept := cmp.Or(e.NewObjectID, e.PrimaryObjectID, e.ObjectID)
		keptID := strconv.FormatInt(kept, 10)
		var from []string
		for _, m := range append([]int64{e.ObjectID, e.PrimaryObjectID}, e.MergedObjectIDs...) {
			if m != 0 && m != kept {
				from = append(from, strconv.FormatInt(m, 10))
			}
		}
		keys := []string{contactKey(ws, e.PortalID, keptID)}
		for _, f := range from {
			keys = append(keys, contactKey(ws, e.PortalID, f))
		}
		s.cacheDelete(ctx, keys...)
		s.bump(ctx, ws, e.PortalID, "search")
		if len(from) > 0 {
			if _, err := s.relink(sys, ws, e.PortalID, from, keptID); err != nil {
				return err
			}
		}
		return s.notifyLinked(ctx, ws, e.PortalID, []string{keptID})
	case EventPrivacyDeletion:
		changed, err := s.relink(sys, ws, e.PortalID, []string{id}, "")
		if err != nil {
			return err
		}
		// Sync records keep where the notes went (the ID), not the erased contact's name or URL.
		if _, err := s.cfg.Store.ForgetHubspotContactInSyncs(sys, []string{id}); err != nil {
			return err
		}
		s.cacheDelete(ctx, contactKey(ws, e.PortalID, id))
		// The results themselves go, not just out of reach: they may hold the erased contact.
		s.cacheDeletePrefix(ctx, searchPrefix(ws, e.PortalID))
		s.bump(ctx, ws, e.PortalID, "search")
		// Only IDs and counts: the log must not keep what the deletion removes.
		s.cfg.Logger.InfoContext(ctx, "contactcard: hubspot privacy deletion: removed the contact's links and cached data",
			"workspace_id", ws, "portal_id", e.PortalID, "contact_id", id, "customers_unlinked", len(changed))
		return nil
	}
	log.DebugContext(ctx, "contactcard: webhook event type not used; ignored")
	return nil
}

// inOrder records e as the latest lifecycle event of its contact, unless a later one was applied already.
func (s *Service) inOrder(ctx context.Context, e WebhookEvent) bool {
	key := stateKey(e.PortalID, e.ObjectID)
	if v, ok := s.cacheGet(ctx, key); ok {
		if last, err := strconv.ParseInt(string(v), 10, 64); err == nil && last > e.OccurredAt {
			return false
		}
	}
	s.cacheSet(ctx, key, []byte(strconv.FormatInt(e.OccurredAt, 10)), webhookMemory)
	return true
}

// notifyLinked tells the panels of the customers linked to contactIDs that their card changed.
func (s *Service) notifyLinked(ctx context.Context, ws string, portal int64, contactIDs []string) error {
	custs, err := s.cfg.Store.CustomersLinkedToHubspot(systemContext(ctx, ws), portal, contactIDs)
	if err != nil {
		return err
	}
	for _, c := range custs {
		s.notify(ctx, ws, c)
	}
	return nil
}

// forgetUnmatched ends the cached "no match" answers so those customers are matched again, and tells every
// open panel of the workspace to look again (one lookup per open card, through the cache).
func (s *Service) forgetUnmatched(ctx context.Context, ws string, portal int64) {
	s.bump(ctx, ws, portal, "nomatch")
	if err := s.cfg.PubSub.Publish(context.WithoutCancel(ctx), topicCards(ws), []byte("changed")); err != nil {
		s.cfg.Logger.WarnContext(ctx, "contactcard: publish workspace card change", "workspace_id", ws, "error", err)
	}
}

// topicCards is the topic on which every open card of a workspace looks again.
func topicCards(ws string) string { return "ws:" + ws + ":hubspot:contacts" }
