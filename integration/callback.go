package integration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/store"
)

// page is what the callback tab shows. Kind is "ok", "error" or "confirm".
type page struct {
	Kind, Title, Message string
	BackURL              string
	// Confirm fields: the pending connection and what changes.
	PendingID, NewPortal, OldPortal string
	Linked                          int64
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Convrs</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f6fa;color:#1d2433;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:32px 36px;max-width:520px}
h1{font-size:1.35rem;margin:0 0 12px} p{line-height:1.5}
.ok h1{color:#1a7f37} .error h1{color:#b42318} .confirm h1{color:#9a6700}
a.button,button{display:inline-block;margin-top:12px;margin-right:8px;padding:10px 18px;border-radius:8px;border:1px solid #c9d1e1;background:#fff;color:#1d2433;font-size:1rem;text-decoration:none;cursor:pointer}
button.primary{background:#ff7a59;border-color:#ff7a59;color:#fff}
</style></head>
<body><main class="{{.Kind}}" role="main">
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{if eq .Kind "confirm"}}
<p>You authorized HubSpot portal <strong>{{.NewPortal}}</strong>, but this workspace was linked to portal <strong>{{.OldPortal}}</strong>.
{{.Linked}} customer(s) are linked to contacts of portal {{.OldPortal}}. Connecting to the new portal removes those links:
their next transcripts will be matched again by email and phone in portal {{.NewPortal}}, and nothing is deleted in either portal.</p>
<form method="post" action="` + ConfirmPath + `">
<input type="hidden" name="pending" value="{{.PendingID}}">
<button class="primary" type="submit" name="decision" value="confirm">Connect portal {{.NewPortal}}</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>
{{else}}
<a class="button" href="{{.BackURL}}">Return to Convrs</a>
{{end}}
{{if eq .Kind "ok"}}<script>setTimeout(function(){ window.close(); }, 1500);</script>{{end}}
</main></body></html>`))

func (s *Service) render(w http.ResponseWriter, code int, p page) {
	if p.BackURL == "" {
		p.BackURL = s.cfg.PublicURL + "/#/integrations"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(code)
	_ = pageTmpl.Execute(w, p)
}

func (s *Service) fail(w http.ResponseWriter, code int, title, msg string) {
	s.render(w, code, page{Kind: "error", Title: title, Message: msg})
}

// CallbackHandler finishes the OAuth handshake HubSpot redirects to. Every failure shows a page saying what
// happened, with a way back, and stores nothing.
func (s *Service) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		state := q.Get("state")
		if e := q.Get("error"); e != "" {
			if state != "" {
				_, _, _ = s.takeState(ctx, state) // a cancelled link cannot be replayed
			}
			if e == "access_denied" {
				s.fail(w, http.StatusOK, "HubSpot connection cancelled", "You cancelled on HubSpot's consent screen, so nothing was connected. Click Integrate again when you are ready.")
				return
			}
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "HubSpot reported: "+q.Get("error_description")+" ("+e+"). Nothing was connected.")
			return
		}
		st, problem, err := s.takeState(ctx, state)
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "oauth callback: state", "error", err)
			s.fail(w, http.StatusServiceUnavailable, "HubSpot connection failed", "Convrs could not check this connection link. Please try again.")
			return
		}
		if problem != "" {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", string(problem)+" Start again with Integrate on the HubSpot card.")
			return
		}
		code := q.Get("code")
		if code == "" {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "HubSpot did not send an authorization code. Nothing was connected.")
			return
		}
		s.finish(w, r, st, code)
	})
}

// finish exchanges the code and checks what HubSpot granted before anything is stored.
func (s *Service) finish(w http.ResponseWriter, r *http.Request, st *oauthState, code string) {
	ctx := r.Context()
	log := s.cfg.Logger.With("workspace_id", st.WorkspaceID, "staff_id", st.StaffID)
	staff, err := s.cfg.Store.StaffByID(ctx, st.StaffID)
	if err != nil || staff.WorkspaceID != st.WorkspaceID || staff.Role != convrs.RoleAdmin {
		s.fail(w, http.StatusForbidden, "HubSpot connection failed", "Only an administrator of the workspace can connect HubSpot. Nothing was connected.")
		return
	}
	tok, err := s.cfg.OAuth.Exchange(ctx, code)
	if err != nil {
		log.WarnContext(ctx, "oauth callback: code exchange failed", "error", err)
		s.fail(w, http.StatusBadGateway, "HubSpot connection failed", "HubSpot did not accept the authorization (it may have expired). Nothing was connected; click Integrate to try again.")
		return
	}
	info, err := s.cfg.OAuth.AccessTokenInfo(ctx, tok.AccessToken)
	if err != nil {
		log.WarnContext(ctx, "oauth callback: token info failed", "error", err)
		s.revoke(ctx, tok.RefreshToken)
		s.fail(w, http.StatusBadGateway, "HubSpot connection failed", "HubSpot did not answer while Convrs checked the connection. Nothing was connected; please try again.")
		return
	}
	granted := info.Scopes
	if len(granted) == 0 {
		granted = tok.Scopes
	}
	if missing := missingScopes(granted); len(missing) > 0 {
		log.InfoContext(ctx, "oauth callback: partial grant refused", "portal_id", info.HubID, "missing", strings.Join(missing, " "))
		s.revoke(ctx, tok.RefreshToken)
		s.fail(w, http.StatusOK, "All permissions are needed", "Convrs cannot work with a partial permission grant, so nothing was connected. "+
			"On HubSpot's consent screen, leave every permission ticked. Missing: "+strings.Join(missing, ", ")+". Click Integrate to try again.")
		return
	}
	hc := hubspot.NewClient(oauth2.NewClient(context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient), oauth2.StaticTokenSource(tok.OAuth2())),
		hubspot.WithBaseURL(s.cfg.APIURL))
	acct, _, err := hc.Account.Details(ctx)
	if err != nil {
		log.WarnContext(ctx, "oauth callback: account details failed", "error", err)
		s.revoke(ctx, tok.RefreshToken)
		s.fail(w, http.StatusBadGateway, "HubSpot connection failed", "HubSpot did not answer while Convrs read the portal's details. Nothing was connected; please try again.")
		return
	}
	if tok.HubID == 0 {
		tok.HubID = info.HubID
	}
	sealed, err := s.sealTokens(st.WorkspaceID, tok)
	if err != nil {
		log.ErrorContext(ctx, "oauth callback: seal tokens", "error", err)
		s.fail(w, http.StatusInternalServerError, "HubSpot connection failed", "Convrs could not store the connection. Nothing was connected.")
		return
	}
	conn := store.Connection{WorkspaceID: st.WorkspaceID, PortalID: info.HubID, UIDomain: acct.UIDomain, HubUserEmail: info.User,
		Scopes: granted, AccessTokenEnc: sealed.AccessTokenEnc, RefreshTokenEnc: sealed.RefreshTokenEnc, TokenExpiresAt: tok.Expiry, ConnectedBy: st.StaffID}

	// Another portal than the one linked before, or customers linked to its contacts, lose those links: ask first.
	oldPortal, linked, err := s.cfg.Store.PortalChange(ctx, st.WorkspaceID, info.HubID)
	if err != nil {
		log.ErrorContext(ctx, "oauth callback: portal change", "error", err)
		s.fail(w, http.StatusInternalServerError, "HubSpot connection failed", "Convrs could not store the connection. Nothing was connected.")
		return
	}
	if linked > 0 || oldPortal != 0 {
		s.askPortalChange(w, r, conn, oldPortal, linked)
		return
	}
	s.connect(w, r, conn)
}

func (s *Service) connect(w http.ResponseWriter, r *http.Request, conn store.Connection) {
	ctx := r.Context()
	integ, replaced, err := s.cfg.Store.SaveHubspotConnection(ctx, conn)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth callback: save connection", "workspace_id", conn.WorkspaceID, "error", err)
		s.fail(w, http.StatusInternalServerError, "HubSpot connection failed", "Convrs could not store the connection. Nothing was connected.")
		return
	}
	s.forgetSource(conn.WorkspaceID)
	// A reconnect starts from HubSpot's current data: cached contact cards, labels and searches go.
	if err := s.cfg.Cache.DeletePrefix(ctx, CachePrefix(conn.WorkspaceID)); err != nil {
		s.cfg.Logger.WarnContext(ctx, "oauth callback: purge cached hubspot data", "workspace_id", conn.WorkspaceID, "error", err)
	}
	// Another portal's tokens were just replaced: revoke them so Convrs does not stay authorized there.
	if rt, err := s.cfg.Box.Open(replaced, tokenContext(conn.WorkspaceID, "refresh")); err == nil {
		s.revoke(ctx, rt)
	}
	s.cfg.Logger.InfoContext(ctx, "hubspot connected", "workspace_id", conn.WorkspaceID, "portal_id", conn.PortalID, "staff_id", conn.ConnectedBy, "state", integ.State)
	s.announce(ctx, conn.WorkspaceID)
	msg := fmt.Sprintf("Convrs is connected to HubSpot portal %d as %s. Return to the Convrs tab", conn.PortalID, conn.HubUserEmail)
	if integ.State == convrs.IntegrationEnabled {
		msg += ": syncing has resumed."
	} else {
		msg += " and press Enable to start syncing."
	}
	s.render(w, http.StatusOK, page{Kind: "ok", Title: "HubSpot connected", Message: msg + " This tab closes itself."})
}

func (s *Service) revoke(ctx context.Context, refreshToken string) {
	if refreshToken == "" {
		return
	}
	if err := s.cfg.OAuth.RevokeRefreshToken(context.WithoutCancel(ctx), refreshToken); err != nil {
		s.cfg.Logger.WarnContext(ctx, "hubspot: revoke refresh token failed", "error", err)
	}
}

func missingScopes(granted []string) []string {
	have := map[string]bool{}
	for _, g := range granted {
		have[g] = true
	}
	var missing []string
	for _, want := range RequiredScopes {
		if !have[want] {
			missing = append(missing, want)
		}
	}
	return missing
}

// pendingTTL is how long a portal-change confirmation waits for the admin.
const pendingTTL = 10 * time.Minute

func pendingKey(id string) string { return "oauth:pending:" + id }

// askPortalChange keeps the new connection (tokens still sealed) in the cache and asks the admin to confirm.
func (s *Service) askPortalChange(w http.ResponseWriter, r *http.Request, conn store.Connection, oldPortal int64, linked int64) {
	ctx := r.Context()
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	data, _ := json.Marshal(conn)
	if err := s.cfg.Cache.Set(ctx, pendingKey(id), data, pendingTTL); err != nil {
		s.fail(w, http.StatusServiceUnavailable, "HubSpot connection failed", "Convrs could not keep the connection while asking you. Please try again.")
		return
	}
	old := "(unknown)"
	if oldPortal != 0 {
		old = fmt.Sprint(oldPortal)
	}
	s.render(w, http.StatusOK, page{Kind: "confirm", Title: "Connect a different HubSpot portal?",
		Message: "Please confirm before Convrs switches portals.", PendingID: id, NewPortal: fmt.Sprint(conn.PortalID), OldPortal: old, Linked: linked})
}

// ConfirmHandler applies or drops a connection waiting for the portal-change confirmation.
func (s *Service) ConfirmHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "The confirmation form was not readable. Nothing was connected.")
			return
		}
		b, ok, err := s.cfg.Cache.Take(ctx, pendingKey(r.PostForm.Get("pending")))
		var conn store.Connection
		if err != nil || !ok || json.Unmarshal(b, &conn) != nil {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "This confirmation has expired or was already answered. Nothing was changed; click Integrate to start again.")
			return
		}
		if r.PostForm.Get("decision") != "confirm" {
			if rt, err := s.cfg.Box.Open(conn.RefreshTokenEnc, tokenContext(conn.WorkspaceID, "refresh")); err == nil {
				s.revoke(ctx, rt)
			}
			s.fail(w, http.StatusOK, "Portal change cancelled", "Nothing was changed: Convrs stays as it was.")
			return
		}
		s.connect(w, r, conn)
	})
}
