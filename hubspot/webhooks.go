package hubspot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhook request headers of signature v3.
const (
	HeaderSignatureV3      = "X-HubSpot-Signature-v3"
	HeaderRequestTimestamp = "X-HubSpot-Request-Timestamp"
)

// DefaultWebhookMaxAge is how old a webhook request may be (HubSpot: reject anything older than 5 minutes).
const DefaultWebhookMaxAge = 5 * time.Minute

// Errors of webhook verification (wrapped with the detail; test with errors.Is).
var (
	// ErrWebhookSignature: the signature header is missing or does not match.
	ErrWebhookSignature = errors.New("hubspot: webhook signature invalid")
	// ErrWebhookTimestamp: the timestamp header is missing, unreadable, too old or in the future.
	ErrWebhookTimestamp = errors.New("hubspot: webhook timestamp invalid")
)

// Contact webhook subscription types.
const (
	WebhookContactCreation        = "contact.creation"
	WebhookContactPropertyChange  = "contact.propertyChange"
	WebhookContactDeletion        = "contact.deletion"
	WebhookContactMerge           = "contact.merge"
	WebhookContactRestore         = "contact.restore"
	WebhookContactPrivacyDeletion = "contact.privacyDeletion"
)

// Generic webhook subscription types (HubSpot's "object.*" form, the natural one of project apps): the object
// they concern is named by the event's ObjectTypeID. Their fields are those of the contact.* twins.
const (
	WebhookObjectCreation          = "object.creation"
	WebhookObjectPropertyChange    = "object.propertyChange"
	WebhookObjectDeletion          = "object.deletion"
	WebhookObjectMerge             = "object.merge"
	WebhookObjectRestore           = "object.restore"
	WebhookObjectAssociationChange = "object.associationChange"
)

// ObjectTypeIDContact is the objectTypeId of contacts in generic webhook events.
const ObjectTypeIDContact = "0-1"

// WebhookEvent is one event of a webhook request, whose body is a JSON array of them. HubSpot batches
// events, does not order them and retries a request (AttemptNumber rising) until it is answered 2xx within
// 5 seconds, so the same EventID can arrive more than once.
type WebhookEvent struct {
	EventID          int64  `json:"eventId"`
	SubscriptionID   int64  `json:"subscriptionId"`
	PortalID         int64  `json:"portalId"`
	AppID            int64  `json:"appId"`
	OccurredAt       int64  `json:"occurredAt"` // epoch milliseconds
	SubscriptionType string `json:"subscriptionType"`
	AttemptNumber    int    `json:"attemptNumber"`
	ObjectID         int64  `json:"objectId"`
	ChangeSource     string `json:"changeSource,omitempty"`
	ChangeFlag       string `json:"changeFlag,omitempty"`
	SourceID         string `json:"sourceId,omitempty"`
	// PropertyName and PropertyValue are set on contact.propertyChange ("" when the property was cleared).
	PropertyName  string `json:"propertyName,omitempty"`
	PropertyValue string `json:"propertyValue,omitempty"`
	// PrimaryObjectID, MergedObjectIDs and NewObjectID are set on contact.merge: the merged record lives on
	// under NewObjectID (HubSpot gives merged contacts a new ID), replacing the primary and merged ones.
	PrimaryObjectID         int64   `json:"primaryObjectId,omitempty"`
	MergedObjectIDs         []int64 `json:"mergedObjectIds,omitempty"`
	NewObjectID             int64   `json:"newObjectId,omitempty"`
	NumberOfPropertiesMoved int     `json:"numberOfPropertiesMoved,omitempty"`

	// ObjectTypeID names the object of a generic (object.*) event: ObjectTypeIDContact for contacts.
	ObjectTypeID string `json:"objectTypeId,omitempty"`
}

// Time is OccurredAt as a time.
func (e *WebhookEvent) Time() time.Time { return time.UnixMilli(e.OccurredAt).UTC() }

