package hubspot

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

const testSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"

// The expected signature was computed independently (Python's hmac) from HubSpot's documented recipe.
func TestSignWebhookV3KnownVector(t *testing.T) {
	t.Parallel()
	got := SignWebhookV3(testSecret, "POST", "https://gw.example.com/webhooks/hubspot?x=a%3Ab", []byte(`[{"eventId":1}]`), "1700000000000")
	if want := "js5l52q2Cb9aT04rOoIAIf5fur9IGrfgnplC8j0yLeI="; got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
}

func signedRequest(t *testing.T, target string, body string, at time.Time, secret string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	r.Header.Set(HeaderRequestTimestamp, ts)
	r.Header.Set(HeaderSignatureV3, SignWebhookV3(secret, "POST", "https://gw.example.com/webhooks/hubspot", []byte(body), ts))
	r.Header.Set("X-Forwarded-Proto", "https")
	return r
}

// verifyRequest verifies r as received directly or behind a proxy that says the scheme (X-Forwarded-Proto).
func verifyRequest(r *http.Request, body []byte, secret string, now time.Time, maxAge time.Duration) error {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return VerifyWebhookV3URI(r.Method, scheme+"://"+r.Host+r.URL.RequestURI(), r.Header, body, secret, now, maxAge)
}

func TestVerifyWebhookV3(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	body := `[{"eventId":1,"portalId":62515,"subscriptionType":"contact.creation","objectId":123}]`
	ok := func() *http.Request {
		return signedRequest(t, "http://gw.example.com/webhooks/hubspot", body, now.Add(-time.Minute), testSecret)
	}
	if err := verifyRequest(ok(), []byte(body), testSecret, now, 0); err != nil {
		t.Fatalf("valid request rejected: %v", err)
	}
	for name, tc := range map[string]struct {
		req    func() *http.Request
		body   string
		secret string
		now    time.Time
		want   error
	}{
		"wrong secret":    {ok, body, "other-secret", now, ErrWebhookSignature},
		"tampered body":   {ok, strings.Replace(body, "123", "124", 1), testSecret, now, ErrWebhookSignature},
		"stale":           {ok, body, testSecret, now.Add(5 * time.Minute), ErrWebhookTimestamp},
		"from the future": {ok, body, testSecret, now.Add(-7 * time.Minute), ErrWebhookTimestamp},
		"no secret":       {ok, body, "", now, ErrWebhookSignature},
		"other URL":       {func() *http.Request { r := ok(); r.URL.Path = "/elsewhere"; return r }, body, testSecret, now, ErrWebhookSignature},
		"other method":    {func() *http.Request { r := ok(); r.Method = "PUT"; return r }, body, testSecret, now, ErrWebhookSignature},
		"plain http":      {func() *http.Request { r := ok(); r.Header.Del("X-Forwarded-Proto"); return r }, body, testSecret, now, ErrWebhookSignature},
		"no signature":    {func() *http.Request { r := ok(); r.Header.Del(HeaderSignatureV3); return r }, body, testSecret, now, ErrWebhookSignature},
		"no timestamp":    {func() *http.Request { r := ok(); r.Header.Del(HeaderRequestTimestamp); return r }, body, testSecret, now, ErrWebhookTimestamp},
		"timestamp in s":  {func() *http.Request { r := ok(); r.Header.Set(HeaderRequestTimestamp, "17000000x"); return r }, body, testSecret, now, ErrWebhookTimestamp},
		"v1 style replay": {func() *http.Request { r := ok(); r.Header.Set(HeaderSignatureV3, "deadbeef"); return r }, body, testSecret, now, ErrWebhookSignature},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := verifyRequest(tc.req(), []byte(tc.body), tc.secret, tc.now, 0)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// A custom window.
	if err := verifyRequest(ok(), []byte(body), testSecret, now, 30*time.Second); !errors.Is(err, ErrWebhookTimestamp) {
		t.Errorf("30 s window, 1 min old: err = %v", err)
	}
	// The known public URI, whatever the request says about itself.
	r := ok()
	r.Header.Del("X-Forwarded-Proto")
	if err := VerifyWebhookV3URI(r.Method, "https://gw.example.com"+r.URL.RequestURI(), r.Header, []byte(body), testSecret, now, 0); err != nil {
		t.Errorf("VerifyWebhookV3URI: %v", err)
	}
}

func TestParseWebhookEvents(t *testing.T) {
	t.Parallel()
	got, err := ParseWebhookEvents([]byte(`[
	  {"eventId":100,"subscriptionId":7,"portalId":62515,"appId":1160452,"occurredAt":1700000000000,"subscriptionType":"contact.propertyChange",
	   "attemptNumber":0,"objectId":123,"changeSource":"CRM_UI","propertyName":"lifecyclestage","propertyValue":"customer"},
	  {"eventId":101,"subscriptionId":8,"portalId":62515,"appId":1160452,"occurredAt":1700000000001,"subscriptionType":"contact.merge",
	   "attemptNumber":2,"objectId":300,"changeSource":"CRM_UI","primaryObjectId":123,"mergedObjectIds":[124],"newObjectId":300,"numberOfPropertiesMoved":4}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []WebhookEvent{
		{EventID: 100, SubscriptionID: 7, PortalID: 62515, AppID: 1160452, OccurredAt: 1700000000000, SubscriptionType: WebhookContactPropertyChange,
			ObjectID: 123, ChangeSource: "CRM_UI", PropertyName: "lifecyclestage", PropertyValue: "customer"},
		{EventID: 101, SubscriptionID: 8, PortalID: 62515, AppID: 1160452, OccurredAt: 1700000000001, SubscriptionType: WebhookContactMerge,
			AttemptNumber: 2, ObjectID: 300, ChangeSource: "CRM_UI", PrimaryObjectID: 123, MergedObjectIDs: []int64{124}, NewObjectID: 300, NumberOfPropertiesMoved: 4},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got[0].ContactID() != "123" || !got[0].Time().Equal(time.UnixMilli(1700000000000)) {
		t.Errorf("helpers: %s %v", got[0].ContactID(), got[0].Time())
	}
	for _, bad := range []string{``, `{}`, `[{"eventId":"x"}]`, `[{"eventId":1}]`, `not json`} {
		if _, err := ParseWebhookEvents([]byte(bad)); err == nil {
			t.Errorf("ParseWebhookEvents(%q) succeeded", bad)
		}
	}
}

// A refused request's error is short whatever its URI: the URI is quoted cut to 200 bytes, the body never.
func TestVerifyWebhookErrorIsBounded(t *testing.T) {
	now := time.Now()
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	h := http.Header{}
	h.Set(HeaderRequestTimestamp, ts)
	h.Set(HeaderSignatureV3, "forged")
	uri := "https://convrs.test/webhooks/hubspot?junk=" + strings.Repeat("é", 250<<10)
	err := VerifyWebhookV3URI(http.MethodPost, uri, h, []byte(strings.Repeat("b", 1<<20)), "secret", now, 0)
	if !errors.Is(err, ErrWebhookSignature) || len(err.Error()) > 400 || !utf8.ValidString(err.Error()) {
		t.Errorf("error of %d bytes (valid UTF-8: %v): %.120s", len(err.Error()), utf8.ValidString(err.Error()), err)
	}
	// The headers alone are checked first, without the body.
	if err := CheckWebhookHeaders(http.Header{}, now, 0); !errors.Is(err, ErrWebhookSignature) {
		t.Errorf("no headers: %v", err)
	}
	h.Set(HeaderRequestTimestamp, strconv.FormatInt(now.Add(-time.Hour).UnixMilli(), 10))
	if err := CheckWebhookHeaders(h, now, 0); !errors.Is(err, ErrWebhookTimestamp) {
		t.Errorf("stale: %v", err)
	}
}
