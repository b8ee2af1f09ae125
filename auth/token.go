// Package auth issues and verifies staff session tokens: an HMAC-SHA256-signed payload naming the staff
// member, their workspace, their role and an expiry. The token is what every GraphQL request carries as
// "Authorization: Bearer …" (or in a websocket's connection_init payload).
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/convrs/gateway/convrs"
)

// ErrInvalidToken is returned for a token that is malformed, forged or expired.
var ErrInvalidToken = errors.New("auth: invalid or expired session token")

// Signer issues and verifies tokens with one secret.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer using secret (at least 32 bytes).
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < 32 {
		return nil, errors.New("auth: session secret must be at least 32 bytes")
	}
	return &Signer{key: append([]byte(nil), secret...), now: time.Now}, nil
}

type claims struct {
	Staff     string `json:"sid"`
	Workspace string `json:"wid"`
	Role      string `json:"role"`
	Expires   int64  `json:"exp"`
}

// Issue returns a token for p valid for ttl.
func (s *Signer) Issue(p convrs.Principal, ttl time.Duration) (string, error) {
	if p.StaffID == "" || p.WorkspaceID == "" || !p.Role.Valid() {
		return "", errors.New("auth: issue: staff, workspace and an admin or agent role are required")
	}
	payload, err := json.Marshal(claims{Staff: p.StaffID, Workspace: p.WorkspaceID, Role: string(p.Role), Expires: s.now().Add(ttl).Unix()})
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(payload)
	return "cv1." + body + "." + s.sign(body), nil
}

func (s *Signer) sign(body string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("cv1." + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify returns the principal a token names, or ErrInvalidToken.
func (s *Signer) Verify(token string) (*convrs.Principal, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != "cv1" {
		return nil, ErrInvalidToken
	}
	if !hmac.Equal([]byte(parts[2]), []byte(s.sign(parts[1]))) {
		return nil, ErrInvalidToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, ErrInvalidToken
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, ErrInvalidToken
	}
	if s.now().Unix() >= c.Expires || !convrs.Role(c.Role).Valid() || c.Staff == "" || c.Workspace == "" {
		return nil, ErrInvalidToken
	}
	return &convrs.Principal{StaffID: c.Staff, WorkspaceID: c.Workspace, Role: convrs.Role(c.Role), Expires: time.Unix(c.Expires, 0)}, nil
}

// BearerToken returns the token of an "Authorization: Bearer …" value, or "".
func BearerToken(header string) string {
	if len(header) > 7 && strings.EqualFold(header[:7], "bearer ") {
		return strings.TrimSpace(header[7:])
	}
	return ""
}

// Middleware puts the principal of a valid bearer token into the request context. Requests without one go on
// without a principal: the operations they call answer EUNAUTHORIZED.
func (s *Signer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := BearerToken(r.Header.Get("Authorization")); tok != "" {
			if p, err := s.Verify(tok); err == nil {
				r = r.WithContext(convrs.NewContextWithPrincipal(r.Context(), p))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// WebsocketInit reads the token from a graphql-ws connection_init payload ({"authorization": "Bearer …"}) and
// returns ctx with its principal; a missing or bad token refuses the connection.
func (s *Signer) WebsocketInit(ctx context.Context, payload map[string]any) (context.Context, error) {
	var raw string
	for _, k := range []string{"authorization", "Authorization"} {
		if v, ok := payload[k].(string); ok {
			raw = v
		}
	}
	tok := BearerToken(raw)
	if tok == "" {
		tok = raw
	}
	p, err := s.Verify(tok)
	if err != nil {
		return ctx, convrs.Errorf(convrs.EUNAUTHORIZED, "Sign in to continue.")
	}
	return convrs.NewContextWithPrincipal(ctx, p), nil
}
