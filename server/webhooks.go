package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/hubspot"
)

// WebhookPath is where HubSpot sends the app's contact webhooks (register PUBLIC_URL + WebhookPath as the
// app's target URL).
const WebhookPath = "/webhooks/hubspot"

// maxWebhookBytes bounds a webhook batch: HubSpot sends at most 100 events, far below this.
const maxWebhookBytes = 1 << 20

// webhookHandler verifies HubSpot's v3 signature and applies the batch before answering 204, so an
// acknowledged event is never lost; a batch that could not be applied gets 500 and HubSpot sends it again.
type webhookHandler struct {
	secret    string
	publicURL string
	events    interface {
		HandleWebhook(ctx context.Context, events []contactcard.WebhookEvent) error
	}
	logger *slog.Logger
	now    func() time.Time

	// refusals throttles the log lines of refused requests: anyone can send them.
	refusals logThrottle
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// What the headers alone show is checked before the body is read or hashed.
	if err := hubspot.CheckWebhookHeaders(r.Header, h.now(), hubspot.DefaultWebhookMaxAge); err != nil {
		h.refused(r, "invalid signature headers", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.refused(r, "body too large", err)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.refused(r, "body unreadable or too slow", err)
		http.Error(w, "request body unreadable", http.StatusRequestTimeout)
		return
	}
	// HubSpot signs the URL it called: the gateway's public address and the path with its query.
	uri := strings.TrimRight(h.publicURL, "/") + r.URL.RequestURI()
	err = hubspot.VerifyWebhookV3URI(r.Method, uri, r.Header, body, h.secret, h.now(), hubspot.DefaultWebhookMaxAge)
	if err != nil {
		h.refused(r, "invalid signature", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	events, err := hubspot.ParseWebhookEvents(body)
	if err != nil {
		h.refused(r, "not a JSON array of events", err)
		http.Error(w, "body must be a JSON array of events", http.StatusBadRequest)
		return
	}
	if err := h.events.HandleWebhook(r.Context(), events); err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		http.Error(w, "events not applied; send them again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// refused logs one bounded line about a refused request (its reason cut to maxLogReason bytes, the path and
// the size of the query, never the query itself), at most one every refusalLogInterval; the line says how many
// refusals went unlogged since the previous one.
func (h *webhookHandler) refused(r *http.Request, what string, err error) {
	suppressed, ok := h.refusals.allow(h.now(), refusalLogInterval)
	if !ok {
		return
	}
	reason := err.Error()
	if len(reason) > maxLogReason {
		reason = strings.ToValidUTF8(reason[:maxLogReason], "") + "…"
	}
	path := r.URL.Path
	if len(path) > maxLogPath {
		path = strings.ToValidUTF8(path[:maxLogPath], "") + "…"
	}
	h.logger.WarnContext(r.Context(), "hubspot webhook refused: "+what, "reason", reason, "path", path,
		"query_bytes", len(r.URL.RawQuery), "remote_addr", r.RemoteAddr, "refusals_not_logged", suppressed)
}

// Bounds of the refusal log lines.
const (
	refusalLogInterval = time.Second
	maxLogReason       = 300
	maxLogPath         = 100
)

// logThrottle lets one event through per interval and counts the others.
type logThrottle struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many events were held back since the last one logged.
func (t *logThrottle) allow(now time.Time, interval time.Duration) (suppressed int, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.last.IsZero() && now.Sub(t.last) < interval && now.After(t.last.Add(-interval)) {
		t.suppressed++
		return 0, false
	}
	suppressed, t.suppressed, t.last = t.suppressed, 0, now
	return suppressed, true
}
