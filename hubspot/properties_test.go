package hubspot

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/google/go-cmp/cmp"
)

func TestPropertiesGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/properties/2026-03/contacts/lifecyclestage", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testQuery(t, r, nil)
		writeJSON(w, 200, `{"name":"lifecyclestage","label":"Lifecycle Stage","type":"enumeration","fieldType":"radio",
		  "groupName":"contactinformation","description":"","hubspotDefined":true,"hidden":false,"archived":false,
		  "createdAt":"2019-08-06T02:41:52.000Z","updatedAt":"2019-08-06T02:41:52.000Z",
		  "options":[{"label":"Lead","value":"lead","displayOrder":1,"hidden":false},
		             {"label":"Partner","value":"1234567","description":"custom","displayOrder":8,"hidden":true}]}`)
	})
	got, _, err := client.Properties.Get(context.Background(), ObjectTypeContacts, PropLifecycleStage)
	if err != nil {
		t.Fatal(err)
	}
	want := []PropertyOption{
		{Label: "Lead", Value: "lead", DisplayOrder: 1},
		{Label: "Partner", Value: "1234567", Description: "custom", DisplayOrder: 8, Hidden: true},
	}
	if diff := cmp.Diff(want, got.Options); diff != "" || got.Label != "Lifecycle Stage" || got.Type != "enumeration" {
		t.Errorf("property %+v; options (-want +got):\n%s", got, diff)
	}
	for value, label := range map[string]string{"lead": "Lead", "1234567": "Partner", "retired_stage": "retired_stage", "": ""} {
		if l := got.OptionLabel(value); l != label {
			t.Errorf("OptionLabel(%q) = %q, want %q", value, l, label)
		}
	}
	if _, _, err := client.Properties.Get(context.Background(), "contacts", ""); err == nil {
		t.Error("empty name accepted")
	}
}

func TestSimPropertiesAndOwnerTeams(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{})
	ctx := context.Background()
	prop, _, err := env.client.Properties.Get(ctx, ObjectTypeContacts, PropLifecycleStage)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, o := range prop.Options {
		values = append(values, o.Value)
	}
	want := []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other", "partner"}
	if diff := cmp.Diff(want, values); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	if prop.OptionLabel("marketingqualifiedlead") != "Marketing Qualified Lead" || prop.OptionLabel("partner") != "Partner" {
		t.Errorf("labels wrong: %+v", prop.Options)
	}
	if _, _, err := env.client.Properties.Get(ctx, ObjectTypeContacts, "no_such_property"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown property: err = %v, want not found", err)
	}

	id := env.sim.SeedOwner(env.portal.ID, hubspotsim.Owner{Email: "o@x.test", FirstName: "O", Teams: []hubspotsim.Team{{ID: "7", Name: "Support", Primary: true}}})
	o, _, err := env.client.Owners.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]OwnerTeam{{ID: "7", Name: "Support", Primary: true}}, o.Teams); diff != "" {
		t.Errorf("teams (-want +got):\n%s", diff)
	}

	// Writes are checked against the options, as HubSpot checks them.
	if _, _, err := env.client.Contacts.Create(ctx, map[string]string{"lifecyclestage": "not_a_stage"}); err == nil {
		t.Error("an unknown lifecycle stage was accepted")
	}
	if _, _, err := env.client.Contacts.Create(ctx, map[string]string{"lifecyclestage": "partner"}); err != nil {
		t.Errorf("the custom stage was rejected: %v", err)
	}
}
