package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
)

func mustSigner(t *testing.T, secret string) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(strings.Repeat(secret, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueVerify(t *testing.T) {
	t.Parallel()
	s := mustSigner(t, "k")
	p := convrs.Principal{StaffID: "stf_1", WorkspaceID: "ws_1", Role: convrs.RoleAgent}
	before := time.Now().Add(time.Hour).Truncate(time.Second)
	tok, err := s.Issue(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// The principal carries the session's end, so that a websocket can be closed when it comes.
	if exp := got.Expires; exp.Before(before) || exp.After(time.Now().Add(time.Hour)) {
		t.Errorf("Expires = %v, want about an hour from now", exp)
	}
	got.Expires = time.Time{}
	if *got != p {
		t.Fatalf("Verify = %+v, want %+v", got, p)
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	s := mustSigner(t, "k")
	other := mustSigner(t, "x")
	p := convrs.Principal{StaffID: "stf_1", WorkspaceID: "ws_1", Role: convrs.RoleAgent}
	good, _ := s.Issue(p, time.Hour)
	forged, _ := other.Issue(convrs.Principal{StaffID: "stf_1", WorkspaceID: "ws_1", Role: convrs.RoleAdmin}, time.Hour)
	parts := strings.Split(good, ".")
	// An agent token whose payload is swapped for an admin payload keeps the agent's signature.
	adminPayload := strings.Split(forged, ".")[1]
	expired := &Signer{key: s.key, now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	old, _ := expired.Issue(p, time.Hour)
	for name, tok := range map[string]string{
		"empty": "", "garbage": "abc", "other key": forged, "swapped payload": parts[0] + "." + adminPayload + "." + parts[2],
		"expired": old, "truncated": good[:len(good)-2],
	} {
		if _, err := s.Verify(tok); err != ErrInvalidToken {
			t.Errorf("%s: Verify = %v; want ErrInvalidToken", name, err)
		}
	}
	if _, err := s.Issue(convrs.Principal{StaffID: "s", WorkspaceID: "w", Role: convrs.RoleSystem}, time.Hour); err == nil {
		t.Error("issued a token with the system role")
	}
}

func TestMiddlewareAndWebsocketInit(t *testing.T) {
	t.Parallel()
	s := mustSigner(t, "k")
	tok, _ := s.Issue(convrs.Principal{StaffID: "stf_1", WorkspaceID: "ws_1", Role: convrs.RoleAdmin}, time.Hour)
	var seen *convrs.Principal
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = convrs.PrincipalFromContext(r.Context()) }))
	r := httptest.NewRequest("POST", "/query", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if seen == nil || seen.Role != convrs.RoleAdmin {
		t.Fatalf("principal = %+v", seen)
	}
	r = httptest.NewRequest("POST", "/query", nil)
	r.Header.Set("Authorization", "Bearer nope")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if seen != nil {
		t.Fatalf("bad token gave principal %+v", seen)
	}
	ctx, err := s.WebsocketInit(context.Background(), map[string]any{"authorization": "Bearer " + tok})
	if err != nil || convrs.PrincipalFromContext(ctx).StaffID != "stf_1" {
		t.Fatalf("WebsocketInit = %v", err)
	}
	if _, err := s.WebsocketInit(context.Background(), map[string]any{}); convrs.ErrorCode(err) != convrs.EUNAUTHORIZED {
		t.Fatalf("WebsocketInit without token = %v", err)
	}
}
