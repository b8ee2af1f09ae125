package hubspotsim_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// tokenForm is a form of the 2026-03 token endpoints with the client credentials in the body.
func tokenForm(kv ...string) url.Values {
	f := url.Values{"client_id": {hubspotsim.DefaultClientID}, "client_secret": {hubspotsim.DefaultClientSecret}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestDatedTokenEndpointExchangesAndRefreshes(t *testing.T) {
	t.Parallel()
	for _, v := range hubspotsim.DatedVersions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			auth := "/oauth/authorize?" + authorizeQuery(productScope, "", "s")
			code := e.connect(auth).Get("code")
			r := e.callAs("", "POST", "/oauth/"+v+"/token", tokenForm("grant_type", "authorization_code", "code", code, "redirect_uri", redirectURI))
			e.mustStatus(r, http.StatusOK)
			var tok struct {
				tokenBody
				UserID int64 `json:"user_id"`
			}
			r.Into(t, &tok)
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.UserID == 0 {
				t.Fatalf("token answer = %s", r.Raw)
			}
			want := tokenBody{TokenType: "bearer", ExpiresIn: 1800, HubID: e.portal, Scopes: hubspotsim.ProductScopes, TokenUse: "access_token",
				AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
			if diff := cmp.Diff(want, tok.tokenBody); diff != "" {
				t.Errorf("token answer (-want +got):\n%s", diff)
			}
			e.mustStatus(e.callAs(tok.AccessToken, "GET", "/crm/objects/"+v+"/contacts", nil), http.StatusOK)

			r = e.callAs("", "POST", "/oauth/"+v+"/token", tokenForm("grant_type", "refresh_token", "refresh_token", tok.RefreshToken))
			e.mustStatus(r, http.StatusOK)
			var again tokenBody
			r.Into(t, &again)
			if again.RefreshToken != tok.RefreshToken || again.AccessToken == tok.AccessToken || again.HubID != e.portal {
				t.Errorf("refresh answer = %s", r.Raw)
			}

			// The same refusals as v1, in RFC 6749's words plus HubSpot's status.
			code = e.connect(auth).Get("code")
			for _, c := range []struct {
				form         url.Values
				error, state string
			}{
				{tokenForm("grant_type", "authorization_code", "code", "made-up", "redirect_uri", redirectURI), "invalid_grant", "BAD_AUTH_CODE"},
				{tokenForm("grant_type", "authorization_code", "code", code, "redirect_uri", "https://evil.test/cb"), "invalid_grant", "BAD_REDIRECT_URI"},
				{tokenForm("grant_type", "authorization_code", "code", code, "redirect_uri", redirectURI, "client_secret", "wrong"), "invalid_client", "BAD_CLIENT_ID"},
				{tokenForm("grant_type", "refresh_token", "refresh_token", "na1-unknown"), "invalid_grant", "BAD_REFRESH_TOKEN"},
				{tokenForm("grant_type", "password"), "unsupported_grant_type", "BAD_GRANT_TYPE"},
			} {
				got := tokenError(t, e.callAs("", "POST", "/oauth/"+v+"/token", c.form))
				if got["error"] != c.error || got["status"] != c.state || got["error_description"] == "" || got["message"] == "" {
					t.Errorf("%v: %v", c.form, got)
				}
			}
			e.clock.Advance(10*time.Minute + time.Second)
			got := tokenError(t, e.callAs("", "POST", "/oauth/"+v+"/token", tokenForm("grant_type", "authorization_code", "code", code, "redirect_uri", redirectURI)))
			if got["status"] != "EXPIRED_AUTH_CODE" {
				t.Errorf("expired code: %v", got)
			}

			// Credentials in the query string are not read: the body is the only place.
			q := tokenForm("grant_type", "refresh_token", "refresh_token", tok.RefreshToken).Encode()
			got = tokenError(t, e.callAs("", "POST", "/oauth/"+v+"/token?"+q, url.Values{}))
			if got["status"] != "BAD_CLIENT_ID" {
				t.Errorf("query-string credentials: %v", got)
			}
		})
	}
}

func TestIntrospectAndRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	access, refresh := e.ts.IssueTokens(e.portal, "")
	introspect := func(token, hint string) map[string]any {
		t.Helper()
		r := e.callAs("", "POST", "/oauth/2026-03/token/introspect", tokenForm("token", token, "token_type_hint", hint))
		e.mustStatus(r, http.StatusOK)
		return r.JSON(t)
	}

	m := introspect(access, "access_token")
	for k, want := range map[string]any{"active": true, "token": access, "token_use": "access_token", "hub_id": float64(e.portal),
		"user": "admin@test.test", "client_id": hubspotsim.DefaultClientID, "expires_in": 1800.0, "is_private_distribution": false} {
		if !cmp.Equal(m[k], want) {
			t.Errorf("access introspection %s = %v, want %v", k, m[k], want)
		}
	}
	if m["user_id"] == nil || m["app_id"] == nil || m["signed_access_token"] == nil || len(m["scopes"].([]any)) != len(hubspotsim.ProductScopes) {
		t.Errorf("access introspection lacks fields: %v", m)
	}
	// The hint is only a hint.
	m = introspect(refresh, "access_token")
	if m["active"] != true || m["token_use"] != "refresh_token" || m["hub_id"] != float64(e.portal) || m["expires_in"] != nil {
		t.Errorf("refresh introspection = %v", m)
	}
	if m := introspect("made-up", ""); !cmp.Equal(m, map[string]any{"active": false}) {
		t.Errorf("unknown token = %v", m)
	}
	r := e.callAs("", "POST", "/oauth/2026-03/token/introspect", tokenForm("token", access, "client_secret", "wrong"))
	if got := tokenError(t, r); got["error"] != "invalid_client" {
		t.Errorf("bad client: %v", got)
	}
	if got := tokenError(t, e.callAs("", "POST", "/oauth/2026-03/token/introspect", tokenForm())); got["error"] != "invalid_request" {
		t.Errorf("no token: %v", got)
	}

	// Revoking the refresh token ends refreshes; its access token works until it expires, as with v1.
	r = e.callAs("", "POST", "/oauth/2026-03/token/revoke", tokenForm("token", refresh, "token_type_hint", "refresh_token"))
	e.mustStatus(r, http.StatusOK)
	if len(r.Raw) != 0 {
		t.Errorf("revoke answered a body: %s", r.Raw)
	}
	if m := introspect(refresh, "refresh_token"); m["active"] != false {
		t.Errorf("revoked refresh token introspects as %v", m)
	}
	got := tokenError(t, e.callAs("", "POST", "/oauth/2026-03/token", tokenForm("grant_type", "refresh_token", "refresh_token", refresh)))
	if got["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("refresh after revoke: %v", got)
	}
	e.mustStatus(e.callAs(access, "GET", "/crm/objects/2026-03/contacts", nil), http.StatusOK)
	// Revoking again, or an unknown token, is still 200 (RFC 7009).
	e.mustStatus(e.callAs("", "POST", "/oauth/2026-03/token/revoke", tokenForm("token", refresh)), http.StatusOK)
	e.mustStatus(e.callAs("", "POST", "/oauth/2026-03/token/revoke", tokenForm("token", "made-up")), http.StatusOK)
	if got := tokenError(t, e.callAs("", "POST", "/oauth/2026-03/token/revoke", tokenForm("token", refresh, "client_id", "x"))); got["error"] != "invalid_client" {
		t.Errorf("revoke with a bad client: %v", got)
	}

	// An expired access token, or one of an uninstalled portal, is inactive.
	e.ts.ExpireAccessToken(access)
	if m := introspect(access, ""); m["active"] != false {
		t.Errorf("expired access token introspects as %v", m)
	}
	access2, refresh2 := e.ts.IssueTokens(e.portal, "")
	e.ts.RevokeApp(e.portal)
	if introspect(access2, "")["active"] != false || introspect(refresh2, "")["active"] != false {
		t.Error("tokens of an uninstalled app introspect as active")
	}

	// No token or secret in the request log: they travel in bodies.
	for _, l := range e.ts.Requests() {
		if l.Query != "" || l.Version != "2026-03" || l.Legacy {
			t.Errorf("logged %+v", l)
		}
	}
}
