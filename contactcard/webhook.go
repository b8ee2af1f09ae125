package contactcard

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// WebhookEvent is one event of a HubSpot webhook batch.
type WebhookEvent = hubspot.WebhookEvent

// Contact webhook subscription types (the classic form). The generic form's object.* events of contacts are
// handled exactly as these twins.
const (
	EventCreation        = hubspot.WebhookContactCreation
	EventPropertyChange  = hubspot.WebhookContactPropertyChange
	EventDeletion        = hubspot.WebhookContactDeletion
	EventMerge           = hubspot.WebhookContactMerge
	EventRestore         = hubspot.WebhookContactRestore
	EventPrivacyDeletion = hubspot.WebhookContactPrivacyDeletion
)

// Generic (object.*) webhook subscription types, for contacts when ObjectTypeID is ContactObjectTypeID.
const (
	EventObjectCreation       = hubspot.WebhookObjectCreation
	EventObjectPropertyChange = hubspot.WebhookObjectPropertyChange
	EventObjectDeletion       = hubspot.WebhookObjectDeletion
	EventObjectMerge          = hubspot.WebhookObjectMerge
	EventObjectRestore        = hubspot.WebhookObjectRestore
)

// Contacts in generic webhook subscriptions (objectType) and events (objectTypeId).
const (
	ContactObjectType   = "contact"
	ContactObjectTypeID = hubspot.ObjectTypeIDContact
)

// WebhookSubscriptions are the HubSpot webhook subscriptions HandleWebhook acts on, in the generic form a
// project app declares. They are the one list the HubSpot app's webhooks component is generated from
// (`convrs hubspot-app`); the classic contact.* twins of the same events are handled too.
type WebhookSubscriptions struct {
	// ObjectType is the object of every generic subscription: contacts.
	ObjectType string
	// Events are the generic object events subscribed to, property changes apart.
	Events []string
	// Properties are the contact properties whose object.propertyChange is subscribed to (one subscription
	// each): those the card shows.
	Properties []string
	// HubEvents are account-level events, which have no generic form.
	HubEvents []string
}

// HandledWebhooks returns the subscriptions HandleWebhook acts on (a fresh copy).
func HandledWebhooks() WebhookSubscriptions {
	return WebhookSubscriptions{
		ObjectType: ContactObjectType,
		Events:     []string{EventObjectCreation, EventObjectDeletion, EventObjectMerge, EventObjectRestore},
		Properties: []string{"firstname", "lastname", "email", "phone", "mobilephone", hubspot.PropLifecycleStage, hubspot.PropHubspotOwnerID},
		HubEvents:  []string{EventPrivacyDeletion},
	}
}

// Why a webhook event is acknowledged without effect: it concerns another object than contacts, its
// subscription type is not one HandleWebhook acts on, or no workspace is connected to its portal.
const (
	IgnoredObjectType       = "object_type"
	IgnoredSubscriptionType = "subscription_type"
	IgnoredPortal           = "portal"
)

// WebhookIgnoreReasons lists every reason WebhookEventsIgnored counts.
var WebhookIgnoreReasons = [...]string{IgnoredObjectType, IgnoredSubscriptionType, IgnoredPortal}

// WebhookEventsIgnored is how many webhook events this Service acknowledged without effect for reason (one of
// WebhookIgnoreReasons; 0 for any other).
func (s *Service) WebhookEventsIgnored(reason string) uint64 {
	if i := slices.Index(WebhookIgnoreReasons[:], reason); i >= 0 {
		return s.ignored[i].Load()
	}
	return 0
}

func (s *Service) ignore(reason string) {
	s.ignored[slices.Index(WebhookIgnoreReasons[:], reason)].Add(1)
}

// objectTwins maps the generic events of contacts to their classic twins.
var objectTwins = map[string]string{
	EventObjectCreation:       EventCreation,
	EventObjectPropertyChange: EventPropertyChange,
	EventObjectDeletion:       EventDeletion,
	EventObjectMerge:          EventMerge,
	EventObjectRestore:        EventRestore,
}

