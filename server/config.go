package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/convrs/gateway/hubspot"
)

// Config is the gateway's configuration, read from environment variables (see the README's table).
type Config struct {
	Env  string // "development" or "production"
	Port int
	// ListenAddr is where the gateway listens: loopback in development unless told otherwise.
	ListenAddr string
	PublicURL  string
	DataDir    string
	// MetricsAddr serves /metrics on its own listener; empty means not at all.
	MetricsAddr string
	// FrameAncestors are the origins allowed to frame the console, besides the gateway's own.
	FrameAncestors []string
	// DatabaseURL is "postgres://…" or "sqlite://PATH".
	DatabaseURL string
	// RedisURL, when set, shares cache, locks, rate limits and pub/sub through Redis; unset, they are in-process.
	RedisURL      string
	SessionSecret []byte
	EncryptionKey []byte

	HubspotClientID     string
	HubspotClientSecret string
	HubspotAPIURL       string
	HubspotAppURL       string
	// HubspotAPIVersion is the date-based version of HubSpot's CRM APIs the gateway calls (YYYY-03 or YYYY-09).
	HubspotAPIVersion string
	// HubspotSimAddr is where development mode serves the HubSpot simulator when no HubSpot app is configured.
	HubspotSimAddr string
	// HubspotSimLegacyAPIsOff retires the simulator's legacy paths (OAuth v1/v3, CRM v3/v4, account-info v3)
	// as HubSpot will: HUBSPOT_SIM_LEGACY_APIS=off (default on).
	HubspotSimLegacyAPIsOff bool
	// HubspotSimWebhooks is the form of the simulator's webhook subscriptions: "object" (generic object.* with
	// contact.privacyDeletion, as the shipped HubSpot project subscribes; the default) or "contact" (the
	// legacy contact.* form of older apps), from HUBSPOT_SIM_WEBHOOKS.
	HubspotSimWebhooks string
	LogLevel           string
	// WebsocketCaps raise (or lower) the live-update connection caps, 0 meaning graph's default:
	// WS_MAX_CONNECTIONS (per process, 1000), WS_MAX_CONNECTIONS_PER_WORKSPACE (300),
	// WS_MAX_CONNECTIONS_PER_STAFF (20), WS_MAX_CONNECTIONS_PER_ADDRESS (200). A process serving 2,000 agents
	// needs WS_MAX_CONNECTIONS=2000 and a workspace cap to match.
	WebsocketCaps WebsocketCaps
}

// WebsocketCaps are the websocket connection caps of graph.ServerOptions.
type WebsocketCaps struct {
	Process, Workspace, Staff, Address int
}

// Development reports whether the gateway runs in development mode (generated secrets, the simulator, the demo
// sign-in page and seed data).
func (c *Config) Development() bool { return c.Env == "development" }

// UseSimulator reports whether the gateway serves and uses its own HubSpot simulator.
func (c *Config) UseSimulator() bool { return c.Development() && c.HubspotClientID == "" }

// ConfigError names the variable at fault.
type ConfigError struct {
	Var, Problem string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("config: %s: %s", e.Var, e.Problem) }

