package contactcard_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/convrs/gateway/convrs"
)

// HubSpot refusing the card's question as invalid (400) is not "HubSpot could not be reached": the agent reads
// what happened and what to do, and HubSpot's own answer is kept for the admin.
func TestCardSaysWhatHubspotRefused(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	e.seed(1, map[string]string{"email": "bob@example.com"})
	bob := e.customer("Bob", "", "bob@example.com", "")

	for _, tc := range []struct {
		status int
		words  string
	}{
		{http.StatusBadRequest, "refused Convrs's question about this customer as invalid"},
		{http.StatusForbidden, "lacks a permission"},
	} {
		e.sim.FailNext(20, tc.status)
		got := e.card(bob.ID)
		e.sim.FailNext(0, 0)
		if got.Outcome != convrs.ContactUnavailable || !strings.Contains(got.Message, tc.words) || strings.Contains(got.Message, "could not be reached") {
			t.Errorf("HubSpot %d card says %q, want %q", tc.status, got.Message, tc.words)
		}
		if !strings.Contains(got.Detail, "HubSpot answered") || !strings.Contains(got.Detail, "correlation ID") ||
			strings.Contains(got.Message, "correlation") {
			t.Errorf("HubSpot %d card detail %q, message %q", tc.status, got.Detail, got.Message)
		}
	}
}