// ContactID is ObjectID as the string the CRM API uses.
func (e *WebhookEvent) ContactID() string { return strconv.FormatInt(e.ObjectID, 10) }

// ParseWebhookEvents decodes a webhook request body (a JSON array of events). Verify the signature first.
func ParseWebhookEvents(body []byte) ([]WebhookEvent, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '[' {
		return nil, errors.New("hubspot: webhook body is not a JSON array of events")
	}
	var events []WebhookEvent
	if err := json.Unmarshal(body, &events); err != nil {
		return nil, fmt.Errorf("hubspot: webhook body: %w", err)
	}
	for i, e := range events {
		if e.SubscriptionType == "" || e.PortalID == 0 {
			return nil, fmt.Errorf("hubspot: webhook event %d has no subscriptionType or portalId", i)
		}
	}
	return events, nil
}

// SignWebhookV3 computes HubSpot's v3 signature of a request: base64(HMAC-SHA256(clientSecret, method + uri
// + body + timestamp)), timestamp in epoch milliseconds as sent in X-HubSpot-Request-Timestamp. uri is the
// full URL HubSpot called (scheme, host, path and query).
func SignWebhookV3(clientSecret, method, uri string, body []byte, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(method))
	mac.Write([]byte(webhookURI(uri)))
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// webhookDecode lists the escapes HubSpot decodes in the URI before signing.
var webhookDecode = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
	"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

func webhookURI(uri string) string { return webhookDecode.Replace(uri) }

// CheckWebhookHeaders checks what can be checked before the body is read: the signature header is present
// and the timestamp is readable and within maxAge of now (0 means DefaultWebhookMaxAge). A request failing it
// is refused without reading or hashing its body.
func CheckWebhookHeaders(h http.Header, now time.Time, maxAge time.Duration) error {
	if maxAge <= 0 {
		maxAge = DefaultWebhookMaxAge
	}
	if strings.TrimSpace(h.Get(HeaderSignatureV3)) == "" {
		return fmt.Errorf("%w: %s header missing", ErrWebhookSignature, HeaderSignatureV3)
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(HeaderRequestTimestamp)), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s header missing or not epoch milliseconds", ErrWebhookTimestamp, HeaderRequestTimestamp)
	}
	at := time.UnixMilli(ms)
	if age := now.Sub(at); age > maxAge || age < -maxAge {
		return fmt.Errorf("%w: request time %s is %s away from now, more than %s", ErrWebhookTimestamp,
			at.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge)
	}
	return nil
}

// VerifyWebhookV3URI checks a webhook request's v3 signature and timestamp (at most maxAge old or ahead of now;
// 0 means DefaultWebhookMaxAge) for the full URI HubSpot called: PUBLIC_URL + the request's path and query, never
// a host the request names itself (X-Forwarded-Host is the caller's to choose). body is the raw request body.
// Its errors are short whatever the request: the URI is quoted cut to 200 bytes, the body never.
func VerifyWebhookV3URI(method, uri string, h http.Header, body []byte, clientSecret string, now time.Time, maxAge time.Duration) error {
	if clientSecret == "" {
		return fmt.Errorf("%w: no client secret configured", ErrWebhookSignature)
	}
	if err := CheckWebhookHeaders(h, now, maxAge); err != nil {
		return err
	}
	ts := strings.TrimSpace(h.Get(HeaderRequestTimestamp))
	want := SignWebhookV3(clientSecret, method, uri, body, ts)
	if !hmac.Equal([]byte(want), []byte(strings.TrimSpace(h.Get(HeaderSignatureV3)))) {
		// The URI signed is named (a PUBLIC_URL other than HubSpot's target URL is the usual cause), cut short.
		return fmt.Errorf("%w: signature does not match the body, URI %s and timestamp", ErrWebhookSignature, cutURI(webhookURI(uri), maxErrorURI))
	}
	return nil
}

// maxErrorURI bounds the URI quoted in a verification error: an attacker controls its query string.
const maxErrorURI = 200

func cutURI(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
