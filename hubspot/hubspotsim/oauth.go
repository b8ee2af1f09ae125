package hubspotsim

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// appID is the simulated app's ID, reported in token metadata.
const appID = 4242424

// DefaultRedirectURI is the demo app's registered redirect URL when Options.RedirectURIs is empty: the callback
// of a gateway run by `make run`.
const DefaultRedirectURI = "http://localhost:8080/oauth/hubspot/callback"

// registeredRedirect reports whether uri is one of the app's registered redirect URLs, compared exactly (no
// prefix, case or trailing-slash leniency), as HubSpot compares them.
func (s *Simulator) registeredRedirect(uri string) bool {
	if len(s.opts.RedirectURIs) == 0 {
		return uri == DefaultRedirectURI
	}
	return slices.Contains(s.opts.RedirectURIs, uri)
}

// tokenPaths are the API paths whose last segment is a token.
var tokenPaths = []string{"/oauth/v1/access-tokens/", "/oauth/v1/refresh-tokens/"}

// RedactPath replaces the token in a token-metadata path (/oauth/v1/access-tokens/{token},
// /oauth/v1/refresh-tokens/{token}) with "REDACTED", for logs.
func RedactPath(path string) string {
	for _, p := range tokenPaths {
		if strings.HasPrefix(path, p) && len(path) > len(p) {
			return p + "REDACTED"
		}
	}
	return path
}

// authCodeTTL is how long an authorization code can be exchanged.
const authCodeTTL = 10 * time.Minute

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

type consentScope struct {
	ID       string
	Name     string
	Optional bool
}

type consentPortal struct {
	ID       int64
	Name     string
	Domain   string
	Selected bool
}

type consentPage struct {
	AppName     string
	ClientID    string
	RedirectURI string
	State       string
	Scopes      []consentScope
	Required    string
	Optional    string
	Portals     []consentPortal
	User        string
	CancelURL   string
	Action      string
}

func splitScopes(v string) []string {
	var out []string
	for _, s := range strings.Fields(v) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// handleAuthorizePage renders HubSpot's app install (consent) page.
func (s *Simulator) handleAuthorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	if clientID == "" || clientID != s.opts.ClientID {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because the client_id is missing or doesn't belong to a HubSpot app.")
		return
	}
	if redirectURI == "" {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because the redirect_uri is missing.")
		return
	}
	if _, err := url.Parse(redirectURI); err != nil {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because the redirect_uri is not a valid URL.")
		return
	}
	if !s.registeredRedirect(redirectURI) {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because the redirect URL doesn't match any of the app's registered redirect URLs.")
		return
	}
	required, optional := splitScopes(q.Get("scope")), splitScopes(q.Get("optional_scope"))
	if len(required)+len(optional) == 0 {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because no scope was requested.")
		return
	}
	var preselect int64
	if v := r.PathValue("portalId"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.renderUIError(w, http.StatusNotFound, "Account not found", "There is no HubSpot account "+v+".")
			return
		}
		preselect = id
	}

	page := consentPage{
		AppName:     s.opts.AppName,
		ClientID:    clientID,
		RedirectURI: redirectURI,
		State:       q.Get("state"),
		Required:    strings.Join(required, " "),
		Optional:    strings.Join(optional, " "),
		CancelURL: withQuery(redirectURI, url.Values{
			"error":             {"access_denied"},
			"error_description": {"The user declined to install the app."},
		}, q.Get("state")),
		Action: r.URL.Path,
	}
	for i, sc := range required {
		page.Scopes = append(page.Scopes, consentScope{ID: "scope-" + strconv.Itoa(i), Name: sc})
	}
	for i, sc := range optional {
		if slices.Contains(required, sc) {
			continue
		}
		page.Scopes = append(page.Scopes, consentScope{ID: "optional-scope-" + strconv.Itoa(i), Name: sc, Optional: true})
	}

	s.mu.Lock()
	found := false
	for _, id := range s.portalOrder {
		p := s.portals[id]
		cp := consentPortal{ID: id, Name: p.info.Name, Domain: p.info.UIDomain, Selected: id == preselect}
		found = found || cp.Selected
		page.Portals = append(page.Portals, cp)
	}
	s.mu.Unlock()
	if preselect != 0 && !found {
		s.renderUIError(w, http.StatusNotFound, "Account not found",
			"You don't have access to HubSpot account "+strconv.FormatInt(preselect, 10)+".")
		return
	}
	if !found && len(page.Portals) > 0 {
		page.Portals[0].Selected = true
	}
	s.renderUI(w, http.StatusOK, "consent", "Install "+page.AppName, page)
}

