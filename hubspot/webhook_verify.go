package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of HubSpot's v3 webhook signature.
const (
	HeaderSignatureV3      = "X-HubSpot-Signature-v3"
	HeaderRequestTimestamp = "X-HubSpot-Request-Timestamp"
)

// WebhookMaxAge is how old a signed webhook request may be (HubSpot: reject anything older than 5 minutes).
const WebhookMaxAge = 5 * time.Minute

// Reasons VerifyWebhookV3 refuses a request, for the log (errors.Is).
var (
	ErrWebhookUnsigned     = errors.New("hubspot webhook: no v3 signature or timestamp")
	ErrWebhookStale        = errors.New("hubspot webhook: timestamp outside the 5-minute window")
	ErrWebhookBadSignature = errors.New("hubspot webhook: signature does not match")
)

// uriDecoder undoes the percent-encodings HubSpot decodes before signing the URI.
var uriDecoder = strings.NewReplacer("%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";")

// SignWebhookV3 returns the v3 signature of a request: base64(HMAC-SHA256(clientSecret, method + uri + body +
// timestamp)), uri being the full URL HubSpot called.
func SignWebhookV3(clientSecret, method, uri string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(method + uriDecoder.Replace(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyWebhookV3 checks a webhook request's X-HubSpot-Signature-v3 (in constant time) and that its
// X-HubSpot-Request-Timestamp (ms) is within WebhookMaxAge of now.
func VerifyWebhookV3(clientSecret, method, uri string, body []byte, signature, timestamp string, now time.Time) error {
	if signature == "" || timestamp == "" {
		return ErrWebhookUnsigned
	}
	ms, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a timestamp", ErrWebhookStale, timestamp)
	}
	if age := now.Sub(time.UnixMilli(ms)); age > WebhookMaxAge || age < -WebhookMaxAge {
		return fmt.Errorf("%w (%s old)", ErrWebhookStale, age.Round(time.Second))
	}
	want := SignWebhookV3(clientSecret, method, uri, body, timestamp)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return ErrWebhookBadSignature
	}
	return nil
}
