// Package hubspotapp writes the HubSpot app the gateway needs as a HubSpot developer project (platform
// 2026.03, uploaded with HubSpot's CLI: `hs project upload`): hsproject.json, the app component
// (src/app/app-hsmeta.json: OAuth, its redirect URL and scopes) and the webhooks component
// (src/app/webhooks/webhooks-hsmeta.json). Everything in them comes from a Spec the gateway fills from its own
// lists (the scopes it requires, the webhook subscriptions it handles), so the app cannot ask for less than
// the gateway checks for, or subscribe to events the gateway does not use. Output is deterministic: the same
// Spec gives the same bytes.
//
// Generate returns only the files it owns; other files of a project (the app card's source in src/app/cards/)
// sit beside them and Write leaves them alone. Of the card it writes only src/app/cards/gateway.ts, the URL
// the card fetches, which must follow PublicURL. A component is one more file in Generate's list.
package hubspotapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// PlatformVersion is the developer platform version of the project.
const PlatformVersion = "2026.03"

// The project's files, relative to its root.
const (
	ProjectFile      = "hsproject.json"
	SourceDir        = "src"
	AppFile          = "src/app/app-hsmeta.json"
	WebhooksFile     = "src/app/webhooks/webhooks-hsmeta.json"
	ExpectationsFile = "gateway.json"
	// CardGatewayFile tells the app card (hand-written beside it in src/app/cards/) where the gateway is.
	CardGatewayFile = "src/app/cards/gateway.ts"
)

// Distributions of an app: listed on HubSpot's marketplace (any account can install it once listed), or
// private (installed only on the accounts the developer allows).
const (
	DistributionMarketplace = "marketplace"
	DistributionPrivate     = "private"
)

// DefaultMaxConcurrentRequests is how many webhook requests HubSpot may have open to the gateway at once.
const DefaultMaxConcurrentRequests = 10

// minConcurrentRequests is HubSpot's lowest accepted webhook concurrency.
const minConcurrentRequests = 5

// Webhooks are the generic (object.*) subscriptions of one object type, and account-level hub events.
type Webhooks struct {
	// ObjectType names the object of every crmObjects subscription ("contact").
	ObjectType string `json:"objectType"`
	// Events are object.* types other than propertyChange.
	Events []string `json:"events"`
	// Properties get one object.propertyChange subscription each.
	Properties []string `json:"properties"`
	// HubEvents (contact.privacyDeletion) have no generic form.
	HubEvents []string `json:"hubEvents"`
}

// Support is how the app's users reach its developer (shown in HubSpot; a marketplace listing needs it).
type Support struct {
	Email            string `json:"supportEmail,omitempty"`
	URL              string `json:"supportUrl,omitempty"`
	DocumentationURL string `json:"documentationUrl,omitempty"`
	Phone            string `json:"supportPhone,omitempty"`
}

func (s Support) empty() bool { return s == Support{} }

// Spec is everything the project is generated from.
type Spec struct {
	// PublicURL is the gateway's public address (PUBLIC_URL): https, or http on localhost/127.0.0.1 for
	// development.
	PublicURL string
	// Distribution is DistributionMarketplace or DistributionPrivate.
	Distribution string
	// ProjectName names the project (hsproject.json), AppUID and WebhooksUID its components; Name and
	// Description are what HubSpot shows.
	ProjectName, AppUID, WebhooksUID string
	Name, Description                string
	// RequiredScopes must all be granted at install; OptionalScopes may be declined.
	RequiredScopes, OptionalScopes []string
	// CallbackPath (OAuth redirect) and WebhookPath (webhook target) are paths of PublicURL.
	CallbackPath, WebhookPath string
	Webhooks                  Webhooks
	// MaxConcurrentRequests bounds HubSpot's concurrent webhook requests (0: DefaultMaxConcurrentRequests).
	MaxConcurrentRequests int
	Support               Support
	// CardFetchPath, when set, is the gateway path the app card fetches (a path of PublicURL): Generate then
	// writes CardGatewayFile, so the card calls the same origin permittedUrls.fetch allows.
	CardFetchPath string
}

// File is one generated file of the project.
type File struct {
	// Path is relative to the project's root, with forward slashes.
	Path    string
	Content []byte
}

// Expectations is what the gateway requires of its HubSpot app, written beside the project (outside its
// source directory, so never uploaded) for checks that read the project with HubSpot's own parser.
type Expectations struct {
	About            string   `json:"about"`
	PublicURL        string   `json:"publicUrl"`
	Distribution     string   `json:"distribution"`
	RedirectURL      string   `json:"redirectUrl"`
	RequiredScopes   []string `json:"requiredScopes"`
	OptionalScopes   []string `json:"optionalScopes"`
	WebhookTargetURL string   `json:"webhookTargetUrl"`
	Webhooks         Webhooks `json:"webhooks"`
}

type project struct {
	Name            string `json:"name"`
	SrcDir          string `json:"srcDir"`
	PlatformVersion string `json:"platformVersion"`
}

type component[C any] struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	Config C      `json:"config"`
}