// contactEventType is the classic contact.* type e is handled as: a contact.* event's own, a generic event's
// twin when it concerns a contact. Otherwise it says why e is ignored.
func contactEventType(e WebhookEvent) (typ, ignored string) {
	switch t := e.SubscriptionType; {
	case strings.HasPrefix(t, "object."):
		if e.ObjectTypeID != ContactObjectTypeID {
			return "", IgnoredObjectType
		}
		if twin, ok := objectTwins[t]; ok {
			return twin, ""
		}
		return "", IgnoredSubscriptionType
	case t == EventCreation, t == EventPropertyChange, t == EventDeletion, t == EventMerge, t == EventRestore, t == EventPrivacyDeletion:
		return t, ""
	case strings.HasPrefix(t, "contact."):
		return "", IgnoredSubscriptionType
	case strings.Contains(t, "."):
		// A classic event of another object (company.creation, deal.propertyChange, conversation.creation…).
		return "", IgnoredObjectType
	default:
		return "", IgnoredSubscriptionType
	}
}

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
// one already applied to the same contact is skipped. Generic object.* events of contacts (objectTypeId 0-1)
// are applied exactly as their contact.* twins, under the same dedupe (portal, eventId) and ordering (portal,
// contact) keys; events of other objects or types are counted (WebhookEventsIgnored) and acknowledged before
// dedupe, so they never hold a contact event's place. An error means some event was not applied (and not
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
	typ, ignored := contactEventType(e)
	if ignored != "" {
		s.ignore(ignored)
		log.DebugContext(ctx, "contactcard: webhook event not about a contact change the card uses; ignored", "object_type_id", e.ObjectTypeID, "reason", ignored)
		return nil
	}
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
	if err := s.apply(ctx, e, typ, log); err != nil {
		s.cacheDelete(ctx, eventKey(e))
		log.ErrorContext(ctx, "contactcard: webhook event not applied; HubSpot will retry", "error", err)
		return err
	}
	return nil
}

// apply applies e as the contact event typ (its own type, or its classic twin's).
func (s *Service) apply(ctx context.Context, e WebhookEvent, typ string, log interface {
	InfoContext(context.Context, string, ...any)
	DebugContext(context.Context, string, ...any)
}) error {
	// Every workspace connected to the portal receives the event (each has its own customers and links).
	wss, err := s.cfg.Store.WorkspacesByHubspotPortal(ctx, e.PortalID)
	if convrs.ErrorCode(err) == convrs.ENOTFOUND {
		s.ignore(IgnoredPortal)
		log.InfoContext(ctx, "contactcard: webhook for a portal no workspace is connected to; ignored")
		return nil
	} else if err != nil {
		return err
	}
	// The order of a contact's events is the portal's: checked once, whatever the number of workspaces.
	switch typ {
	case EventDeletion, EventMerge, EventRestore, EventPrivacyDeletion, EventCreation:
		if !s.inOrder(ctx, e) {
			log.InfoContext(ctx, "contactcard: webhook event older than one already applied to the contact; skipped", "object_id", e.ObjectID)
			return nil
		}
	}
	var errs []error
	for _, ws := range wss {
		errs = append(errs, s.applyTo(ctx, ws, e, typ, log))
	}
	return errors.Join(errs...)
}

// applyTo applies e, as the contact event typ, to the workspace ws.
func (s *Service) applyTo(ctx context.Context, ws string, e WebhookEvent, typ string, log interface {
	InfoContext(context.Context, string, ...any)
	DebugContext(context.Context, string, ...any)
}) error {
	id := strconv.FormatInt(e.ObjectID, 10)
	sys := systemContext(ctx, ws)
	switch typ {
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
// open unmatched card of the workspace to look again (once per burst of creations: rematchSoon).
func (s *Service) forgetUnmatched(ctx context.Context, ws string, portal int64) {
	s.bump(ctx, ws, portal, "nomatch")
	s.rematchSoon(ctx, ws)
}

// topicCards is the topic on which every open card of a workspace looks again.
func topicCards(ws string) string { return "ws:" + ws + ":hubspot:contacts" }
