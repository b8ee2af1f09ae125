package hubspot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Default OAuth origins.
const (
	DefaultAppURL = "https://app.hubspot.com"
	DefaultAPIURL = "https://api.hubapi.com"
)

// OAuthVersion is the date-based version of HubSpot's OAuth endpoints (the v1 endpoints end on 2027-02-16).
const OAuthVersion = "2026-03"

// The OAuth endpoints' paths on the API origin: the token (code exchange and refresh), introspection and
// revocation, all form-encoded with the client credentials in the body.
const (
	OAuthPathToken      = "/oauth/" + OAuthVersion + "/token"
	OAuthPathIntrospect = "/oauth/" + OAuthVersion + "/token/introspect"
	OAuthPathRevoke     = "/oauth/" + OAuthVersion + "/token/revoke"
)

// maxOAuthResponseBytes caps token and token-metadata answers (tokens are at most 512 characters).
const maxOAuthResponseBytes = 1 << 20

// OAuthConfig is a HubSpot public app's OAuth 2.0 configuration. Its token calls send the client
// credentials in the form body, as HubSpot requires.
type OAuthConfig struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string
	// Scopes must all be granted or the install fails.
	Scopes []string
	// OptionalScopes may be dropped by the installing user.
	OptionalScopes []string
	// AppURL is where the consent page lives (default https://app.hubspot.com).
	AppURL string
	// APIURL is the API origin for token calls (default https://api.hubapi.com).
	APIURL string
	// HTTPClient sends the OAuth calls (default http.DefaultClient). It must not add a bearer token.
	HTTPClient *http.Client
}

// Token is an OAuth token pair with what HubSpot says about it. Its String, GoString and LogValue hide the
// secrets, so it is safe in logs and %v; JSON (for a TokenStore) carries everything.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry"`
	// HubID is the portal the token belongs to.
	HubID int64 `json:"hub_id,omitempty"`
	// UserID is the HubSpot user who granted it (0 when the answer did not say).
	UserID int64 `json:"user_id,omitempty"`
	// Scopes are the granted scopes.
	Scopes []string `json:"scopes,omitempty"`
}

func (t Token) String() string {
	return fmt.Sprintf("hubspot.Token{HubID: %d, Expiry: %s, Scopes: %v, AccessToken: [redacted], RefreshToken: [redacted]}",
		t.HubID, t.Expiry.Format(time.RFC3339), t.Scopes)
}

// GoString keeps %#v from printing the secrets.
func (t Token) GoString() string { return t.String() }

// LogValue keeps slog from printing the secrets.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("hub_id", t.HubID), slog.Time("expiry", t.Expiry), slog.Any("scopes", t.Scopes))
}

// OAuth2 converts t for golang.org/x/oauth2.
func (t *Token) OAuth2() *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer", RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

// HasScopes reports whether every scope in want was granted, and lists those that were not.
func (t *Token) HasScopes(want []string) (missing []string, ok bool) {
	granted := map[string]bool{}
	for _, s := range t.Scopes {
		granted[s] = true
	}
	for _, s := range want {
		if !granted[s] {
			missing = append(missing, s)
		}
	}
	return missing, len(missing) == 0
}

// OAuthError is an error answer of an OAuth endpoint (token, introspect, revoke) in RFC 6749's shape with
// HubSpot's additions, e.g. HTTP 400 {"error":"invalid_grant","error_description":"…","status":"BAD_REFRESH_TOKEN",
// "message":"…"}.
type OAuthError struct {
	StatusCode    int
	Code          string // RFC 6749 "error": invalid_grant, invalid_client, ...
	Status        string // HubSpot's "status": BAD_REFRESH_TOKEN, BAD_AUTH_CODE, BAD_CLIENT_ID, ...
	Description   string
	Message       string
	CorrelationID string
}

func (e *OAuthError) Error() string {
	s := fmt.Sprintf("oauth %d", e.StatusCode)
	for _, part := range []string{e.Code, e.Status} {
		if part != "" {
			s += " " + part
		}
	}
	if d := cmp.Or(e.Description, e.Message); d != "" {
		s += ": " + d
	}
	return s
}

var permanentOAuthCodes = map[string]bool{
	"invalid_grant": true, "invalid_client": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "access_denied": true,
}

var permanentOAuthStatuses = map[string]bool{
	"BAD_REFRESH_TOKEN": true, "BAD_AUTH_CODE": true, "EXPIRED_AUTH_CODE": true, "BAD_CLIENT_ID": true,
	"BAD_CLIENT_SECRET": true, "BAD_REDIRECT_URI": true, "BAD_GRANT_TYPE": true, "BAD_SCOPES": true,
	"MISSING_REQUIRED_SCOPES": true,
}