type appConfig struct {
	Name          string        `json:"name"`
	Description   string        `json:"description"`
	Distribution  string        `json:"distribution"`
	Auth          appAuth       `json:"auth"`
	PermittedURLs permittedURLs `json:"permittedUrls"`
	Support       *Support      `json:"support,omitempty"`
}

type appAuth struct {
	Type                        string   `json:"type"`
	RedirectURLs                []string `json:"redirectUrls"`
	RequiredScopes              []string `json:"requiredScopes"`
	OptionalScopes              []string `json:"optionalScopes"`
	ConditionallyRequiredScopes []string `json:"conditionallyRequiredScopes"`
}

type permittedURLs struct {
	Fetch  []string `json:"fetch"`
	Iframe []string `json:"iframe"`
	Img    []string `json:"img"`
}

type webhooksConfig struct {
	Settings      webhookSettings      `json:"settings"`
	Subscriptions webhookSubscriptions `json:"subscriptions"`
}

type webhookSettings struct {
	TargetURL             string `json:"targetUrl"`
	MaxConcurrentRequests int    `json:"maxConcurrentRequests"`
}

type webhookSubscriptions struct {
	CRMObjects []subscription `json:"crmObjects"`
	HubEvents  []subscription `json:"hubEvents"`
}

type subscription struct {
	SubscriptionType string `json:"subscriptionType"`
	ObjectType       string `json:"objectType,omitempty"`
	PropertyName     string `json:"propertyName,omitempty"`
	Active           bool   `json:"active"`
}

// Generate returns the project's files for s, in a fixed order, or an error naming what is wrong with s.
func Generate(s Spec) ([]File, error) {
	public, err := CheckPublicURL(s.PublicURL)
	if err != nil {
		return nil, err
	}
	s.PublicURL = public
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.MaxConcurrentRequests == 0 {
		s.MaxConcurrentRequests = DefaultMaxConcurrentRequests
	}
	redirect, target := s.PublicURL+s.CallbackPath, s.PublicURL+s.WebhookPath

	app := component[appConfig]{UID: s.AppUID, Type: "app", Config: appConfig{
		Name: s.Name, Description: s.Description, Distribution: s.Distribution,
		Auth: appAuth{Type: "oauth", RedirectURLs: []string{redirect}, RequiredScopes: list(s.RequiredScopes),
			OptionalScopes: list(s.OptionalScopes), ConditionallyRequiredScopes: []string{}},
		// The gateway's own origin: an app card's hubspot.fetch calls may go there and nowhere else.
		PermittedURLs: permittedURLs{Fetch: []string{s.PublicURL}, Iframe: []string{}, Img: []string{}},
	}}
	if !s.Support.empty() {
		app.Config.Support = &s.Support
	}

	objects := []subscription{}
	for _, t := range s.Webhooks.Events {
		objects = append(objects, subscription{SubscriptionType: t, ObjectType: s.Webhooks.ObjectType, Active: true})
	}
	for _, p := range s.Webhooks.Properties {
		objects = append(objects, subscription{SubscriptionType: "object.propertyChange", ObjectType: s.Webhooks.ObjectType, PropertyName: p, Active: true})
	}
	hub := []subscription{}
	for _, t := range s.Webhooks.HubEvents {
		hub = append(hub, subscription{SubscriptionType: t, Active: true})
	}
	hooks := component[webhooksConfig]{UID: s.WebhooksUID, Type: "webhooks", Config: webhooksConfig{
		Settings:      webhookSettings{TargetURL: target, MaxConcurrentRequests: s.MaxConcurrentRequests},
		Subscriptions: webhookSubscriptions{CRMObjects: objects, HubEvents: hub},
	}}

	exp := Expectations{
		About:     "Written by `convrs hubspot-app`: what the gateway requires of its HubSpot app. Not part of the uploaded project; the tests read the project with HubSpot's parser and compare it with this.",
		PublicURL: s.PublicURL, Distribution: s.Distribution, RedirectURL: redirect,
		RequiredScopes: list(s.RequiredScopes), OptionalScopes: list(s.OptionalScopes), WebhookTargetURL: target,
		Webhooks: Webhooks{ObjectType: s.Webhooks.ObjectType, Events: list(s.Webhooks.Events), Properties: list(s.Webhooks.Properties), HubEvents: list(s.Webhooks.HubEvents)},
	}

	var files []File
	for _, f := range []struct {
		path string
		v    any
	}{
		{ProjectFile, project{Name: s.ProjectName, SrcDir: SourceDir, PlatformVersion: PlatformVersion}},
		{AppFile, app},
		{WebhooksFile, hooks},
		{ExpectationsFile, exp},
	} {
		b, err := encode(f.v)
		if err != nil {
			return nil, fmt.Errorf("hubspotapp: %s: %w", f.path, err)
		}
		files = append(files, File{Path: f.path, Content: b})
	}
	if s.CardFetchPath != "" {
		files = append(files, File{Path: CardGatewayFile, Content: cardGateway(s.PublicURL, s.CardFetchPath)})
	}
	return files, nil
}

