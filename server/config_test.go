package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// env returns a getenv reading the given name, value pairs.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// devEnv is env in development mode (APP_ENV defaults to production).
func devEnv(kv ...string) func(string) string {
	return env(append([]string{"APP_ENV", "development"}, kv...)...)
}

var testEncryptionKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))

// productionEnv is a complete production configuration, in the order LoadConfig requires the variables.
func productionEnv(dir string) []string {
	return []string{
		"APP_ENV", "production",
		"DATA_DIR", dir,
		"SESSION_SECRET", strings.Repeat("p", 40),
		"ENCRYPTION_KEY", testEncryptionKey,
		"HUBSPOT_CLIENT_ID", "client-id",
		"HUBSPOT_CLIENT_SECRET", "client-secret",
		"PUBLIC_URL", "https://convrs.example.com/",
		"DATABASE_URL", "sqlite://" + filepath.Join(dir, "prod.db"),
	}
}

func TestLoadConfigDevelopmentDefaults(t *testing.T) {
	dir := t.TempDir()
	cfg, err := LoadConfig(devEnv("DATA_DIR", dir))
	if err != nil {
		t.Fatal(err)
	}
	got := *cfg
	got.SessionSecret, got.EncryptionKey = nil, nil
	want := Config{
		Env: "development", Port: 8080, ListenAddr: "127.0.0.1:8080", MetricsAddr: "127.0.0.1:9090", PublicURL: "http://localhost:8080", DataDir: dir,
		DatabaseURL:   "sqlite://" + filepath.Join(dir, "convrs.db"),
		HubspotAPIURL: "http://127.0.0.1:8081", HubspotAppURL: "http://127.0.0.1:8081", HubspotSimAddr: "127.0.0.1:8081", HubspotSimWebhooks: "object",
		HubspotAPIVersion: "2026-03", LogLevel: "info",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("development defaults (-want +got):\n%s", diff)
	}
	if !cfg.Development() || !cfg.UseSimulator() {
		t.Errorf("Development() = %v, UseSimulator() = %v; want both", cfg.Development(), cfg.UseSimulator())
	}
	if len(cfg.SessionSecret) < 32 || len(cfg.EncryptionKey) != 32 {
		t.Errorf("generated secrets: session %d bytes, encryption key %d bytes", len(cfg.SessionSecret), len(cfg.EncryptionKey))
	}

	path := filepath.Join(dir, "secrets.json")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("secrets.json mode = %v, want 0600", mode)
	}
	var saved devSecrets
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &saved) != nil {
		t.Fatalf("read secrets.json: %v", err)
	}
	if saved.SessionSecret != string(cfg.SessionSecret) {
		t.Error("secrets.json does not hold the session secret in use")
	}

	again, err := LoadConfig(devEnv("DATA_DIR", dir))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.SessionSecret, cfg.SessionSecret) || !bytes.Equal(again.EncryptionKey, cfg.EncryptionKey) {
		t.Error("the second load generated new secrets instead of reusing secrets.json")
	}
	other, err := LoadConfig(devEnv("DATA_DIR", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.SessionSecret, cfg.SessionSecret) {
		t.Error("two data directories got the same generated session secret")
	}
}

