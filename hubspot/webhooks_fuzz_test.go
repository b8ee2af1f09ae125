package hubspot

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// FuzzParseWebhookEvents: any body is refused or parsed without panicking; what is accepted carries a
// subscription type and a portal in every event, and reads back the same once encoded again.
func FuzzParseWebhookEvents(f *testing.F) {
	f.Add([]byte(`[{"eventId":1,"subscriptionId":2,"portalId":3,"appId":4,"occurredAt":1700000000000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":501}]`))
	f.Add([]byte(`[{"subscriptionType":"contact.merge","portalId":9,"primaryObjectId":1,"mergedObjectIds":[2,3],"newObjectId":4}]`))
	f.Add([]byte(`[{"subscriptionType":"contact.propertyChange","portalId":9,"propertyName":"email","propertyValue":"a@b.test"}]`))
	f.Add([]byte(` [] `))
	f.Add([]byte(`{"not":"an array"}`))
	f.Add([]byte(`[{"portalId":"9"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWebhookEvents(body)
		if err != nil {
			return
		}
		for i, e := range events {
			if e.SubscriptionType == "" || e.PortalID == 0 {
				t.Fatalf("event %d accepted without subscriptionType or portalId: %+v", i, e)
			}
			_ = e.Time()
			if e.ContactID() != strconv.FormatInt(e.ObjectID, 10) {
				t.Fatalf("ContactID %q for objectId %d", e.ContactID(), e.ObjectID)
			}
		}
		again, err := json.Marshal(events)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseWebhookEvents(again)
		if err != nil || !reflect.DeepEqual(normEvents(back), normEvents(events)) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, back, events)
		}
	})
}

// normEvents makes an empty merged-IDs list and an absent one equal (omitempty drops the first).
func normEvents(es []WebhookEvent) []WebhookEvent {
	out := make([]WebhookEvent, len(es))
	for i, e := range es {
		if len(e.MergedObjectIDs) == 0 {
			e.MergedObjectIDs = nil
		}
		out[i] = e
	}
	return out
}

// FuzzVerifyWebhookV3URI: a request signed with the secret verifies whatever its method, URI and body, and
// the same request with another body does not; a verification error never quotes more than a cut URI.
func FuzzVerifyWebhookV3URI(f *testing.F) {
	f.Add("POST", "https://gw.test/hubspot/webhooks?x=%3A%2F", []byte(`[]`), []byte(`[{}]`))
	f.Add("GET", "http://h/p?a=b&c=%40", []byte{}, []byte{0})
	f.Fuzz(func(t *testing.T, method, uri string, body, other []byte) {
		now := time.UnixMilli(1_700_000_000_000)
		ts := strconv.FormatInt(now.UnixMilli(), 10)
		h := http.Header{}
		h.Set(HeaderRequestTimestamp, ts)
		h.Set(HeaderSignatureV3, SignWebhookV3("secret", method, uri, body, ts))
		if err := VerifyWebhookV3URI(method, uri, h, body, "secret", now, time.Minute); err != nil {
			t.Fatalf("a signed request is refused: %v", err)
		}
		if string(other) != string(body) {
			err := VerifyWebhookV3URI(method, uri, h, other, "secret", now, time.Minute)
			if err == nil {
				t.Fatal("another body verifies")
			}
			if len(err.Error()) > 400+maxErrorURI {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
		}
	})
}
