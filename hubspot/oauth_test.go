package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// setupOAuth returns a config pointing at a test server and the mux behind it.
func setupOAuth(t *testing.T) (*OAuthConfig, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &OAuthConfig{
		ClientID:     "client-id",
		ClientSecret: "client-secret",
		RedirectURL:  "https://gw.example.com/oauth/hubspot/callback",
		Scopes:       []string{"oauth", "crm.objects.contacts.read"},
		APIURL:       srv.URL,
		HTTPClient:   srv.Client(),
	}, mux
}

func TestAuthCodeURL(t *testing.T) {
	t.Parallel()
	c := &OAuthConfig{
		ClientID:    "cid",
		RedirectURL: "https://gw.example.com/cb?x=1",
		Scopes:      []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.owners.read"},
	}
	want := "https://app.hubspot.com/oauth/authorize?client_id=cid&redirect_uri=https%3A%2F%2Fgw.example.com%2Fcb%3Fx%3D1" +
		"&scope=oauth%20crm.objects.contacts.read%20crm.objects.contacts.write%20crm.objects.owners.read&state=s%2B1%20x"
	if got := c.AuthCodeURL("s+1 x", 0); got != want {
		t.Errorf("AuthCodeURL =\n %s\nwant\n %s", got, want)
	}

	c.OptionalScopes = []string{"crm.objects.companies.read", "timeline"}
	c.AppURL = "https://app-eu1.hubspot.com/"
	c.Scopes = []string{"oauth"}
	want = "https://app-eu1.hubspot.com/oauth/1234567/authorize?client_id=cid&redirect_uri=https%3A%2F%2Fgw.example.com%2Fcb%3Fx%3D1" +
		"&scope=oauth&optional_scope=crm.objects.companies.read%20timeline&state=abc"
	if got := c.AuthCodeURL("abc", 1234567); got != want {
		t.Errorf("AuthCodeURL =\n %s\nwant\n %s", got, want)
	}
}

const tokenResponse = `{"token_type":"bearer","access_token":"CJSP5qf1KhICAQEYs-gDIIGOBii1","refresh_token":"na1-6be7-4e2e-ab96",
	"expires_in":1800,"hub_id":1234567,"user_id":789,"scopes":["oauth","crm.objects.contacts.read"],"token_use":"access_token"}`

func TestExchange(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc(OAuthPathToken, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", ct)
		}
		if _, _, ok := r.BasicAuth(); ok {
			t.Error("client credentials sent in a header; HubSpot wants them in the body")
		}
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		want := url.Values{
			"grant_type": {"authorization_code"}, "client_id": {"client-id"}, "client_secret": {"client-secret"},
			"redirect_uri": {"https://gw.example.com/oauth/hubspot/callback"}, "code": {"the-code"},
		}
		if diff := cmp.Diff(want, r.PostForm); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
		writeJSON(w, 200, tokenResponse)
	})
	before := time.Now()
	tok, err := c.Exchange(context.Background(), "the-code")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	want := &Token{AccessToken: "CJSP5qf1KhICAQEYs-gDIIGOBii1", RefreshToken: "na1-6be7-4e2e-ab96", TokenType: "bearer",
		HubID: 1234567, UserID: 789, Scopes: []string{"oauth", "crm.objects.contacts.read"}, Expiry: tok.Expiry}
	if diff := cmp.Diff(want, tok); diff != "" {
		t.Errorf("token (-want +got):\n%s", diff)
	}
	if tok.Expiry.Before(before.Add(1800*time.Second)) || tok.Expiry.After(after.Add(1800*time.Second)) {
		t.Errorf("Expiry %v not ~30 min from now", tok.Expiry)
	}
	if missing, ok := tok.HasScopes([]string{"oauth", "crm.objects.owners.read"}); ok || !cmp.Equal(missing, []string{"crm.objects.owners.read"}) {
		t.Errorf("HasScopes = %v %v", missing, ok)
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc(OAuthPathToken, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		want := url.Values{"grant_type": {"refresh_token"}, "client_id": {"client-id"}, "client_secret": {"client-secret"}, "refresh_token": {"rt-1"}}
		if diff := cmp.Diff(want, r.PostForm); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
		writeJSON(w, 200, `{"token_type":"bearer","access_token":"at-2","expires_in":1800}`)
	})
	tok, err := c.Refresh(context.Background(), "rt-1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "at-2" || tok.RefreshToken != "rt-1" {
		t.Errorf("got %v / %q", tok, tok.RefreshToken)
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		want      *OAuthError
		permanent bool
	}{
		{"bad refresh token", 400,
			`{"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token","correlationId":"c-9","error":"invalid_grant","error_description":"missing or unknown refresh token"}`,
			&OAuthError{StatusCode: 400, Code: "invalid_grant", Status: "BAD_REFRESH_TOKEN", Description: "missing or unknown refresh token", Message: "missing or unknown refresh token", CorrelationID: "c-9"},
			true},
		{"bad client id", 400, `{"status":"BAD_CLIENT_ID","message":"missing or invalid client id","error":"invalid_client"}`,
			&OAuthError{StatusCode: 400, Code: "invalid_client", Status: "BAD_CLIENT_ID", Message: "missing or invalid client id"}, true},
		{"RFC 6749 body only", 400, `{"error":"invalid_grant","error_description":"refresh token is revoked"}`,
			&OAuthError{StatusCode: 400, Code: "invalid_grant", Description: "refresh token is revoked"}, true},
		{"HubSpot API-style body", 401, `{"status":"error","message":"bad client","category":"INVALID_AUTHENTICATION","correlationId":"c-2"}`,
			&OAuthError{StatusCode: 401, Status: "INVALID_AUTHENTICATION", Message: "bad client", CorrelationID: "c-2"}, true},
		{"server error", 502, `<html>bad gateway</html>`, &OAuthError{StatusCode: 502}, false},
		{"rate limited", 429, `{"status":"error","message":"slow down"}`, &OAuthError{StatusCode: 429, Status: "error", Message: "slow down"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setupOAuth(t)
			mux.HandleFunc(OAuthPathToken, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
			_, err := c.Refresh(context.Background(), "rt")
			var oe *OAuthError
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v, want *OAuthError", err)
			}
			if diff := cmp.Diff(tt.want, oe); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if oe.Permanent() != tt.permanent || IsRetryable(err) == tt.permanent {
				t.Errorf("Permanent = %v, want %v", oe.Permanent(), tt.permanent)
			}
		})
	}
}

