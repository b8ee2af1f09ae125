package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// AccountService reads the installed portal's account details (scope oauth).
type AccountService service

// AccountDetails describes a HubSpot account (portal).
type AccountDetails struct {
	PortalID int64 `json:"portalId"`
	// UIDomain is the host of HubSpot's UI for this account: app.hubspot.com, app-eu1.hubspot.com, ...
	UIDomain string `json:"uiDomain"`
	// DataHostingLocation is na1, eu1, ...
	DataHostingLocation   string   `json:"dataHostingLocation"`
	TimeZone              string   `json:"timeZone"`
	CompanyCurrency       string   `json:"companyCurrency"`
	AdditionalCurrencies  []string `json:"additionalCurrencies,omitempty"`
	AccountType           string   `json:"accountType"`
	UTCOffset             string   `json:"utcOffset"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds"`
}

// ContactURL is the link to a contact's record in HubSpot's UI.
func (d *AccountDetails) ContactURL(contactID string) string {
	domain := d.UIDomain
	if domain == "" {
		domain = "app.hubspot.com"
	}
	return "https://" + domain + "/contacts/" + strconv.FormatInt(d.PortalID, 10) + "/record/0-1/" + url.PathEscape(contactID)
}

// Details fetches GET /account-info/{version}/details.
func (s *AccountService) Details(ctx context.Context) (*AccountDetails, *Response, error) {
	req, err := s.client.NewRequest(http.MethodGet, s.client.accountDetailsPath(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: account details: %w", err)
	}
	d := new(AccountDetails)
	resp, err := s.client.Do(ctx, req, d)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: account details: %w", err)
	}
	return d, resp, nil
}
