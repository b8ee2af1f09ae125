package hubspotapp_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convrs/gateway/hubspotapp"
)

func spec() hubspotapp.Spec {
	return hubspotapp.Spec{
		PublicURL: "https://gw.example.com", Distribution: hubspotapp.DistributionMarketplace,
		ProjectName: "p", AppUID: "app", WebhooksUID: "hooks", Name: "App", Description: "Does things.",
		RequiredScopes: []string{"oauth", "crm.objects.contacts.read"}, CallbackPath: "/cb", WebhookPath: "/hooks",
		Webhooks: hubspotapp.Webhooks{ObjectType: "contact", Events: []string{"object.deletion"}, Properties: []string{"email"},
			HubEvents: []string{"contact.privacyDeletion"}},
	}
}

func TestGenerateIsDeterministicJSON(t *testing.T) {
	a, err := hubspotapp.Generate(spec())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hubspotapp.Generate(spec())
	var paths []string
	for i, f := range a {
		paths = append(paths, f.Path)
		if !bytes.Equal(f.Content, b[i].Content) || f.Path != b[i].Path {
			t.Errorf("%s differs between two runs", f.Path)
		}
		if !bytes.HasSuffix(f.Content, []byte("}\n")) || bytes.HasSuffix(f.Content, []byte("\n\n")) {
			t.Errorf("%s does not end with one newline", f.Path)
		}
		if !json.Valid(f.Content) {
			t.Errorf("%s is not JSON", f.Path)
		}
		if bytes.Contains(f.Content, []byte("null")) {
			t.Errorf("%s holds a null (empty lists are written []):\n%s", f.Path, f.Content)
		}
	}
	if got := strings.Join(paths, " "); got != "hsproject.json src/app/app-hsmeta.json src/app/webhooks/webhooks-hsmeta.json gateway.json" {
		t.Errorf("files = %s", got)
	}
	var proj map[string]string
	if err := json.Unmarshal(a[0].Content, &proj); err != nil || proj["platformVersion"] != "2026.03" || proj["srcDir"] != "src" || proj["name"] != "p" {
		t.Errorf("hsproject.json = %s", a[0].Content)
	}
	// A URL with & is written as is, not as \u0026.
	s := spec()
	s.Support.DocumentationURL = "https://docs.example.com/a?b=1&c=2"
	files, err := hubspotapp.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(files[1].Content, []byte("b=1&c=2")) {
		t.Errorf("support URL escaped:\n%s", files[1].Content)
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*hubspotapp.Spec)
		want   string
	}{
		{"no public URL", func(s *hubspotapp.Spec) { s.PublicURL = "" }, "--public-url is required"},
		{"plain http elsewhere than localhost", func(s *hubspotapp.Spec) { s.PublicURL = "http://gw.example.com" }, "must use https"},
		{"relative", func(s *hubspotapp.Spec) { s.PublicURL = "/gw" }, "not an absolute"},
		{"ftp", func(s *hubspotapp.Spec) { s.PublicURL = "ftp://gw.example.com" }, "not an absolute http(s) URL"},
		{"user", func(s *hubspotapp.Spec) { s.PublicURL = "https://a:b@gw.example.com" }, "user, query or fragment"},
		{"fragment", func(s *hubspotapp.Spec) { s.PublicURL = "https://gw.example.com#x" }, "user, query or fragment"},
		{"distribution", func(s *hubspotapp.Spec) { s.Distribution = "" }, "must be marketplace or private"},
		{"name with spaces around", func(s *hubspotapp.Spec) { s.Name = " App" }, "app name"},
		{"uid", func(s *hubspotapp.Spec) { s.AppUID = "my app" }, `uid "my app"`},
		{"same uids", func(s *hubspotapp.Spec) { s.WebhooksUID = s.AppUID }, "distinct uids"},
		{"no scopes", func(s *hubspotapp.Spec) { s.RequiredScopes = nil }, "no required scopes"},
		{"scope with a space", func(s *hubspotapp.Spec) { s.RequiredScopes = []string{"a b"} }, "not a scope name"},
		{"path", func(s *hubspotapp.Spec) { s.CallbackPath = "cb" }, "must start with /"},
		{"classic event among generic ones", func(s *hubspotapp.Spec) { s.Webhooks.Events = []string{"contact.deletion"} }, "generic object.* type"},
		{"concurrency", func(s *hubspotapp.Spec) { s.MaxConcurrentRequests = 4 }, "minimum of 5"},
		{"support email", func(s *hubspotapp.Spec) { s.Support.Email = "nobody" }, "not an email address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := spec()
			tc.change(&s)
			if _, err := hubspotapp.Generate(s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	for _, ok := range []string{"http://localhost:8080", "http://127.0.0.1", "https://gw.example.com/convrs/"} {
		s := spec()
		s.PublicURL = ok
		files, err := hubspotapp.Generate(s)
		if err != nil {
			t.Errorf("%s: %v", ok, err)
			continue
		}
		if bytes.Contains(files[1].Content, []byte("//cb")) {
			t.Errorf("%s: the trailing slash doubled in the redirect URL:\n%s", ok, files[1].Content)
		}
	}
}

func TestWriteKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	card := filepath.Join(dir, "src", "app", "cards", "Card.tsx")
	if err := os.MkdirAll(filepath.Dir(card), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(card, []byte("hand-written"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := hubspotapp.Generate(spec())
	if err != nil {
		t.Fatal(err)
	}
	if err := hubspotapp.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(got, f.Content) {
			t.Errorf("%s not written: %v", f.Path, err)
		}
	}
	if got, _ := os.ReadFile(card); string(got) != "hand-written" {
		t.Error("Write changed a file it does not own")
	}
}

// With a card path, the card's gateway module is written with the same origin as permittedUrls.fetch.
func TestGenerateCardGateway(t *testing.T) {
	s := spec()
	s.CardFetchPath = "/card"
	files, err := hubspotapp.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	last := files[len(files)-1]
	if last.Path != hubspotapp.CardGatewayFile {
		t.Fatalf("last file = %s", last.Path)
	}
	for _, want := range []string{`export const GATEWAY_URL = "https://gw.example.com";`, `export const CONVERSATIONS_PATH = "/card";`} {
		if !strings.Contains(string(last.Content), want) {
			t.Errorf("%s lacks %s:\n%s", last.Path, want, last.Content)
		}
	}
	s.CardFetchPath = "card"
	if _, err := hubspotapp.Generate(s); err == nil || !strings.Contains(err.Error(), "must start with /") {
		t.Errorf("a relative card path: %v", err)
	}
}