// handleAuthorizeSubmit is the consent form's Connect app: it issues a code for the ticked scopes.
func (s *Simulator) handleAuthorizeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection", "The form could not be read.")
		return
	}
	f := r.PostForm
	clientID, redirectURI, state := f.Get("client_id"), f.Get("redirect_uri"), f.Get("state")
	if clientID != s.opts.ClientID || redirectURI == "" {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because the client_id or redirect_uri is missing or invalid.")
		return
	}
	if !s.registeredRedirect(redirectURI) {
		s.renderUIError(w, http.StatusBadRequest, "Couldn't complete the connection",
			"Authorization failed because the redirect URL doesn't match any of the app's registered redirect URLs.")
		return
	}
	portalID, err := strconv.ParseInt(f.Get("portal_id"), 10, 64)
	if err != nil {
		s.renderUIError(w, http.StatusBadRequest, "Choose an account", "Choose the HubSpot account to connect.")
		return
	}
	requested := append(splitScopes(f.Get("requested_scope")), splitScopes(f.Get("requested_optional_scope"))...)
	var granted []string
	for _, sc := range f["scope"] {
		if slices.Contains(requested, sc) && !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	// Keep the requested order, as HubSpot lists scopes consistently.
	slices.SortStableFunc(granted, func(a, b string) int {
		return slices.Index(requested, a) - slices.Index(requested, b)
	})

	s.mu.Lock()
	p := s.portals[portalID]
	if p == nil {
		s.mu.Unlock()
		s.renderUIError(w, http.StatusBadRequest, "Account not found",
			"You don't have access to HubSpot account "+strconv.FormatInt(portalID, 10)+".")
		return
	}
	code := &authCode{
		code:        newUUID(),
		portalID:    portalID,
		user:        p.info.UserEmail,
		scopes:      granted,
		redirectURI: redirectURI,
		clientID:    clientID,
		expiresAt:   s.now().Add(authCodeTTL),
	}
	s.codes[code.code] = code
	s.mu.Unlock()
	requestInfoFrom(r.Context()).portalID = portalID

	http.Redirect(w, r, withQuery(redirectURI, url.Values{"code": {code.code}}, state), http.StatusFound)
}

// withQuery adds params (and state, when given) to a redirect URI, keeping its own query.
func withQuery(uri string, params url.Values, state string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

type tokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           string `json:"status"`
	Message          string `json:"message"`
	CorrelationID    string `json:"correlationId"`
}

// writeTokenError answers a refused token request: RFC 6749's error and error_description, with HubSpot's
// status and message beside them. Client credentials that do not match are invalid_client, everything about
// the grant itself invalid_grant.
func writeTokenError(w http.ResponseWriter, status, msg string) {
	code := "invalid_grant"
	switch status {
	case "BAD_CLIENT_ID":
		code = "invalid_client"
	case "BAD_REQUEST":
		code = "invalid_request"
	}
	writeJSON(w, http.StatusBadRequest, tokenError{
		Error:            code,
		ErrorDescription: msg,
		Status:           status,
		Message:          msg,
		CorrelationID:    newUUID(),
	})
}

type tokenResponse struct {
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token"`
	AccessToken  string   `json:"access_token"`
	ExpiresIn    int64    `json:"expires_in"`
	HubID        int64    `json:"hub_id"`
	UserID       int64    `json:"user_id"`
	Scopes       []string `json:"scopes"`
	TokenUse     string   `json:"token_use"`
}

// handleToken is POST /oauth/v1/token (and v3, 2026-03, 2026-09): code exchange and refresh, the form in the
// body (a query string is not read, as HubSpot's 2026-03 endpoint does not).
func (s *Simulator) handleToken(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r.Context()) {
		return
	}
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, "BAD_REQUEST", "the request body must be form-encoded")
		return
	}
	f := r.PostForm
	if !s.clientOK(w, f) {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var rt *refreshToken
	switch f.Get("grant_type") {
	case "authorization_code":
		c := s.codes[f.Get("code")]
		switch {
		case c == nil || c.used:
			writeTokenError(w, "BAD_AUTH_CODE", "missing or unknown auth code")
			return
		case !now.Before(c.expiresAt):
			writeTokenError(w, "EXPIRED_AUTH_CODE", "auth code is expired")
			return
		case f.Get("redirect_uri") != c.redirectURI:
			writeTokenError(w, "BAD_REDIRECT_URI", "redirect_uri does not match initial redirect_uri")
			return
		}
		p := s.portals[c.portalID]
		if p == nil {
			writeTokenError(w, "BAD_AUTH_CODE", "missing or unknown auth code")
			return
		}
		c.used = true
		rt = s.newRefreshTokenLocked(p, c.user, c.scopes)
	case "refresh_token":
		rt = s.refreshTokens[f.Get("refresh_token")]
		if rt == nil || rt.revoked || s.portals[rt.portalID] == nil {
			writeTokenError(w, "BAD_REFRESH_TOKEN", "missing or unknown refresh token")
			return
		}
	default:
		writeJSON(w, http.StatusBadRequest, tokenError{
			Error:            "unsupported_grant_type",
			ErrorDescription: "grant_type must be authorization_code or refresh_token",
			Status:           "BAD_GRANT_TYPE",
			Message:          "grant_type must be authorization_code or refresh_token",
			CorrelationID:    newUUID(),
		})
		return
	}
	requestInfoFrom(r.Context()).portalID = rt.portalID
	at := s.newAccessTokenLocked(rt)
	writeJSON(w, http.StatusOK, tokenResponse{
		TokenType:    "bearer",
		RefreshToken: rt.token,
		AccessToken:  at.token,
		ExpiresIn:    int64(s.opts.AccessTokenTTL / time.Second),
		HubID:        rt.portalID,
		UserID:       rt.userID,
		Scopes:       nonNil(rt.scopes),
		TokenUse:     "access_token",
	})
}

