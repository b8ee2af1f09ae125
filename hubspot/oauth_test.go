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
	"expires_in":1800,"hub_id":1234567,"scopes":["oauth","crm.objects.contacts.read"],"token_use":"access_token"}`

func TestExchange(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc("/oauth/v1/token", func(w http.ResponseWriter, r *http.Request) {
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
		HubID: 1234567, Scopes: []string{"oauth", "crm.objects.contacts.read"}, Expiry: tok.Expiry}
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
	mux.HandleFunc("/oauth/v1/token", func(w http.ResponseWriter, r *http.Request) {
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
		{"server error", 502, `<html>bad gateway</html>`, &OAuthError{StatusCode: 502}, false},
		{"rate limited", 429, `{"status":"error","message":"slow down"}`, &OAuthError{StatusCode: 429, Status: "error", Message: "slow down"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setupOAuth(t)
			mux.HandleFunc("/oauth/v1/token", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
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

func TestAccessTokenInfo(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc("/oauth/v1/access-tokens/at-1", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		if r.Header.Get("Authorization") != "" {
			t.Error("metadata call sent an Authorization header")
		}
		writeJSON(w, 200, `{"token":"at-1","user":"admin@example.com","hub_domain":"example.com","scopes":["oauth","crm.objects.contacts.read"],
			"scope_to_scope_group_pks":[25,31],"trial_scopes":[],"trial_scope_to_scope_group_pks":[],"hub_id":1234567,"app_id":456,
			"expires_in":1754,"user_id":789,"token_type":"access"}`)
	})
	got, err := c.AccessTokenInfo(context.Background(), "at-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &AccessTokenInfo{Token: "at-1", User: "admin@example.com", HubID: 1234567, HubDomain: "example.com", AppID: 456,
		UserID: 789, Scopes: []string{"oauth", "crm.objects.contacts.read"}, ExpiresIn: 1754, TokenType: "access"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRefreshTokenInfoAndRevoke(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc("/oauth/v1/refresh-tokens/rt-1", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "GET":
			writeJSON(w, 200, `{"token":"rt-1","user":"admin@example.com","hub_domain":"example.com","scopes":["oauth"],"hub_id":1234567,
				"client_id":"client-id","user_id":789,"token_type":"refresh"}`)
		case "DELETE":
			w.WriteHeader(http.StatusNoContent)
		default:
			t.Errorf("method %s", r.Method)
		}
	})
	info, err := c.RefreshTokenInfo(context.Background(), "rt-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &RefreshTokenInfo{Token: "rt-1", User: "admin@example.com", HubID: 1234567, HubDomain: "example.com",
		UserID: 789, Scopes: []string{"oauth"}, ClientID: "client-id", TokenType: "refresh"}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := c.RevokeRefreshToken(context.Background(), "rt-1"); err != nil {
		t.Fatal(err)
	}
}

func TestOAuthErrorsDoNotLeakTokens(t *testing.T) {
	t.Parallel()
	c, mux := setupOAuth(t)
	mux.HandleFunc("/oauth/v1/refresh-tokens/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"status":"error","message":"Refresh token not found","category":"OBJECT_NOT_FOUND"}`)
	})
	err := c.RevokeRefreshToken(context.Background(), "secret-rt")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	var er *ErrorResponse
	if errors.As(err, &er) && er.Response.Request != nil {
		t.Error("error keeps the request, whose URL holds the token")
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c2 := &OAuthConfig{APIURL: "http://" + addr}
	_, err = c2.AccessTokenInfo(context.Background(), "secret-at")
	if err == nil {
		t.Fatal("want error")
	}
	tok := Token{AccessToken: "secret-at", RefreshToken: "secret-rt", HubID: 1}
	for _, s := range []string{err.Error(), fmt.Sprint(err), tok.String(), fmt.Sprintf("%v %+v %#v", tok, tok, &tok)} {
		if strings.Contains(s, "secret") {
			t.Errorf("token leaked: %s", s)
		}
	}
}
