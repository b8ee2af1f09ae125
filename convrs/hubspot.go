package convrs

import (
	"cmp"
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// IntegrationState is where a workspace's HubSpot integration stands.
type IntegrationState string

const (
	// IntegrationDisconnected: no tokens; Integrate starts the OAuth flow.
	IntegrationDisconnected IntegrationState = "DISCONNECTED"
	// IntegrationConnected (yellow banner): tokens stored, syncing not yet enabled.
	IntegrationConnected IntegrationState = "CONNECTED"
	// IntegrationEnabled (green banner): syncing is active.
	IntegrationEnabled IntegrationState = "ENABLED"
	// IntegrationError (red banner): HubSpot refused the tokens; the admin must reconnect. Options are kept and
	// waiting work waits.
	IntegrationError IntegrationState = "ERROR"
)

// HubspotIntegration is a workspace's link to one HubSpot portal. It never carries tokens.
type HubspotIntegration struct {
	WorkspaceID  string
	State        IntegrationState
	PortalID     int64
	UIDomain     string
	HubUserEmail string
	Scopes       []string
	ConnectedAt  *time.Time
	EnabledAt    *time.Time
	// ErrorReason says, in words for the admin, why the integration is in ERROR.
	ErrorReason string
	// LastConnectError says, in words for the admin, why the workspace's last connection attempt did not
	// complete (cancelled on the consent page, scopes missing, a failed callback); empty once a new attempt
	// starts or a connection succeeds. It is not stored with the integration: the connect flow keeps it.
	LastConnectError string
	// Health is set while HubSpot does not answer the workspace's calls (5xx, timeouts, the network); it clears
	// at the first answer. Not stored with the integration: the integration service keeps it.
	Health    *HubspotHealth
	Options   HubspotOptions
	UpdatedAt time.Time
}

// HubspotHealth says since when HubSpot has not answered the workspace's calls.
type HubspotHealth struct {
	UnansweredSince time.Time
	// Detail is the last failure as HubSpot (or the network) gave it, for admins.
	Detail string
}

// HubspotOptions are the integration card's Options section.
type HubspotOptions struct {
	AllowOutboundSearch  bool
	RequireOutboundMatch bool
}

// Validate rejects RequireOutboundMatch without AllowOutboundSearch.
func (o HubspotOptions) Validate() error {
	if o.RequireOutboundMatch && !o.AllowOutboundSearch {
		return Invalidf("requireOutboundMatch", "Only allow HubSpot matches in outbound needs Allow HubSpot searching in outbound.")
	}
	return nil
}

// ContactURL is the link to a contact's record in HubSpot's UI, https://{uiDomain}/contacts/…. appURL, when
// set, replaces https://{uiDomain}: the simulator serves the UI itself, and the gateway passes its
// HUBSPOT_APP_URL then.
func (h *HubspotIntegration) ContactURL(appURL, contactID string) string {
	if h == nil || h.PortalID == 0 || contactID == "" {
		return ""
	}
	base := strings.TrimRight(appURL, "/")
	if base == "" {
		base = "https://" + cmp.Or(h.UIDomain, "app.hubspot.com")
	}
	return base + "/contacts/" + strconv.FormatInt(h.PortalID, 10) + "/record/0-1/" + url.PathEscape(contactID)
}

// HubspotConnection is what a completed OAuth handshake stores. Tokens arrive sealed (package secret).
type HubspotConnection struct {
	WorkspaceID     string
	PortalID        int64
	UIDomain        string
	HubUserEmail    string
	Scopes          []string
	AccessTokenEnc  string
	RefreshTokenEnc string
	TokenExpiresAt  time.Time
	ConnectedBy     string
}

// SealedHubspotTokens are a workspace's stored HubSpot tokens, still encrypted.
type SealedHubspotTokens struct {
	PortalID        int64
	AccessTokenEnc  string
	RefreshTokenEnc string
	ExpiresAt       time.Time
}

// HubspotIntegrationService connects, enables, disables and configures a workspace's HubSpot integration.
// Every mutation is admin-only (EFORBIDDEN for agents).
type HubspotIntegrationService interface {
	Integration(ctx context.Context) (*HubspotIntegration, error)
	// Connect returns the HubSpot authorization URL with a fresh single-use state bound to the workspace and
	// the admin, and when that state expires.
	Connect(ctx context.Context) (authURL string, expires time.Time, err error)
	Enable(ctx context.Context) (*HubspotIntegration, error)
	Disable(ctx context.Context) (*HubspotIntegration, error)
	SaveOptions(ctx context.Context, o HubspotOptions) (*HubspotIntegration, error)
	// CheckConnection proves the grant works end to end without writing anything (account details, a contact
	// search, reading a contact, the owners list) and, when testNoteContactID is set, writes a test note to that
	// contact. HubSpot trouble is a failed step, not an error. ECONFLICT when not connected.
	CheckConnection(ctx context.Context, testNoteContactID string) (*HubspotConnectionCheck, error)
}

// HubspotCheckStep is one step of a connection check, in words.
type HubspotCheckStep struct {
	// Name says what was tried ("Read the account details").
	Name    string
	Outcome HubspotCheckOutcome
	// Message says what happened and, on failure, what to do.
	Message string
	// Detail is HubSpot's own answer to a failed step (admins run the check).
	Detail string
}

// HubspotCheckOutcome is how a step of a connection check went.
type HubspotCheckOutcome string

const (
	CheckPassed  HubspotCheckOutcome = "PASSED"
	CheckFailed  HubspotCheckOutcome = "FAILED"
	CheckSkipped HubspotCheckOutcome = "SKIPPED" // not run: nothing to run it on, or not asked for
)

// HubspotConnectionCheck is the result of CheckConnection.
type HubspotConnectionCheck struct {
	// OK is true when no step failed.
	OK        bool
	Steps     []*HubspotCheckStep
	CheckedAt time.Time
}
