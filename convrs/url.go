package convrs

import (
	"net/url"
	"strconv"
	"strings"
)

// hubspotContactURL links to a contact record. HubSpot's UI is https://{uiDomain}; appURL, when set, replaces
// it (the simulator serves the UI itself in development, and the gateway passes its HUBSPOT_APP_URL then).
func hubspotContactURL(appURL, uiDomain string, portalID int64, contactID string) string {
	base := "https://" + uiDomain
	if appURL != "" {
		base = strings.TrimRight(appURL, "/")
	}
	return base + "/contacts/" + strconv.FormatInt(portalID, 10) + "/record/0-1/" + url.PathEscape(contactID)
}
