package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/hubspotapp"
	"github.com/convrs/gateway/integration"
)

// The HubSpot project checked in at hubspot-app/ is exactly what `convrs hubspot-app` generates from the
// gateway's scopes and webhook subscriptions today.
func TestCheckedInHubspotAppIsUpToDate(t *testing.T) {
	files, err := hubspotapp.Generate(hubspotAppSpec(checkedInPublicURL, hubspotapp.DistributionMarketplace))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join("..", "hubspot-app", filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(got, f.Content) {
			diff := cmp.Diff(string(f.Content), string(got))
			if err != nil {
				diff = err.Error()
			}
			t.Errorf("hubspot-app/%s is not what the gateway generates: run `make hubspot-app` (go run ./server hubspot-app --public-url %s --out hubspot-app) and commit.\n-generated +checked in:\n%s",
				f.Path, checkedInPublicURL, diff)
		}
	}
}

// The app asks exactly for the scopes the gateway requires, sends the admin back to its callback and HubSpot's
// webhooks to its endpoint, and subscribes to exactly the events the contact card handles.
func TestHubspotAppCommand(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"hubspot-app", "--public-url", "https://convrs.example.com/", "--out", dir, "--distribution", "private",
		"--support-email", "help@convrs.example.com", "--documentation-url", "https://convrs.example.com/docs"}
	if err := run(context.Background(), args, env(), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "src/app/app-hsmeta.json") {
		t.Errorf("output does not list the files written: %q", out.String())
	}
	var app struct {
		UID    string
		Type   string
		Config struct {
			Distribution string
			Auth         struct {
				Type                           string
				RedirectURLs                   []string `json:"redirectUrls"`
				RequiredScopes, OptionalScopes []string
			}
			PermittedURLs struct{ Fetch []string } `json:"permittedUrls"`
			Support       map[string]string
		}
	}
	readJSON(t, filepath.Join(dir, "src", "app", "app-hsmeta.json"), &app)
	if app.Type != "app" || app.Config.Distribution != "private" || app.Config.Auth.Type != "oauth" {
		t.Errorf("app component = %+v", app)
	}
	if diff := cmp.Diff(integration.RequiredScopes, app.Config.Auth.RequiredScopes); diff != "" {
		t.Errorf("requiredScopes differ from integration.RequiredScopes (-gateway +app):\n%s", diff)
	}
	if want := []string{"https://convrs.example.com" + integration.CallbackPath}; !cmp.Equal(app.Config.Auth.RedirectURLs, want) {
		t.Errorf("redirectUrls = %v, want %v", app.Config.Auth.RedirectURLs, want)
	}
	if !cmp.Equal(app.Config.PermittedURLs.Fetch, []string{"https://convrs.example.com"}) {
		t.Errorf("permittedUrls.fetch = %v", app.Config.PermittedURLs.Fetch)
	}
	if app.Config.Support["supportEmail"] != "help@convrs.example.com" || app.Config.Support["documentationUrl"] != "https://convrs.example.com/docs" {
		t.Errorf("support = %v", app.Config.Support)
	}

	type sub struct{ SubscriptionType, ObjectType, PropertyName string }
	var hooks struct {
		Type   string
		Config struct {
			Settings      struct{ TargetURL string }
			Subscriptions struct{ CRMObjects, LegacyCRMObjects, HubEvents []sub }
		}
	}
	readJSON(t, filepath.Join(dir, "src", "app", "webhooks", "webhooks-hsmeta.json"), &hooks)
	if hooks.Type != "webhooks" || hooks.Config.Settings.TargetURL != "https://convrs.example.com"+WebhookPath {
		t.Errorf("webhooks component = %+v", hooks)
	}
	h := contactcard.HandledWebhooks()
	var want []sub
	for _, e := range h.Events {
		want = append(want, sub{SubscriptionType: e, ObjectType: "contact"})
	}
	for _, p := range h.Properties {
		want = append(want, sub{SubscriptionType: "object.propertyChange", ObjectType: "contact", PropertyName: p})
	}
	if diff := cmp.Diff(want, hooks.Config.Subscriptions.CRMObjects); diff != "" {
		t.Errorf("crmObjects differ from contactcard.HandledWebhooks (-handled +app):\n%s", diff)
	}
	if diff := cmp.Diff([]sub{{SubscriptionType: "contact.privacyDeletion"}}, hooks.Config.Subscriptions.HubEvents); diff != "" {
		t.Errorf("hubEvents (-want +app):\n%s", diff)
	}
	if len(hooks.Config.Subscriptions.LegacyCRMObjects) != 0 {
		t.Errorf("legacyCrmObjects = %v, want none (the generic form only)", hooks.Config.Subscriptions.LegacyCRMObjects)
	}
	// Every generic event subscribed to is one the card applies, not one it counts as ignored.
	for _, s := range hooks.Config.Subscriptions.CRMObjects {
		if !slices.Contains([]string{"object.creation", "object.deletion", "object.merge", "object.restore", "object.propertyChange"}, s.SubscriptionType) {
			t.Errorf("subscribed to %s, which the gateway does not handle", s.SubscriptionType)
		}
	}

	// --print-json is what the gateway requires, as the npm check reads it.
	out.Reset()
	if err := run(context.Background(), []string{"hubspot-app", "--public-url", "https://convrs.example.com", "--print-json"}, env(), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var exp hubspotapp.Expectations
	if err := json.Unmarshal(out.Bytes(), &exp); err != nil {
		t.Fatalf("--print-json: %v\n%s", err, out.String())
	}
	if exp.RedirectURL != "https://convrs.example.com/oauth/hubspot/callback" || !cmp.Equal(exp.RequiredScopes, integration.RequiredScopes) {
		t.Errorf("--print-json = %+v", exp)
	}
}

func TestHubspotAppCommandRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", "x"}, "--public-url is required"},
		{[]string{"--public-url", "https://convrs.example.com"}, "--out DIR is required"},
		{[]string{"--public-url", "http://convrs.example.com", "--out", "x"}, "must use https"},
		{[]string{"--public-url", "convrs.example.com", "--out", "x"}, "not an absolute http(s) URL"},
		{[]string{"--public-url", "https://convrs.example.com?a=1", "--out", "x"}, "query"},
		{[]string{"--public-url", "https://convrs.example.com", "--out", "x", "--distribution", "public"}, `distribution "public" must be marketplace or private`},
		{[]string{"--public-url", "https://convrs.example.com", "--out", "x", "--max-concurrent-requests", "2"}, "minimum of 5"},
		{[]string{"--public-url", "https://convrs.example.com", "--out", "x", "--support-url", "http://help.example.com"}, "must be an https URL"},
		{[]string{"--public-url", "https://convrs.example.com", "--out", "x", "extra"}, `unexpected argument "extra"`},
	} {
		dir := t.TempDir()
		for i, a := range tc.args {
			if a == "x" {
				tc.args[i] = filepath.Join(dir, "out")
			}
		}
		err := run(context.Background(), append([]string{"hubspot-app"}, tc.args...), env(), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
		if _, statErr := os.Stat(filepath.Join(dir, "out")); statErr == nil {
			t.Errorf("%v: wrote files despite the error", tc.args)
		}
	}
	// Development addresses are accepted over http.
	for _, u := range []string{"http://localhost:8080", "http://127.0.0.1:9000/"} {
		if err := run(context.Background(), []string{"hubspot-app", "--public-url", u, "--print-json"}, env(), io.Discard, io.Discard); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