// clientOK checks the client credentials of a token request, answering the error itself.
func (s *Simulator) clientOK(w http.ResponseWriter, f url.Values) bool {
	if f.Get("client_id") != s.opts.ClientID {
		writeTokenError(w, "BAD_CLIENT_ID", "missing or unknown client id")
		return false
	}
	if f.Get("client_secret") != s.opts.ClientSecret {
		writeTokenError(w, "BAD_CLIENT_ID", "client secret does not match the client id")
		return false
	}
	return true
}

// tokenForm reads a form-encoded token request with client credentials and a token, answering errors itself.
func (s *Simulator) tokenForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if !s.delay(r.Context()) {
		return nil, false
	}
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, "BAD_REQUEST", "the request body must be form-encoded")
		return nil, false
	}
	f := r.PostForm
	if !s.clientOK(w, f) {
		return nil, false
	}
	if f.Get("token") == "" {
		writeTokenError(w, "BAD_REQUEST", "token is required")
		return nil, false
	}
	return f, true
}

// lookupTokenLocked finds the token of an introspect or revoke request, trying the hinted kind first.
// Caller holds s.mu.
func (s *Simulator) lookupTokenLocked(token, hint string) (*accessToken, *refreshToken) {
	at, rt := s.accessTokens[token], s.refreshTokens[token]
	if hint == "refresh_token" && rt != nil {
		return nil, rt
	}
	if at != nil {
		return at, nil
	}
	return nil, rt
}

// handleIntrospect is POST /oauth/{version}/token/introspect (form: client_id, client_secret, token,
// token_type_hint): the token's metadata with active true, or {"active": false} for a token that is unknown,
// expired, revoked, or of a portal that uninstalled the app (RFC 7662).
func (s *Simulator) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	f, ok := s.tokenForm(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	at, rt := s.lookupTokenLocked(f.Get("token"), f.Get("token_type_hint"))
	switch {
	case at != nil && !at.revoked && now.Before(at.expiresAt) && s.portals[at.portalID] != nil:
		requestInfoFrom(r.Context()).portalID = at.portalID
		p := s.portals[at.portalID]
		writeJSON(w, http.StatusOK, map[string]any{
			"active":                  true,
			"token":                   at.token,
			"token_use":               "access_token",
			"token_type":              "access",
			"user":                    at.user,
			"user_id":                 at.userID,
			"hub_id":                  at.portalID,
			"hub_domain":              hubDomain(p),
			"app_id":                  appID,
			"client_id":               s.opts.ClientID,
			"scopes":                  nonNil(at.scopes),
			"expires_in":              int64(at.expiresAt.Sub(now) / time.Second),
			"is_private_distribution": false,
			"signed_access_token": map[string]any{
				"expiresAt": at.expiresAt.UnixMilli(), "scopes": strings.Join(at.scopes, ","), "hubId": at.portalID,
				"userId": at.userID, "appId": appID, "installingUserId": at.userID, "hublet": p.info.DataHostingLocation,
				"isPrivateDistribution": false, "isServiceAccount": false, "isUserLevel": false,
				"appInstallId": strconv.FormatInt(at.portalID, 10) + "-" + strconv.Itoa(appID), "audience": s.opts.ClientID,
				"signature": "", "newSignature": "", "scopeToScopeGroupPks": "", "trialScopes": "", "trialScopeToScopeGroupPks": "",
			},
		})
	case rt != nil && !rt.revoked && s.portals[rt.portalID] != nil:
		requestInfoFrom(r.Context()).portalID = rt.portalID
		writeJSON(w, http.StatusOK, map[string]any{
			"active":     true,
			"token":      rt.token,
			"token_use":  "refresh_token",
			"token_type": "refresh",
			"user":       rt.user,
			"user_id":    rt.userID,
			"hub_id":     rt.portalID,
			"hub_domain": hubDomain(s.portals[rt.portalID]),
			"app_id":     appID,
			"client_id":  s.opts.ClientID,
			"scopes":     nonNil(rt.scopes),
		})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
	}
}

