package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
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
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	if err != nil {
		h.logger.WarnContext(r.Context(), "hubspot webhook refused: body unreadable or too large", "error", err)
		http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	// HubSpot signs the URL it called: the gateway's public address and the path with its query.
	uri := strings.TrimRight(h.publicURL, "/") + r.URL.RequestURI()
	err = hubspot.VerifyWebhookV3URI(r.Method, uri, r.Header, body, h.secret, h.now(), hubspot.DefaultWebhookMaxAge)
	if err != nil {
		h.logger.WarnContext(r.Context(), "hubspot webhook refused", "reason", err.Error(), "remote_addr", r.RemoteAddr)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	events, err := hubspot.ParseWebhookEvents(body)
	if err != nil {
		h.logger.WarnContext(r.Context(), "hubspot webhook refused: not a JSON array of events", "error", err)
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
