package convrs

import "testing"

func TestContactURL(t *testing.T) {
	t.Parallel()
	eu := &HubspotIntegration{PortalID: 13572468, UIDomain: "app-eu1.hubspot.com"}
	for _, tt := range []struct {
		integ            *HubspotIntegration
		appURL, id, want string
	}{
		{eu, "", "501", "https://app-eu1.hubspot.com/contacts/13572468/record/0-1/501"},
		{&HubspotIntegration{PortalID: 1}, "", "7", "https://app.hubspot.com/contacts/1/record/0-1/7"},
		{eu, "http://127.0.0.1:8081/", "501", "http://127.0.0.1:8081/contacts/13572468/record/0-1/501"},
		{eu, "", "", ""},
		{&HubspotIntegration{}, "", "501", ""},
		{nil, "", "501", ""},
	} {
		if got := tt.integ.ContactURL(tt.appURL, tt.id); got != tt.want {
			t.Errorf("ContactURL(%q, %q) = %q, want %q", tt.appURL, tt.id, got, tt.want)
		}
	}
}
