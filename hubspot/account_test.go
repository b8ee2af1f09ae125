package hubspot

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAccountDetails(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/account-info/2026-03/details", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testQuery(t, r, nil)
		writeJSON(w, 200, `{"portalId":1234567,"accountType":"STANDARD","timeZone":"Europe/Berlin","companyCurrency":"EUR",
			"additionalCurrencies":[],"utcOffset":"+01:00","utcOffsetMilliseconds":3600000,"uiDomain":"app-eu1.hubspot.com",
			"dataHostingLocation":"eu1"}`)
	})
	got, _, err := client.Account.Details(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &AccountDetails{
		PortalID: 1234567, UIDomain: "app-eu1.hubspot.com", DataHostingLocation: "eu1", TimeZone: "Europe/Berlin",
		CompanyCurrency: "EUR", AdditionalCurrencies: []string{}, AccountType: "STANDARD", UTCOffset: "+01:00",
		UTCOffsetMilliseconds: 3600000,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	if got, want := got.ContactURL("501"), "https://app-eu1.hubspot.com/contacts/1234567/record/0-1/501"; got != want {
		t.Errorf("ContactURL = %q, want %q", got, want)
	}
}
