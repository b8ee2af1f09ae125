package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/hubspotapp"
	"github.com/convrs/gateway/integration"
)

// checkedInPublicURL is the PUBLIC_URL the repository's hubspot-app/ is generated with (`make hubspot-app`):
// `make run`'s address. A deployment regenerates the project with its own public https URL.
const checkedInPublicURL = "http://localhost:8080"

// hubspotAppSpec is the gateway's HubSpot app: the scopes it requires (integration.RequiredScopes), its OAuth
// callback, and the webhook subscriptions the contact card handles, at publicURL.
func hubspotAppSpec(publicURL, distribution string) hubspotapp.Spec {
	h := contactcard.HandledWebhooks()
	return hubspotapp.Spec{
		PublicURL:    publicURL,
		Distribution: distribution,
		ProjectName:  "convrs-hubspot",
		AppUID:       "convrs_app",
		WebhooksUID:  "convrs_webhooks",
		Name:         "Convrs",
		Description: "Convrs conversations with your HubSpot contacts: agents see the contact of the customer they are " +
			"chatting with, start chats from HubSpot contacts, and closed conversations are logged as notes on the contact.",
		RequiredScopes: integration.RequiredScopes,
		OptionalScopes: []string{},
		CallbackPath:   integration.CallbackPath,
		WebhookPath:    WebhookPath,
		Webhooks: hubspotapp.Webhooks{ObjectType: h.ObjectType, Events: h.Events, Properties: h.Properties,
			HubEvents: h.HubEvents},
		CardFetchPath: HubspotCardPath,
	}
}

// runHubspotApp is `hubspot-app`: it writes the HubSpot project of the gateway's app into --out (or prints
// what the gateway requires of the app with --print-json).
func runHubspotApp(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hubspot-app", flag.ContinueOnError)
	fs.SetOutput(stderr)
	public := fs.String("public-url", "", "the gateway's public address, its PUBLIC_URL (https; http only on localhost)")
	out := fs.String("out", "", "directory to write the project into (created; other files in it are kept)")
	dist := fs.String("distribution", hubspotapp.DistributionMarketplace, "marketplace or private")
	printJSON := fs.Bool("print-json", false, "print what the gateway requires of the app (scopes, redirect URL, webhooks) as JSON instead")
	conc := fs.Int("max-concurrent-requests", hubspotapp.DefaultMaxConcurrentRequests, "webhook requests HubSpot may have open at once (5 or more)")
	var support hubspotapp.Support
	fs.StringVar(&support.Email, "support-email", "", "support email shown to installing users (a marketplace listing needs one)")
	fs.StringVar(&support.URL, "support-url", "", "support page (https)")
	fs.StringVar(&support.DocumentationURL, "documentation-url", "", "documentation page (https)")
	fs.StringVar(&support.Phone, "support-phone", "", "support phone number")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("hubspot-app: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" && !*printJSON {
		return errors.New("hubspot-app: --out DIR is required (or --print-json)")
	}
	spec := hubspotAppSpec(*public, *dist)
	spec.MaxConcurrentRequests, spec.Support = *conc, support
	files, err := hubspotapp.Generate(spec)
	if err != nil {
		return err
	}
	if *printJSON {
		_, err := stdout.Write(hubspotapp.ExpectationsOf(files))
		return err
	}
	if err := hubspotapp.Write(*out, files); err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "wrote %s/%s\n", *out, f.Path)
	}
	return nil
}