// Permanent reports whether retrying cannot help: the grant or the client was rejected, so the user must
// reconnect. Rate limits and 5xx answers are not permanent.
func (e *OAuthError) Permanent() bool {
	switch {
	case e.StatusCode == http.StatusTooManyRequests, e.StatusCode == http.StatusRequestTimeout, e.StatusCode >= 500:
		return false
	case permanentOAuthCodes[e.Code], permanentOAuthStatuses[e.Status]:
		return true
	case e.StatusCode == http.StatusUnauthorized, e.StatusCode == http.StatusForbidden:
		return true
	}
	return false
}

func (c *OAuthConfig) appURL() string { return strings.TrimRight(cmp.Or(c.AppURL, DefaultAppURL), "/") }
func (c *OAuthConfig) apiURL() string { return strings.TrimRight(cmp.Or(c.APIURL, DefaultAPIURL), "/") }

func (c *OAuthConfig) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

func (c *OAuthConfig) oauth2Config() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.RedirectURL,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.appURL() + "/oauth/authorize",
			TokenURL:  c.apiURL() + OAuthPathToken,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// AuthCodeURL is the consent page URL. Scopes are space-separated and encoded as %20 (not "+"); a non-zero
// portalID preselects the account (/oauth/{portalID}/authorize).
func (c *OAuthConfig) AuthCodeURL(state string, portalID int64) string {
	path := "/oauth/authorize"
	if portalID != 0 {
		path = "/oauth/" + strconv.FormatInt(portalID, 10) + "/authorize"
	}
	params := [][2]string{{"client_id", c.ClientID}, {"redirect_uri", c.RedirectURL}, {"scope", strings.Join(c.Scopes, " ")}}
	if len(c.OptionalScopes) > 0 {
		params = append(params, [2]string{"optional_scope", strings.Join(c.OptionalScopes, " ")})
	}
	params = append(params, [2]string{"state", state})
	var b strings.Builder
	b.WriteString(c.appURL() + path)
	for i, p := range params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p[0] + "=" + queryEscape(p[1]))
	}
	return b.String()
}

// queryEscape escapes a query value with %20 for spaces (QueryEscape escapes a literal "+" as %2B, so the
// replacement only touches spaces).
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// Exchange trades an authorization code for tokens.
func (c *OAuthConfig) Exchange(ctx context.Context, code string) (*Token, error) {
	if code == "" {
		return nil, errors.New("hubspot: exchange code: empty code")
	}
	tok, err := c.oauth2Config().Exchange(c.ctx(ctx), code)
	if err != nil {
		return nil, fmt.Errorf("hubspot: exchange code: %w", tokenError(err))
	}
	return fromOAuth2(tok), nil
}

// Refresh gets a new access token. The answer's refresh token (the old one if HubSpot sends none) must be
// stored: rotation is not documented, so it may change. Errors are *OAuthError when HubSpot answered, else
// the transport's failure, with no "hubspot:" prefix: a TokenSource reports them inside a *RefreshError.
func (c *OAuthConfig) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, &OAuthError{Code: "invalid_grant", Status: "BAD_REFRESH_TOKEN", Description: "no refresh token"}
	}
	tok, err := c.oauth2Config().TokenSource(c.ctx(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, tokenError(err)
	}
	return fromOAuth2(tok), nil
}

func (c *OAuthConfig) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
}

// fromOAuth2 reads HubSpot's extra token fields (hub_id, user_id, scopes).
func fromOAuth2(tok *oauth2.Token) *Token {
	t := &Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Expiry: tok.Expiry}
	t.HubID, t.UserID = extraInt(tok, "hub_id"), extraInt(tok, "user_id")
	switch v := tok.Extra("scopes").(type) {
	case []any:
		for _, s := range v {
			if s, ok := s.(string); ok {
				t.Scopes = append(t.Scopes, s)
			}
		}
	case string:
		t.Scopes = strings.Fields(v)
	}
	if t.Scopes == nil {
		if v, ok := tok.Extra("scope").(string); ok {
			t.Scopes = strings.Fields(v)
		}
	}
	return t
}

// extraInt reads a numeric field of the token answer (a JSON number, or a string holding one).
func extraInt(tok *oauth2.Token, key string) int64 {
	switch v := tok.Extra(key).(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// tokenError turns an oauth2 error into *OAuthError when the endpoint answered, and strips the URL from
// transport errors.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return redactURLError(err)
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	e := newOAuthError(status, re.Body)
	e.Code = cmp.Or(re.ErrorCode, e.Code)
	e.Description = cmp.Or(re.ErrorDescription, e.Description)
	return e
}

// newOAuthError reads an OAuth error answer: RFC 6749's error and error_description, HubSpot's status,
// message and correlationId (or category, which its API-style errors carry instead of status).
func newOAuthError(status int, body []byte) *OAuthError {
	e := &OAuthError{StatusCode: status}
	var b struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		Status           string `json:"status"`
		Message          string `json:"message"`
		Category         string `json:"category"`
		CorrelationID    string `json:"correlationId"`
	}
	if json.Unmarshal(body, &b) != nil {
		return e // a proxy's page, not HubSpot's answer: the status says it all
	}
	e.Code, e.Description, e.Message, e.CorrelationID = b.Error, b.ErrorDescription, b.Message, b.CorrelationID
	e.Status = b.Status
	if e.Status == "" || e.Status == "error" {
		e.Status = cmp.Or(b.Category, e.Status)
	}
	return e
}