// cardGateway is the TypeScript module the card imports: string literals written as JSON strings, which are
// valid TypeScript strings whatever they hold.
func cardGateway(publicURL, path string) []byte {
	q := func(v string) string { b, _ := json.Marshal(v); return string(b) }
	return []byte("// Written by `convrs hubspot-app`: the gateway this card calls (its PUBLIC_URL, the app's permittedUrls.fetch).\n" +
		"// Regenerate with the deployment's own --public-url before `hs project upload`; do not edit by hand.\n" +
		"export const GATEWAY_URL = " + q(publicURL) + ";\n" +
		"export const CONVERSATIONS_PATH = " + q(path) + ";\n")
}

// ExpectationsOf returns the Expectations file's content among files.
func ExpectationsOf(files []File) []byte {
	for _, f := range files {
		if f.Path == ExpectationsFile {
			return f.Content
		}
	}
	return nil
}

// Write writes files under dir, creating directories as needed; other files in dir are left as they are.
func Write(dir string, files []File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("hubspotapp: write: %w", err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return fmt.Errorf("hubspotapp: write: %w", err)
		}
	}
	return nil
}

// CheckPublicURL returns the gateway's public URL without a trailing slash, or why HubSpot cannot use it:
// it must be absolute, https (http only on localhost or 127.0.0.1, for development), with no user, query or
// fragment.
func CheckPublicURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("hubspotapp: --public-url is required: the gateway's public address (its PUBLIC_URL), e.g. https://convrs.example.com")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("hubspotapp: public URL %q is not an absolute http(s) URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#") {
		return "", fmt.Errorf("hubspotapp: public URL %q must not carry a user, query or fragment", raw)
	}
	if u.Scheme == "http" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		return "", fmt.Errorf("hubspotapp: public URL %q must use https (HubSpot calls it from the internet; http is only for localhost or 127.0.0.1 in development)", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

func (s Spec) check() error {
	switch s.Distribution {
	case DistributionMarketplace, DistributionPrivate:
	default:
		return fmt.Errorf("hubspotapp: distribution %q must be %s or %s", s.Distribution, DistributionMarketplace, DistributionPrivate)
	}
	if s.Name == "" || strings.TrimSpace(s.Name) != s.Name || len(s.Name) > 200 {
		return fmt.Errorf("hubspotapp: app name %q must be 1 to 200 characters without surrounding spaces", s.Name)
	}
	if s.Description == "" || len(s.Description) > 8192 {
		return errors.New("hubspotapp: app description must be 1 to 8192 characters")
	}
	if s.ProjectName == "" {
		return errors.New("hubspotapp: project name is required")
	}
	for _, uid := range []string{s.AppUID, s.WebhooksUID} {
		if !validUID(uid) {
			return fmt.Errorf("hubspotapp: uid %q must be 1 to 64 letters, digits, _, - or .", uid)
		}
	}
	if s.AppUID == s.WebhooksUID {
		return errors.New("hubspotapp: the app and webhooks components need distinct uids")
	}
	if len(s.RequiredScopes) == 0 {
		return errors.New("hubspotapp: no required scopes")
	}
	for _, sc := range append(slices.Clone(s.RequiredScopes), s.OptionalScopes...) {
		if sc == "" || strings.ContainsAny(sc, " \t\n") {
			return fmt.Errorf("hubspotapp: scope %q is not a scope name", sc)
		}
	}
	paths := []string{s.CallbackPath, s.WebhookPath}
	if s.CardFetchPath != "" {
		paths = append(paths, s.CardFetchPath)
	}
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("hubspotapp: path %q must start with /", p)
		}
	}
	if s.Webhooks.ObjectType == "" && (len(s.Webhooks.Events) > 0 || len(s.Webhooks.Properties) > 0) {
		return errors.New("hubspotapp: webhook subscriptions need an object type")
	}
	for _, t := range s.Webhooks.Events {
		if !strings.HasPrefix(t, "object.") || t == "object.propertyChange" {
			return fmt.Errorf("hubspotapp: webhook event %q must be a generic object.* type (property changes are listed as properties)", t)
		}
	}
	if n := s.MaxConcurrentRequests; n != 0 && n < minConcurrentRequests {
		return fmt.Errorf("hubspotapp: max concurrent webhook requests %d is below HubSpot's minimum of %d", n, minConcurrentRequests)
	}
	if e := s.Support.Email; e != "" && (!strings.Contains(e, "@") || strings.ContainsAny(e, " \t")) {
		return fmt.Errorf("hubspotapp: support email %q is not an email address", e)
	}
	for _, u := range []string{s.Support.URL, s.Support.DocumentationURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
			return fmt.Errorf("hubspotapp: support URL %q must be an https URL", u)
		}
	}
	return nil
}

func validUID(uid string) bool {
	if uid == "" || len(uid) > 64 {
		return false
	}
	for _, r := range uid {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// list is l, or an empty list (written [] rather than null).
func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return slices.Clone(l)
}

// encode is indented JSON with a trailing newline, without HTML escapes (URLs keep their & as is).
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
