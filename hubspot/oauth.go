package hubspot

import (
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
	// TokenPath is the token endpoint's path (default /oauth/v1/token; /oauth/v3/token takes the same body).
	TokenPath string
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

// OAuthError is an error answer of the token endpoint, e.g. HTTP 400
// {"error":"invalid_grant","status":"BAD_REFRESH_TOKEN",...}.
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
			TokenURL:  c.apiURL() + cmp.Or(c.TokenPath, "/oauth/v1/token"),
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

// fromOAuth2 reads HubSpot's extra token fields (hub_id, scopes).
func fromOAuth2(tok *oauth2.Token) *Token {
	t := &Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Expiry: tok.Expiry}
	switch v := tok.Extra("hub_id").(type) {
	case float64:
		t.HubID = int64(v)
	case string:
		t.HubID, _ = strconv.ParseInt(v, 10, 64)
	}
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

// tokenError turns an oauth2 error into *OAuthError when the endpoint answered, and strips the URL from
// transport errors.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return redactURLError(err)
	}
	e := &OAuthError{Code: re.ErrorCode, Description: re.ErrorDescription}
	if re.Response != nil {
		e.StatusCode = re.Response.StatusCode
	}
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		Status           string `json:"status"`
		Message          string `json:"message"`
		CorrelationID    string `json:"correlationId"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		e.Code = cmp.Or(e.Code, body.Error)
		e.Description = cmp.Or(e.Description, body.ErrorDescription)
		e.Status, e.Message, e.CorrelationID = body.Status, body.Message, body.CorrelationID
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

// AccessTokenInfo is HubSpot's metadata about an access token.
type AccessTokenInfo struct {
	Token     string   `json:"token"`
	User      string   `json:"user"`
	HubID     int64    `json:"hub_id"`
	HubDomain string   `json:"hub_domain"`
	AppID     int64    `json:"app_id"`
	UserID    int64    `json:"user_id"`
	Scopes    []string `json:"scopes"`
	// ExpiresIn is the remaining lifetime in seconds.
	ExpiresIn int    `json:"expires_in"`
	TokenType string `json:"token_type"`
}

// RefreshTokenInfo is HubSpot's metadata about a refresh token.
type RefreshTokenInfo struct {
	Token     string   `json:"token"`
	User      string   `json:"user"`
	HubID     int64    `json:"hub_id"`
	HubDomain string   `json:"hub_domain"`
	AppID     int64    `json:"app_id"`
	UserID    int64    `json:"user_id"`
	Scopes    []string `json:"scopes"`
	ClientID  string   `json:"client_id,omitempty"`
	TokenType string   `json:"token_type"`
}

// AccessTokenInfo fetches GET /oauth/v1/access-tokens/{token}: the portal, user and scopes of a token.
func (c *OAuthConfig) AccessTokenInfo(ctx context.Context, accessToken string) (*AccessTokenInfo, error) {
	if accessToken == "" {
		return nil, errors.New("hubspot: access token info: empty token")
	}
	info := new(AccessTokenInfo)
	if err := c.call(ctx, http.MethodGet, "/oauth/v1/access-tokens/"+url.PathEscape(accessToken), info); err != nil {
		return nil, fmt.Errorf("hubspot: access token info: %w", err)
	}
	return info, nil
}

// RefreshTokenInfo fetches GET /oauth/v1/refresh-tokens/{token}.
func (c *OAuthConfig) RefreshTokenInfo(ctx context.Context, refreshToken string) (*RefreshTokenInfo, error) {
	if refreshToken == "" {
		return nil, errors.New("hubspot: refresh token info: empty token")
	}
	info := new(RefreshTokenInfo)
	if err := c.call(ctx, http.MethodGet, "/oauth/v1/refresh-tokens/"+url.PathEscape(refreshToken), info); err != nil {
		return nil, fmt.Errorf("hubspot: refresh token info: %w", err)
	}
	return info, nil
}

// RevokeRefreshToken revokes a refresh token (DELETE, 204); access tokens already issued stay valid until
// they expire.
func (c *OAuthConfig) RevokeRefreshToken(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return errors.New("hubspot: revoke refresh token: empty token")
	}
	if err := c.call(ctx, http.MethodDelete, "/oauth/v1/refresh-tokens/"+url.PathEscape(refreshToken), nil); err != nil {
		return fmt.Errorf("hubspot: revoke refresh token: %w", err)
	}
	return nil
}

// call sends an unauthenticated OAuth metadata request. Its errors never contain the URL (it holds a token).
func (c *OAuthConfig) call(ctx context.Context, method, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.apiURL()+path, nil)
	if err != nil {
		return errors.New("invalid request URL")
	}
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
		resp.Request = nil // its URL holds the token
		return newAPIError(resp, body, tooLarge)
	}
	if tooLarge {
		return fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, maxOAuthResponseBytes)
	}
	if v == nil || len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}