// handleRevoke is POST /oauth/{version}/token/revoke (form: client_id, client_secret, token,
// token_type_hint): a refresh token stops working (the access tokens it issued keep working until they
// expire, as with v1's DELETE); an access token stops working at once. 200 with no body, also for a token
// that is unknown or already revoked (RFC 7009).
func (s *Simulator) handleRevoke(w http.ResponseWriter, r *http.Request) {
	f, ok := s.tokenForm(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at, rt := s.lookupTokenLocked(f.Get("token"), f.Get("token_type_hint"))
	switch {
	case rt != nil:
		requestInfoFrom(r.Context()).portalID = rt.portalID
		rt.revoked = true
	case at != nil:
		requestInfoFrom(r.Context()).portalID = at.portalID
		at.revoked = true
	}
	w.WriteHeader(http.StatusOK)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func hubDomain(p *portal) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(p.info.Name) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	d := strings.TrimSuffix(b.String(), "-")
	if d == "" {
		d = "portal-" + strconv.FormatInt(p.info.ID, 10)
	}
	return d + ".com"
}

func (s *Simulator) handleAccessTokenInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.accessTokens[r.PathValue("token")]
	now := s.now()
	if at == nil || at.revoked || !now.Before(at.expiresAt) || s.portals[at.portalID] == nil {
		writeAPIError(w, http.StatusNotFound, notFoundError("The access token is expired or unknown."))
		return
	}
	requestInfoFrom(r.Context()).portalID = at.portalID
	writeJSON(w, http.StatusOK, map[string]any{
		"token":        at.token,
		"user":         at.user,
		"hub_domain":   hubDomain(s.portals[at.portalID]),
		"scopes":       nonNil(at.scopes),
		"hub_id":       at.portalID,
		"app_id":       appID,
		"expires_in":   int64(at.expiresAt.Sub(now) / time.Second),
		"user_id":      at.userID,
		"token_type":   "access",
		"trial_scopes": []string{},
	})
}

func (s *Simulator) handleRefreshTokenInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refreshTokens[r.PathValue("token")]
	if rt == nil || rt.revoked || s.portals[rt.portalID] == nil {
		writeAPIError(w, http.StatusNotFound, notFoundError("The refresh token is revoked or unknown."))
		return
	}
	requestInfoFrom(r.Context()).portalID = rt.portalID
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      rt.token,
		"user":       rt.user,
		"hub_domain": hubDomain(s.portals[rt.portalID]),
		"scopes":     nonNil(rt.scopes),
		"hub_id":     rt.portalID,
		"client_id":  s.opts.ClientID,
		"user_id":    rt.userID,
		"token_type": "refresh",
	})
}

func (s *Simulator) handleRefreshTokenDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refreshTokens[r.PathValue("token")]
	if rt == nil || rt.revoked {
		writeAPIError(w, http.StatusNotFound, notFoundError("The refresh token is revoked or unknown."))
		return
	}
	requestInfoFrom(r.Context()).portalID = rt.portalID
	rt.revoked = true
	w.WriteHeader(http.StatusNoContent)
}

var utcOffsets = map[string]struct {
	text string
	ms   int64
}{
	"US/Eastern":    {"-05:00", -5 * 3600 * 1000},
	"Europe/London": {"+00:00", 0},
	"Europe/Berlin": {"+01:00", 3600 * 1000},
}

func (s *Simulator) handleAccountInfo(c *call) {
	s.mu.Lock()
	info := s.portals[c.portalID].info
	s.mu.Unlock()
	off := utcOffsets[info.TimeZone]
	writeJSON(c.w, http.StatusOK, map[string]any{
		"portalId":              info.ID,
		"accountType":           "STANDARD",
		"timeZone":              info.TimeZone,
		"companyCurrency":       info.Currency,
		"additionalCurrencies":  []string{},
		"utcOffset":             off.text,
		"utcOffsetMilliseconds": off.ms,
		"uiDomain":              info.UIDomain,
		"dataHostingLocation":   info.DataHostingLocation,
	})
}
