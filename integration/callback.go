package integration

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
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
	WorkspaceID, PendingID, NewPortal, OldPortal string
	Linked                                       int64
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
<input type="hidden" name="workspace" value="{{.WorkspaceID}}">
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
	// Never framed: a framed confirmation page could be clickjacked into switching portals.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(code)
	_ = pageTmpl.Execute(w, p)
}

func (s *Service) fail(w http.ResponseWriter, code int, title, msg string) {
	s.render(w, code, page{Kind: "error", Title: title, Message: msg})
}

// StartHandler serves the start link Connect returns: it binds the flow to this browser with a fresh nonce
// cookie (the state keeps its hash) and redirects to HubSpot's consent page. The link works once.
func (s *Service) StartHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		state := r.URL.Query().Get("state")
		nonce := randomID(32)
		_, problem, err := s.bindState(ctx, state, hashNonce(nonce))
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "oauth start: state", "error", err)
			s.fail(w, http.StatusServiceUnavailable, "HubSpot connection failed", "Convrs could not check this connection link. Please try again.")
			return
		}
		if problem == stateUsed {
			problem = "This connection link has already been opened, so it cannot be used again."
		}
		if problem != "" {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", string(problem)+" Start again with Integrate on the HubSpot card.")
			return
		}
		s.setNonceCookie(w, state, nonce, StateTTL)
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, s.cfg.OAuth.AuthCodeURL(state, 0), http.StatusSeeOther)
	})
}

// CallbackHandler finishes the OAuth handshake HubSpot redirects to. Every failure shows a page saying what
// happened, with a way back, and stores nothing.
func (s *Service) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		state := q.Get("state")
		nonce := s.nonceCookie(r, state)
		if e := q.Get("error"); e != "" {
			if state != "" {
				if _, problem, _ := s.takeState(ctx, state, nonce); problem == "" {
					s.clearNonceCookie(w, state) // a cancelled link cannot be replayed
				}
			}
			if e == "access_denied" {
				s.fail(w, http.StatusOK, "HubSpot connection cancelled", "You cancelled on HubSpot's consent screen, so nothing was connected. Click Integrate again when you are ready.")
				return
			}
			// HubSpot's words (or whoever wrote this URL) go to the log only: the page is on Convrs's origin.
			s.cfg.Logger.WarnContext(ctx, "oauth callback: HubSpot reported an error", "error", truncate(e, 100), "error_description", truncate(q.Get("error_description"), 500))
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "HubSpot did not authorize the connection, so nothing was connected. Click Integrate to try again; if it keeps failing, your HubSpot administrator can check the app's installation.")
			return
		}
		st, problem, err := s.takeState(ctx, state, nonce)
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "oauth callback: state", "error", err)
			s.fail(w, http.StatusServiceUnavailable, "HubSpot connection failed", "Convrs could not check this connection link. Please try again.")
			return
		}
		if problem == stateOtherBrowser {
			s.failOtherBrowser(w)
			return
		}
		if problem != "" {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", string(problem)+" Start again with Integrate on the HubSpot card.")
			return
		}
		code := q.Get("code")
		if code == "" {
			s.clearNonceCookie(w, state)
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "HubSpot did not send an authorization code. Nothing was connected.")
			return
		}
		s.finish(w, r, st, state, code)
	})
}

func (s *Service) failOtherBrowser(w http.ResponseWriter) {
	s.fail(w, http.StatusForbidden, "Finish in the browser that started", string(stateOtherBrowser)+
		" Click Integrate on the HubSpot card again and finish in the tab it opens, in the same browser. "+
		"If the card is embedded in another site, that browser must allow Convrs's own cookie in that tab.")
}