// LoadConfig reads the configuration from getenv. APP_ENV defaults to production, so a gateway deployed without
// it refuses to start without its secrets instead of serving the passwordless demo sign-in. In development mode
// a missing SESSION_SECRET or ENCRYPTION_KEY is generated once and kept in DATA_DIR/secrets.json; in production
// every secret is required.
func LoadConfig(getenv func(string) string) (*Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Env:                 get("APP_ENV", "production"),
		DataDir:             get("DATA_DIR", "./data"),
		RedisURL:            get("REDIS_URL", ""),
		HubspotClientID:     get("HUBSPOT_CLIENT_ID", ""),
		HubspotClientSecret: get("HUBSPOT_CLIENT_SECRET", ""),
		HubspotAPIVersion:   get("HUBSPOT_API_VERSION", hubspot.DefaultAPIVersion),
		HubspotSimAddr:      get("HUBSPOT_SIM_ADDR", "127.0.0.1:8081"),
		LogLevel:            get("LOG_LEVEL", "info"),
	}
	if c.Env != "development" && c.Env != "production" {
		return nil, &ConfigError{"APP_ENV", fmt.Sprintf("%q must be development or production", c.Env)}
	}
	port, err := strconv.Atoi(get("PORT", "8080"))
	if err != nil || port < 1 || port > 65535 {
		return nil, &ConfigError{"PORT", fmt.Sprintf("%q is not a port number (1-65535)", getenv("PORT"))}
	}
	c.Port = port
	listenHost := "" // every interface
	if c.Development() {
		listenHost = "127.0.0.1"
	}
	c.ListenAddr = get("LISTEN_ADDR", net.JoinHostPort(listenHost, strconv.Itoa(port)))
	if err := checkAddr(c.ListenAddr); err != nil {
		return nil, &ConfigError{"LISTEN_ADDR", err.Error()}
	}
	metricsDefault := "off"
	if c.Development() {
		metricsDefault = "127.0.0.1:9090"
	}
	if c.MetricsAddr = get("METRICS_ADDR", metricsDefault); c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	} else if err := checkAddr(c.MetricsAddr); err != nil {
		return nil, &ConfigError{"METRICS_ADDR", err.Error() + ` (or "off")`}
	}
	for _, o := range strings.Fields(getenv("FRAME_ANCESTORS")) {
		if err := checkOrigin(o); err != nil {
			return nil, &ConfigError{"FRAME_ANCESTORS", err.Error()}
		}
		c.FrameAncestors = append(c.FrameAncestors, strings.TrimRight(o, "/"))
	}
	c.PublicURL = strings.TrimRight(get("PUBLIC_URL", fmt.Sprintf("http://localhost:%d", port)), "/")
	if err := checkURL(c.PublicURL, "http", "https"); err != nil {
		return nil, &ConfigError{"PUBLIC_URL", err.Error()}
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{{"WS_MAX_CONNECTIONS", &c.WebsocketCaps.Process}, {"WS_MAX_CONNECTIONS_PER_WORKSPACE", &c.WebsocketCaps.Workspace},
		{"WS_MAX_CONNECTIONS_PER_STAFF", &c.WebsocketCaps.Staff}, {"WS_MAX_CONNECTIONS_PER_ADDRESS", &c.WebsocketCaps.Address}} {
		if raw := get(v.name, ""); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 {
				return nil, &ConfigError{v.name, fmt.Sprintf("%q is not a positive number", raw)}
			}
			*v.dst = n
		}
	}
	c.DatabaseURL = get("DATABASE_URL", "sqlite://"+filepath.Join(c.DataDir, "convrs.db"))
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return nil, &ConfigError{"DATABASE_URL", "must start with sqlite://, postgres:// or postgresql://"}
	}
	if c.RedisURL != "" {
		if err := checkURL(c.RedisURL, "redis", "rediss"); err != nil {
			return nil, &ConfigError{"REDIS_URL", err.Error()}
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, &ConfigError{"LOG_LEVEL", fmt.Sprintf("%q must be debug, info, warn or error", c.LogLevel)}
	}
	switch v := get("HUBSPOT_SIM_LEGACY_APIS", "on"); v {
	case "on":
	case "off":
		c.HubspotSimLegacyAPIsOff = true
	default:
		return nil, &ConfigError{"HUBSPOT_SIM_LEGACY_APIS", fmt.Sprintf("%q must be on or off", v)}
	}
	switch v := get("HUBSPOT_SIM_WEBHOOKS", "object"); v {
	case "contact", "object":
		c.HubspotSimWebhooks = v
	default:
		return nil, &ConfigError{"HUBSPOT_SIM_WEBHOOKS", fmt.Sprintf("%q must be contact or object", v)}
	}
	if (c.HubspotClientID == "") != (c.HubspotClientSecret == "") {
		return nil, &ConfigError{"HUBSPOT_CLIENT_SECRET", "HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET must be set together"}
	}
	if c.UseSimulator() {
		base := "http://" + c.HubspotSimAddr
		c.HubspotAPIURL, c.HubspotAppURL = get("HUBSPOT_API_URL", base), get("HUBSPOT_APP_URL", base)
	} else {
		c.HubspotAPIURL = get("HUBSPOT_API_URL", "https://api.hubapi.com")
		c.HubspotAppURL = get("HUBSPOT_APP_URL", "https://app.hubspot.com")
	}
	for _, v := range []struct{ name, val string }{{"HUBSPOT_API_URL", c.HubspotAPIURL}, {"HUBSPOT_APP_URL", c.HubspotAppURL}} {
		if err := checkURL(v.val, "http", "https"); err != nil {
			return nil, &ConfigError{v.name, err.Error()}
		}
	}
	if err := hubspot.ValidateAPIVersion(c.HubspotAPIVersion); err != nil {
		return nil, &ConfigError{"HUBSPOT_API_VERSION", fmt.Sprintf("%q must be a HubSpot API version, YYYY-03 or YYYY-09 (e.g. %s)",
			c.HubspotAPIVersion, hubspot.DefaultAPIVersion)}
	}

	var dev *devSecrets
	if c.Development() {
		if dev, err = loadDevSecrets(c.DataDir); err != nil {
			return nil, &ConfigError{"DATA_DIR", err.Error()}
		}
	} else {
		for _, k := range []string{"SESSION_SECRET", "ENCRYPTION_KEY", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "PUBLIC_URL", "DATABASE_URL"} {
			if strings.TrimSpace(getenv(k)) == "" {
				return nil, &ConfigError{k, "required in production (APP_ENV=production, the default; set APP_ENV=development for the demo)"}
			}
		}
	}
	if v := getenv("SESSION_SECRET"); v != "" {
		if len(v) < 32 {
			return nil, &ConfigError{"SESSION_SECRET", "must be at least 32 characters"}
		}
		c.SessionSecret = []byte(v)
	} else {
		c.SessionSecret = []byte(dev.SessionSecret)
	}
	keyText := getenv("ENCRYPTION_KEY")
	if keyText == "" {
		keyText = dev.EncryptionKey
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keyText))
	if err != nil || len(key) != 32 {
		return nil, &ConfigError{"ENCRYPTION_KEY", "must be 32 bytes, base64-encoded (openssl rand -base64 32)"}
	}
	c.EncryptionKey = key
	return c, nil
}

func checkURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return nil
		}
	}
	return fmt.Errorf("%q must use %s", raw, strings.Join(schemes, " or "))
}

// checkAddr accepts host:port with a numeric port (host may be empty: every interface).
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		var n int
		if n, err = strconv.Atoi(port); err == nil && (n < 0 || n > 65535) {
			err = errors.New("port out of range")
		}
	}
	if err != nil {
		return fmt.Errorf("%q is not host:port (e.g. 127.0.0.1:8080 or :8080)", addr)
	}
	return nil
}

// checkOrigin accepts a CSP source origin: http(s)://host[:port], host possibly starting with "*.".
func checkOrigin(o string) error {
	u, err := url.Parse(strings.TrimRight(o, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
		strings.ContainsAny(u.Host, " ;,'\"") {
		return fmt.Errorf("%q is not an origin like https://host.example.com", o)
	}
	return nil
}

type devSecrets struct {
	SessionSecret string `json:"sessionSecret"`
	EncryptionKey string `json:"encryptionKey"`
}

// loadDevSecrets returns the development secrets kept in dir, generating them on first use. Keeping them means
// sessions and encrypted tokens survive restarts of `make run`.
func loadDevSecrets(dir string) (*devSecrets, error) {
	path := filepath.Join(dir, "secrets.json")
	b, err := os.ReadFile(path)
	if err == nil {
		var s devSecrets
		if err := json.Unmarshal(b, &s); err != nil || s.SessionSecret == "" || s.EncryptionKey == "" {
			return nil, fmt.Errorf("%s is damaged; delete it to generate new development secrets", path)
		}
		return &s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	s := &devSecrets{SessionSecret: randomBase64(48), EncryptionKey: randomBase64(32)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b, _ = json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	return s, nil
}

func randomBase64(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// secureFiles keeps the gateway's files out of other local users' reach before the database opens: an
// existing DATA_DIR with group or world access is narrowed to 0700, and a SQLite database is created 0600
// (SQLite gives its -wal and -shm files the database file's mode) or narrowed to it.
func secureFiles(cfg *Config) error {
	if info, err := os.Stat(cfg.DataDir); err == nil && info.IsDir() && info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(cfg.DataDir, info.Mode().Perm()&0o700); err != nil {
			return &ConfigError{"DATA_DIR", fmt.Sprintf("%s is readable by other users and cannot be restricted: %v", cfg.DataDir, err)}
		}
	}
	path, ok := sqlitePath(cfg.DatabaseURL)
	if !ok {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &ConfigError{"DATABASE_URL", err.Error()}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		return f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return &ConfigError{"DATABASE_URL", err.Error()}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if info, err := os.Stat(p); err == nil && info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, info.Mode().Perm()&0o600); err != nil {
				return &ConfigError{"DATABASE_URL", fmt.Sprintf("%s is readable by other users and cannot be restricted: %v", p, err)}
			}
		}
	}
	return nil
}

// sqlitePath is the file of a sqlite:// database URL; false for PostgreSQL and in-memory databases.
func sqlitePath(dbURL string) (string, bool) {
	if !strings.HasPrefix(dbURL, "sqlite://") {
		return "", false
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dbURL, "sqlite://"), "?")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return "", false
	}
	return path, true
}