func TestLoadConfigDevelopmentOverrides(t *testing.T) {
	dir := t.TempDir()
	cfg, err := LoadConfig(devEnv("DATA_DIR", dir, "PORT", "9090", "SESSION_SECRET", strings.Repeat("s", 32), "ENCRYPTION_KEY", testEncryptionKey,
		"HUBSPOT_SIM_ADDR", "127.0.0.1:9999", "REDIS_URL", "redis://cache:6379/1", "LOG_LEVEL", "debug", "HUBSPOT_API_VERSION", "2026-09"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 9090 || cfg.PublicURL != "http://localhost:9090" || string(cfg.SessionSecret) != strings.Repeat("s", 32) ||
		!bytes.Equal(cfg.EncryptionKey, bytes.Repeat([]byte{9}, 32)) || cfg.HubspotAPIURL != "http://127.0.0.1:9999" ||
		cfg.RedisURL != "redis://cache:6379/1" || cfg.LogLevel != "debug" || cfg.HubspotAPIVersion != "2026-09" {
		t.Errorf("config = %+v", cfg)
	}

	// A real HubSpot app replaces the simulator.
	cfg, err = LoadConfig(devEnv("DATA_DIR", dir, "HUBSPOT_CLIENT_ID", "id", "HUBSPOT_CLIENT_SECRET", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UseSimulator() || cfg.HubspotAPIURL != "https://api.hubapi.com" || cfg.HubspotAppURL != "https://app.hubspot.com" {
		t.Errorf("with a HubSpot app: simulator %v, API %s, app %s", cfg.UseSimulator(), cfg.HubspotAPIURL, cfg.HubspotAppURL)
	}
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     []string
		wantVar string
	}{
		{"port not a number", []string{"PORT", "abc"}, "PORT"},
		{"port out of range", []string{"PORT", "70000"}, "PORT"},
		{"mysql", []string{"DATABASE_URL", "mysql://root@localhost/convrs"}, "DATABASE_URL"},
		{"redis over http", []string{"REDIS_URL", "http://x"}, "REDIS_URL"},
		{"short encryption key", []string{"ENCRYPTION_KEY", "short"}, "ENCRYPTION_KEY"},
		{"encryption key of 16 bytes", []string{"ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(make([]byte, 16))}, "ENCRYPTION_KEY"},
		{"short session secret", []string{"SESSION_SECRET", "short"}, "SESSION_SECRET"},
		{"staging", []string{"APP_ENV", "staging"}, "APP_ENV"},
		{"client ID without secret", []string{"HUBSPOT_CLIENT_ID", "id"}, "HUBSPOT_CLIENT_SECRET"},
		{"client secret without ID", []string{"HUBSPOT_CLIENT_SECRET", "secret"}, "HUBSPOT_CLIENT_SECRET"},
		{"simulator legacy APIs neither on nor off", []string{"HUBSPOT_SIM_LEGACY_APIS", "false"}, "HUBSPOT_SIM_LEGACY_APIS"},
		{"simulator webhooks of an unknown form", []string{"HUBSPOT_SIM_WEBHOOKS", "generic"}, "HUBSPOT_SIM_WEBHOOKS"},
		{"public URL not absolute", []string{"PUBLIC_URL", "convrs.example.com"}, "PUBLIC_URL"},
		{"public URL over ftp", []string{"PUBLIC_URL", "ftp://convrs.example.com"}, "PUBLIC_URL"},
		{"log level", []string{"LOG_LEVEL", "verbose"}, "LOG_LEVEL"},
		{"HubSpot API URL", []string{"HUBSPOT_API_URL", "api.hubapi.com"}, "HUBSPOT_API_URL"},
		{"HubSpot API version v3", []string{"HUBSPOT_API_VERSION", "v3"}, "HUBSPOT_API_VERSION"},
		{"HubSpot API version not a release month", []string{"HUBSPOT_API_VERSION", "2026-04"}, "HUBSPOT_API_VERSION"},
		{"HubSpot API version beta", []string{"HUBSPOT_API_VERSION", "2026-09-beta"}, "HUBSPOT_API_VERSION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := LoadConfig(devEnv(append([]string{"DATA_DIR", dir}, tc.env...)...))
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != tc.wantVar || !strings.Contains(err.Error(), tc.wantVar) {
				t.Fatalf("error = %v, want a ConfigError naming %s", err, tc.wantVar)
			}
			if strings.HasPrefix(tc.wantVar, "HUBSPOT_CLIENT") && !strings.Contains(err.Error(), "HUBSPOT_CLIENT_ID") {
				t.Errorf("error %q does not name HUBSPOT_CLIENT_ID", err)
			}
		})
	}
}

func TestLoadConfigDamagedDevSecrets(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secrets.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(devEnv("DATA_DIR", dir))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Var != "DATA_DIR" || !strings.Contains(err.Error(), "secrets.json") {
		t.Fatalf("error = %v, want a DATA_DIR error naming secrets.json", err)
	}
}

func TestLoadConfigProduction(t *testing.T) {
	dir := t.TempDir()
	full := productionEnv(dir)
	cfg, err := LoadConfig(env(full...))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Development() || cfg.UseSimulator() || cfg.PublicURL != "https://convrs.example.com" || cfg.HubspotAPIURL != "https://api.hubapi.com" {
		t.Errorf("production config = %+v", cfg)
	}
	if _, err := os.Stat(filepath.Join(dir, "secrets.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("production wrote development secrets (stat: %v)", err)
	}

	// Each required variable, missing with everything after it: the error names the first missing one.
	required := []string{"SESSION_SECRET", "ENCRYPTION_KEY", "HUBSPOT_CLIENT_ID", "PUBLIC_URL", "DATABASE_URL"}
	for i, name := range required {
		t.Run("without "+name, func(t *testing.T) {
			missing := map[string]bool{}
			for _, later := range required[i:] {
				missing[later] = true
			}
			if missing["HUBSPOT_CLIENT_ID"] {
				missing["HUBSPOT_CLIENT_SECRET"] = true // set together or not at all
			}
			var kv []string
			for j := 0; j < len(full); j += 2 {
				if !missing[full[j]] {
					kv = append(kv, full[j], full[j+1])
				}
			}
			_, err := LoadConfig(env(kv...))
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != name || !strings.Contains(err.Error(), "production") {
				t.Fatalf("error = %v, want %s required in production", err, name)
			}
		})
	}
	t.Run("nothing but APP_ENV", func(t *testing.T) {
		_, err := LoadConfig(env("APP_ENV", "production", "DATA_DIR", t.TempDir()))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "SESSION_SECRET" {
			t.Fatalf("error = %v, want SESSION_SECRET first", err)
		}
	})
}

func TestLoadConfigWebsocketCaps(t *testing.T) {
	cfg, err := LoadConfig(devEnv("DATA_DIR", t.TempDir(), "WS_MAX_CONNECTIONS", "2500", "WS_MAX_CONNECTIONS_PER_WORKSPACE", "2400",
		"WS_MAX_CONNECTIONS_PER_STAFF", "50", "WS_MAX_CONNECTIONS_PER_ADDRESS", "3000"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (WebsocketCaps{Process: 2500, Workspace: 2400, Staff: 50, Address: 3000}); cfg.WebsocketCaps != want {
		t.Errorf("caps = %+v, want %+v", cfg.WebsocketCaps, want)
	}
	if _, err := LoadConfig(devEnv("DATA_DIR", t.TempDir(), "WS_MAX_CONNECTIONS", "lots")); err == nil || !strings.Contains(err.Error(), "WS_MAX_CONNECTIONS") {
		t.Errorf("WS_MAX_CONNECTIONS=lots: error %v, want one naming the variable", err)
	}
}