// redactURLError drops the URL from a *url.Error: OAuth metadata URLs contain tokens.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// Token type hints for Introspect and Revoke (RFC 7662 / RFC 7009 token_type_hint).
const (
	TokenTypeHintAccess  = "access_token"
	TokenTypeHintRefresh = "refresh_token"
)

// ErrTokenInactive: introspection says the token is not active (expired, revoked or unknown).
var ErrTokenInactive = errors.New("token is not active")

// TokenInfo is what HubSpot's introspection says about an access or refresh token. It never holds the token.
type TokenInfo struct {
	Active bool `json:"active"`
	// TokenUse is "access_token" or "refresh_token".
	TokenUse  string `json:"token_use"`
	TokenType string `json:"token_type,omitempty"`
	// User is the email of the user who installed the app, when HubSpot sends it.
	User      string   `json:"user,omitempty"`
	UserID    int64    `json:"user_id"`
	HubID     int64    `json:"hub_id"`
	HubDomain string   `json:"hub_domain,omitempty"`
	AppID     int64    `json:"app_id"`
	ClientID  string   `json:"client_id,omitempty"`
	Scopes    []string `json:"scopes"`
	// ExpiresIn is an access token's remaining lifetime in seconds.
	ExpiresIn int `json:"expires_in,omitempty"`
}

// Introspect asks HubSpot (POST /oauth/{OAuthVersion}/token/introspect) about a token: its portal, user and
// scopes. hint is TokenTypeHintAccess or TokenTypeHintRefresh. A token HubSpot does not call active is
// ErrTokenInactive; a refusal is an *OAuthError.
func (c *OAuthConfig) Introspect(ctx context.Context, token, hint string) (*TokenInfo, error) {
	if token == "" {
		return nil, errors.New("hubspot: introspect token: empty token")
	}
	info := new(TokenInfo)
	if err := c.postForm(ctx, OAuthPathIntrospect, c.tokenForm(token, hint), info); err != nil {
		return nil, fmt.Errorf("hubspot: introspect token: %w", err)
	}
	if !info.Active {
		return nil, fmt.Errorf("hubspot: introspect token: %w", ErrTokenInactive)
	}
	return info, nil
}

// AccessTokenInfo introspects an access token: the portal, user and scopes it was granted for.
func (c *OAuthConfig) AccessTokenInfo(ctx context.Context, accessToken string) (*TokenInfo, error) {
	return c.Introspect(ctx, accessToken, TokenTypeHintAccess)
}

// RefreshTokenInfo introspects a refresh token; a revoked one is ErrTokenInactive (or an *OAuthError).
func (c *OAuthConfig) RefreshTokenInfo(ctx context.Context, refreshToken string) (*TokenInfo, error) {
	return c.Introspect(ctx, refreshToken, TokenTypeHintRefresh)
}

// Revoke revokes a token (POST /oauth/{OAuthVersion}/token/revoke). Revoking a refresh token leaves the access
// tokens already issued valid until they expire.
func (c *OAuthConfig) Revoke(ctx context.Context, token, hint string) error {
	if token == "" {
		return errors.New("hubspot: revoke token: empty token")
	}
	if err := c.postForm(ctx, OAuthPathRevoke, c.tokenForm(token, hint), nil); err != nil {
		return fmt.Errorf("hubspot: revoke token: %w", err)
	}
	return nil
}

// RevokeRefreshToken revokes a refresh token (see Revoke).
func (c *OAuthConfig) RevokeRefreshToken(ctx context.Context, refreshToken string) error {
	return c.Revoke(ctx, refreshToken, TokenTypeHintRefresh)
}

// tokenForm is the body of introspect and revoke: the client credentials and the token, as HubSpot requires.
func (c *OAuthConfig) tokenForm(token, hint string) url.Values {
	f := url.Values{"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}, "token": {token}}
	if hint != "" {
		f.Set("token_type_hint", hint)
	}
	return f
}

// postForm sends an unauthenticated, form-encoded OAuth request and decodes a 2xx JSON answer into v. A non-2xx
// answer is an *OAuthError. The form holds secrets, so no error repeats it (nor the URL).
func (c *OAuthConfig) postForm(ctx context.Context, path string, form url.Values, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apiURL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		return errors.New("invalid request URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return redactURLError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOAuthResponseBytes+1))
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	tooLarge := len(body) > maxOAuthResponseBytes
	if tooLarge {
		body = body[:maxOAuthResponseBytes]
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newOAuthError(resp.StatusCode, body)
	}
	if tooLarge {
		return fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, maxOAuthResponseBytes)
	}
	if v == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}