// finish exchanges the code and checks what HubSpot granted before anything is stored.
func (s *Service) finish(w http.ResponseWriter, r *http.Request, st *oauthState, state, code string) {
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
	acct, err := s.accountDetails(ctx, tok)
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
		s.askPortalChange(w, r, st, state, conn, oldPortal, linked)
		return
	}
	s.clearNonceCookie(w, state)
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
	// The replaced refresh token (another portal's, or an older one of the same portal) would stay valid at
	// HubSpot: revoke it, unless HubSpot handed the same one out again.
	newRT, _ := s.cfg.Box.Open(conn.RefreshTokenEnc, tokenContext(conn.WorkspaceID, "refresh"))
	if rt, err := s.cfg.Box.Open(replaced, tokenContext(conn.WorkspaceID, "refresh")); err == nil && rt != newRT {
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

// pendingKey holds a workspace's one portal-change question: a new question replaces an older one, and
// Disable drops it.
func pendingKey(workspaceID string) string { return "oauth:pending:" + workspaceID }

// pendingChange is a connection waiting for the admin's answer, bound to the browser that completed the
// handshake and to the integration as it was when the question was asked.
type pendingChange struct {
	ID        string           `json:"id"`
	Conn      store.Connection `json:"conn"`
	State     string           `json:"state"`
	NonceHash string           `json:"nonce"`
	Before    snapshot         `json:"before"`
}

// snapshot is what must not have changed between the question and the answer.
type snapshot struct {
	State       convrs.IntegrationState `json:"state"`
	PortalID    int64                   `json:"portal"`
	ConnectedAt *time.Time              `json:"connectedAt"`
}

func snapshotOf(integ *convrs.HubspotIntegration) snapshot {
	return snapshot{State: integ.State, PortalID: integ.PortalID, ConnectedAt: integ.ConnectedAt}
}

func (a snapshot) equal(b snapshot) bool {
	if a.State != b.State || a.PortalID != b.PortalID || (a.ConnectedAt == nil) != (b.ConnectedAt == nil) {
		return false
	}
	return a.ConnectedAt == nil || a.ConnectedAt.Equal(*b.ConnectedAt)
}

// askPortalChange keeps the new connection (tokens still sealed) in the cache and asks the admin to confirm.
func (s *Service) askPortalChange(w http.ResponseWriter, r *http.Request, st *oauthState, state string, conn store.Connection, oldPortal int64, linked int64) {
	ctx := r.Context()
	integ, err := s.cfg.Store.HubspotIntegration(ctx, conn.WorkspaceID)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth callback: read integration", "workspace_id", conn.WorkspaceID, "error", err)
		s.revokeSealed(ctx, conn)
		s.fail(w, http.StatusInternalServerError, "HubSpot connection failed", "Convrs could not store the connection. Nothing was connected.")
		return
	}
	pc := pendingChange{ID: randomID(18), Conn: conn, State: state, NonceHash: st.NonceHash, Before: snapshotOf(integ)}
	data, _ := json.Marshal(pc)
	s.dropPending(ctx, conn.WorkspaceID) // an unanswered older question: its tokens are revoked
	if err := s.cfg.Cache.Set(ctx, pendingKey(conn.WorkspaceID), data, pendingTTL); err != nil {
		s.revokeSealed(ctx, conn)
		s.fail(w, http.StatusServiceUnavailable, "HubSpot connection failed", "Convrs could not keep the connection while asking you. Please try again.")
		return
	}
	// The answer must come from this browser too: the cookie lives as long as the question.
	if nonce := s.nonceCookie(r, state); nonce != "" {
		s.setNonceCookie(w, state, nonce, pendingTTL)
	}
	old := "(unknown)"
	if oldPortal != 0 {
		old = fmt.Sprint(oldPortal)
	}
	s.render(w, http.StatusOK, page{Kind: "confirm", Title: "Connect a different HubSpot portal?",
		Message: "Please confirm before Convrs switches portals.", WorkspaceID: conn.WorkspaceID, PendingID: pc.ID,
		NewPortal: fmt.Sprint(conn.PortalID), OldPortal: old, Linked: linked})
}

// dropPending forgets a workspace's unanswered portal-change question and revokes the tokens it held.
func (s *Service) dropPending(ctx context.Context, workspaceID string) {
	b, ok, err := s.cfg.Cache.Take(ctx, pendingKey(workspaceID))
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "hubspot: drop pending portal change", "workspace_id", workspaceID, "error", err)
		return
	}
	var pc pendingChange
	if ok && json.Unmarshal(b, &pc) == nil {
		s.revokeSealed(ctx, pc.Conn)
		s.cfg.Logger.InfoContext(ctx, "hubspot: pending portal change dropped", "workspace_id", workspaceID, "portal_id", pc.Conn.PortalID)
	}
}

// revokeSealed revokes the refresh token of a connection that will not be stored.
func (s *Service) revokeSealed(ctx context.Context, conn store.Connection) {
	if rt, err := s.cfg.Box.Open(conn.RefreshTokenEnc, tokenContext(conn.WorkspaceID, "refresh")); err == nil {
		s.revoke(ctx, rt)
	}
}

