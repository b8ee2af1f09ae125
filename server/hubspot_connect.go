package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/convrs/gateway/integration"
)

// hubspotConnect is the HTTP edge of the HubSpot connect flow: the start link, HubSpot's OAuth callback and the
// portal-switch confirmation. The integration service decides; this serves its outcomes as pages and keeps the
// browser's nonce cookie.
type hubspotConnect struct {
	svc       *integration.Service
	publicURL string
}

// connectPage is what the callback tab shows. Kind is "ok", "error" or "confirm".
type connectPage struct {
	Kind, Title, Message string
	BackURL              string
	Switch               *integration.SwitchQuestion
	ConfirmPath          string
	// Nonce lets the page's own style and script run, and nothing else (its CSP).
	Nonce string
}

var connectPageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Convrs</title>
<style nonce="{{.Nonce}}">
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
{{with .Switch}}
<p>You authorized HubSpot portal <strong>{{.NewPortal}}</strong>, but this workspace was linked to portal <strong>{{.OldPortal}}</strong>.
{{.Linked}} customer(s) are linked to contacts of portal {{.OldPortal}}. Connecting to the new portal removes those links:
their next transcripts will be matched again by email and phone in portal {{.NewPortal}}, and nothing is deleted in either portal.</p>
<form method="post" action="{{$.ConfirmPath}}">
<input type="hidden" name="workspace" value="{{.WorkspaceID}}">
<input type="hidden" name="pending" value="{{.PendingID}}">
<button class="primary" type="submit" name="decision" value="confirm">Connect portal {{.NewPortal}}</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>
{{else}}
<a class="button" id="back" href="{{.BackURL}}">Return to Convrs</a>
{{end}}
<script nonce="{{.Nonce}}">
// Back to the console that opened this tab: close the tab (the card opened it), else bring its opener
// forward; only when neither works does the link open the console here.
(function () {
  var back = document.getElementById("back");
  if (back) back.addEventListener("click", function (e) {
    window.close();
    if (window.closed) { e.preventDefault(); return; }
    if (window.opener && !window.opener.closed) { e.preventDefault(); window.opener.focus(); window.close(); }
  });
  {{if eq .Kind "ok"}}setTimeout(function () { window.close(); }, 1500);{{end}}
})();
</script>
</main></body></html>`))

// statusOf is the HTTP status a result's page answers with.
var statusOf = map[integration.Result]int{
	integration.ResultConnected: http.StatusOK, integration.ResultAskSwitch: http.StatusOK, integration.ResultDeclined: http.StatusOK,
	integration.ResultRefused: http.StatusBadRequest, integration.ResultForbidden: http.StatusForbidden,
	integration.ResultConflict: http.StatusConflict, integration.ResultHubspotFailed: http.StatusBadGateway,
	integration.ResultUnavailable: http.StatusServiceUnavailable, integration.ResultInternal: http.StatusInternalServerError,
}

func (h *hubspotConnect) render(w http.ResponseWriter, o integration.Outcome) {
	h.cookie(w, o)
	p := connectPage{Kind: "error", Title: o.Title, Message: o.Message, BackURL: h.publicURL + "/#/integrations", Switch: o.Switch,
		ConfirmPath: integration.ConfirmPath, Nonce: rand.Text()}
	switch o.Result {
	case integration.ResultConnected:
		p.Kind = "ok"
	case integration.ResultAskSwitch:
		p.Kind = "confirm"
	}
	status, ok := statusOf[o.Result]
	if !ok {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Never framed: a framed confirmation page could be clickjacked into switching portals.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+p.Nonce+"'; script-src 'nonce-"+p.Nonce+"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = connectPageTmpl.Execute(w, p)
}

// start serves the start link Connect returns.
func (h *hubspotConnect) start(w http.ResponseWriter, r *http.Request) {
	o := h.svc.Start(r.Context(), r.URL.Query().Get("state"))
	if o.Result != integration.ResultRedirect {
		h.render(w, o)
		return
	}
	h.cookie(w, o)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, o.AuthURL, http.StatusSeeOther)
}

// callback serves HubSpot's redirect after the consent page.
func (h *hubspotConnect) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	h.render(w, h.svc.Complete(r.Context(), integration.Callback{State: state, Nonce: h.nonceCookie(r, state), Code: q.Get("code"),
		Error: q.Get("error"), ErrorDescription: q.Get("error_description")}))
}

// confirm takes the answer to the portal-switch question, which must come from Convrs's own page (Origin).
func (h *hubspotConnect) confirm(w http.ResponseWriter, r *http.Request) {
	if !h.sameOrigin(r) {
		h.render(w, integration.Outcome{Result: integration.ResultForbidden, Title: "HubSpot connection failed", Message: "This confirmation was not sent from Convrs's own page, so nothing was changed."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		h.render(w, integration.Outcome{Result: integration.ResultRefused, Title: "HubSpot connection failed", Message: "The confirmation form was not readable. Nothing was connected."})
		return
	}
	answer := integration.SwitchAnswer{WorkspaceID: r.PostForm.Get("workspace"), PendingID: r.PostForm.Get("pending"), Confirm: r.PostForm.Get("decision") == "confirm"}
	h.render(w, h.svc.ConfirmSwitch(r.Context(), answer, func(state string) string { return h.nonceCookie(r, state) }))
}

// sameOrigin reports whether a form post came from a page of the gateway's own origin.
func (h *hubspotConnect) sameOrigin(r *http.Request) bool {
	u, err := url.Parse(h.publicURL)
	if err != nil {
		return false
	}
	return r.Header.Get("Origin") == u.Scheme+"://"+u.Host
}

// nonceCookieName is the cookie binding one flow (one state) to a browser: several flows in one browser do not
// overwrite each other's. Over https it carries the __Host- prefix (Secure, host-only, Path=/); plain-http
// development cannot (the prefix requires Secure), so it goes without.
func (h *hubspotConnect) nonceCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	name := "convrs_oauth_" + hex.EncodeToString(sum[:6])
	if h.secureCookies() {
		name = "__Host-" + name
	}
	return name
}

func (h *hubspotConnect) secureCookies() bool { return strings.HasPrefix(h.publicURL, "https://") }

// cookie applies an outcome's CookieAction.
func (h *hubspotConnect) cookie(w http.ResponseWriter, o integration.Outcome) {
	if o.State == "" {
		return
	}
	c := &http.Cookie{Name: h.nonceCookieName(o.State), Path: "/", HttpOnly: true, Secure: h.secureCookies(), SameSite: http.SameSiteLaxMode}
	switch o.Cookie {
	case integration.CookieSet:
		if o.Nonce == "" {
			return
		}
		c.Value, c.MaxAge = o.Nonce, int(o.CookieTTL/time.Second)
	case integration.CookieClear:
		c.MaxAge = -1
	default:
		return
	}
	http.SetCookie(w, c)
}

func (h *hubspotConnect) nonceCookie(r *http.Request, state string) string {
	if state == "" {
		return ""
	}
	c, err := r.Cookie(h.nonceCookieName(state))
	if err != nil {
		return ""
	}
	return c.Value
}