// introspectHandler answers POST /oauth/2026-03/token/introspect for the tokens it knows, checking the form.
func introspectHandler(t *testing.T, answers map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", ct)
		}
		if r.Header.Get("Authorization") != "" {
			t.Error("introspection sent an Authorization header")
		}
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		if r.URL.RawQuery != "" {
			t.Errorf("query %q: the token belongs in the body", r.URL.RawQuery)
		}
		f := r.PostForm
		if f.Get("client_id") != "client-id" || f.Get("client_secret") != "client-secret" {
			t.Errorf("client credentials = %q / %q", f.Get("client_id"), f.Get("client_secret"))
		}
		answer, ok := answers[f.Get("token")+" "+f.Get("token_type_hint")]
		if !ok {
			writeJSON(w, 400, `{"error":"invalid_request","error_description":"unknown token","status":"BAD_REQUEST","message":"unknown token"}`)
			return
		}
		writeJSON(w, 200, answer)
	}
}

func TestAccessTokenInfo(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc(OAuthPathIntrospect, introspectHandler(t, map[string]string{
		"at-1 access_token": `{"active":true,"token":"at-1","user":"admin@example.com","hub_domain":"example.com","scopes":["oauth","crm.objects.contacts.read"],
			"hub_id":1234567,"app_id":456,"client_id":"client-id","is_private_distribution":false,"expires_in":1754,"user_id":789,
			"token_type":"bearer","token_use":"access_token"}`,
		"at-old access_token": `{"active":false}`,
	}))
	got, err := c.AccessTokenInfo(context.Background(), "at-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &TokenInfo{Active: true, TokenUse: "access_token", TokenType: "bearer", User: "admin@example.com", UserID: 789, HubID: 1234567,
		HubDomain: "example.com", AppID: 456, ClientID: "client-id", Scopes: []string{"oauth", "crm.objects.contacts.read"}, ExpiresIn: 1754}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := c.AccessTokenInfo(context.Background(), "at-old"); !errors.Is(err, ErrTokenInactive) {
		t.Errorf("inactive token: err = %v, want ErrTokenInactive", err)
	}
	_, err = c.AccessTokenInfo(context.Background(), "at-unknown")
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.StatusCode != 400 || oe.Code != "invalid_request" || oe.Status != "BAD_REQUEST" || oe.Description != "unknown token" {
		t.Errorf("unknown token: err = %#v", err)
	}
}

func TestRefreshTokenInfoAndRevoke(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc(OAuthPathIntrospect, introspectHandler(t, map[string]string{
		"rt-1 refresh_token": `{"active":true,"token":"rt-1","user":"admin@example.com","hub_domain":"example.com","scopes":["oauth"],"hub_id":1234567,
			"app_id":456,"client_id":"client-id","user_id":789,"token_type":"bearer","token_use":"refresh_token"}`,
	}))
	var revoked url.Values
	mux.HandleFunc(OAuthPathRevoke, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", ct)
		}
		r.ParseForm()
		revoked = r.PostForm
		w.WriteHeader(http.StatusOK)
	})
	info, err := c.RefreshTokenInfo(context.Background(), "rt-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &TokenInfo{Active: true, TokenUse: "refresh_token", TokenType: "bearer", User: "admin@example.com", UserID: 789, HubID: 1234567,
		HubDomain: "example.com", AppID: 456, ClientID: "client-id", Scopes: []string{"oauth"}}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := c.RevokeRefreshToken(context.Background(), "rt-1"); err != nil {
		t.Fatal(err)
	}
	wantForm := url.Values{"client_id": {"client-id"}, "client_secret": {"client-secret"}, "token": {"rt-1"}, "token_type_hint": {"refresh_token"}}
	if diff := cmp.Diff(wantForm, revoked); diff != "" {
		t.Errorf("revoke form (-want +got):\n%s", diff)
	}
}

func TestOAuthErrorsDoNotLeakTokens(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc(OAuthPathRevoke, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"refresh token not found","status":"BAD_REFRESH_TOKEN","message":"refresh token not found"}`)
	})
	err := c.RevokeRefreshToken(context.Background(), "secret-rt")
	var oe *OAuthError
	if !errors.As(err, &oe) || !oe.Permanent() {
		t.Fatalf("err = %v, want a permanent *OAuthError", err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c2 := &OAuthConfig{APIURL: "http://" + addr, ClientSecret: "secret-cs"}
	_, err = c2.AccessTokenInfo(context.Background(), "secret-at")
	if err == nil {
		t.Fatal("want error")
	}
	tok := Token{AccessToken: "secret-at", RefreshToken: "secret-rt", HubID: 1}
	for _, s := range []string{err.Error(), fmt.Sprint(err), tok.String(), fmt.Sprintf("%v %+v %#v", tok, tok, &tok), c.ClientSecret} {
		if strings.Contains(s, "secret-") {
			t.Errorf("token leaked: %s", s)
		}
	}
}