// ConfirmHandler applies or drops a connection waiting for the portal-change confirmation. The answer must
// come from Convrs's own page (Origin), from the browser that was asked (the nonce cookie), from a staff member
// who is still an admin of the workspace, and find the integration as it was when the question was asked.
func (s *Service) ConfirmHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if !s.sameOrigin(r) {
			s.fail(w, http.StatusForbidden, "HubSpot connection failed", "This confirmation was not sent from Convrs's own page, so nothing was changed.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "The confirmation form was not readable. Nothing was connected.")
			return
		}
		expired := func() {
			s.fail(w, http.StatusBadRequest, "HubSpot connection failed", "This confirmation has expired or was already answered. Nothing was changed; click Integrate to start again.")
		}
		workspaceID := r.PostForm.Get("workspace")
		b, ok, err := s.cfg.Cache.Get(ctx, pendingKey(workspaceID))
		var pc pendingChange
		if err != nil || !ok || json.Unmarshal(b, &pc) != nil || pc.Conn.WorkspaceID != workspaceID ||
			subtle.ConstantTimeCompare([]byte(pc.ID), []byte(r.PostForm.Get("pending"))) != 1 {
			expired()
			return
		}
		if !nonceMatches(s.nonceCookie(r, pc.State), pc.NonceHash) {
			s.failOtherBrowser(w)
			return
		}
		// Taken only now: an answer from elsewhere burns nothing.
		if b, ok, err = s.cfg.Cache.Take(ctx, pendingKey(workspaceID)); err != nil || !ok || json.Unmarshal(b, &pc) != nil ||
			subtle.ConstantTimeCompare([]byte(pc.ID), []byte(r.PostForm.Get("pending"))) != 1 {
			expired()
			return
		}
		s.clearNonceCookie(w, pc.State)
		conn := pc.Conn
		if r.PostForm.Get("decision") != "confirm" {
			s.revokeSealed(ctx, conn)
			s.fail(w, http.StatusOK, "Portal change cancelled", "Nothing was changed: Convrs stays as it was.")
			return
		}
		if staff, err := s.cfg.Store.StaffByID(ctx, conn.ConnectedBy); err != nil || staff.WorkspaceID != workspaceID || staff.Role != convrs.RoleAdmin {
			s.revokeSealed(ctx, conn)
			s.fail(w, http.StatusForbidden, "HubSpot connection failed", "Only an administrator of the workspace can connect HubSpot. Nothing was changed.")
			return
		}
		integ, err := s.cfg.Store.HubspotIntegration(ctx, workspaceID)
		if err != nil || !snapshotOf(integ).equal(pc.Before) {
			if err != nil {
				s.cfg.Logger.ErrorContext(ctx, "oauth confirm: read integration", "workspace_id", workspaceID, "error", err)
			}
			s.revokeSealed(ctx, conn)
			s.fail(w, http.StatusConflict, "HubSpot connection not changed", "The HubSpot integration changed while you were being asked (it was disabled or connected again), so nothing was changed. Click Integrate to start again.")
			return
		}
		s.connect(w, r, conn)
	})
}

// sameOrigin reports whether a form post came from a page of the gateway's own origin.
func (s *Service) sameOrigin(r *http.Request) bool {
	u, err := url.Parse(s.cfg.PublicURL)
	if err != nil {
		return false
	}
	return r.Header.Get("Origin") == u.Scheme+"://"+u.Host
}

// nonceCookieName is the cookie binding one flow (one state) to a browser: several flows in one browser do not
// overwrite each other's. Over https it carries the __Host- prefix (Secure, host-only, Path=/); plain-http
// development cannot (the prefix requires Secure), so it goes without.
func (s *Service) nonceCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	name := "convrs_oauth_" + hex.EncodeToString(sum[:6])
	if s.secureCookies() {
		name = "__Host-" + name
	}
	return name
}

func (s *Service) secureCookies() bool { return strings.HasPrefix(s.cfg.PublicURL, "https://") }

func (s *Service) setNonceCookie(w http.ResponseWriter, state, nonce string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: s.nonceCookieName(state), Value: nonce, Path: "/", MaxAge: int(ttl / time.Second),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Service) clearNonceCookie(w http.ResponseWriter, state string) {
	http.SetCookie(w, &http.Cookie{Name: s.nonceCookieName(state), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Service) nonceCookie(r *http.Request, state string) string {
	if state == "" {
		return ""
	}
	c, err := r.Cookie(s.nonceCookieName(state))
	if err != nil {
		return ""
	}
	return c.Value
}

func hashNonce(nonce string) string {
	sum := sha256.Sum256([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func nonceMatches(nonce, hash string) bool {
	return nonce != "" && hash != "" && subtle.ConstantTimeCompare([]byte(hashNonce(nonce)), []byte(hash)) == 1
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// truncate keeps logged outside text bounded.
func truncate(v string, n int) string {
	if len(v) > n {
		return v[:n] + "…"
	}
	return v
}

// accountDetails reads the portal's details with the tokens just granted, before anything is stored.
func (s *Service) accountDetails(ctx context.Context, tok *hubspot.Token) (*hubspot.AccountDetails, error) {
	hc, err := hubspot.NewClient(oauth2.NewClient(context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient), oauth2.StaticTokenSource(tok.OAuth2())),
		hubspot.WithBaseURL(s.cfg.APIURL))
	if err != nil {
		return nil, err
	}
	acct, _, err := hc.Account.Details(ctx)
	return acct, err
}
