package integration

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// Result says how a step of the connect flow ended, and so what the admin's browser is shown.
type Result int

const (
	// ResultRedirect: Start bound the link to the browser; send it on to Outcome.AuthURL.
	ResultRedirect Result = iota + 1
	// ResultConnected: the connection is stored.
	ResultConnected
	// ResultAskSwitch: the connection waits for the admin to confirm a portal switch (Outcome.Switch).
	ResultAskSwitch
	// ResultDeclined: the admin chose not to connect (consent cancelled, a partial grant, a switch cancelled).
	ResultDeclined
	// ResultRefused: the link or the callback cannot be used (forged, expired, used, no code).
	ResultRefused
	// ResultForbidden: another browser than the one that started, or not an administrator.
	ResultForbidden
	// ResultConflict: the integration changed while the admin was being asked.
	ResultConflict
	// ResultHubspotFailed: HubSpot refused the authorization or did not answer.
	ResultHubspotFailed
	// ResultUnavailable: Convrs could not read or keep the flow's state (the cache).
	ResultUnavailable
	// ResultInternal: Convrs could not store the connection.
	ResultInternal
)

// CookieAction says what becomes of the browser's nonce cookie for Outcome.State.
type CookieAction int

const (
	// CookieUnchanged leaves it: nothing was taken, the right browser may still finish.
	CookieUnchanged CookieAction = iota
	// CookieSet sets it to Outcome.Nonce for Outcome.CookieTTL.
	CookieSet
	// CookieClear expires it: the state is used up.
	CookieClear
)

// Outcome is what a step of the connect flow did, in words for the admin: the HTTP edge (server/) renders it.
type Outcome struct {
	Result         Result
	Title, Message string
	// AuthURL is HubSpot's consent page, for ResultRedirect.
	AuthURL string
	// State, Cookie, Nonce and CookieTTL: what the browser's nonce cookie for State becomes.
	State     string
	Cookie    CookieAction
	Nonce     string
	CookieTTL time.Duration
	// Switch is the question, for ResultAskSwitch.
	Switch *SwitchQuestion
	// Reason is what the admin card says about a failed attempt, when it differs from Message (which is
	// written for the HubSpot tab).
	Reason string
}

// SwitchQuestion asks the admin to confirm connecting another portal than the one the workspace was linked to.
type SwitchQuestion struct {
	WorkspaceID, PendingID string
	NewPortal, OldPortal   string
	// Linked is how many customers lose their links to the old portal's contacts.
	Linked int64
}

// Callback is HubSpot's redirect to the callback, with the nonce cookie the browser sent for State.
type Callback struct {
	State, Nonce, Code string
	// Error and ErrorDescription are HubSpot's (or whoever wrote the URL): logged, never shown.
	Error, ErrorDescription string
}

// SwitchAnswer is the admin's answer to a SwitchQuestion.
type SwitchAnswer struct {
	WorkspaceID, PendingID string
	Confirm                bool
}

// SwitchTTL is how long a portal-switch question waits for the admin.
const SwitchTTL = 10 * time.Minute

const failedTitle = "HubSpot connection failed"

func failed(r Result, msg string) Outcome {
	return Outcome{Result: r, Title: failedTitle, Message: msg}
}

func (o Outcome) clearing(state string) Outcome {
	o.State, o.Cookie = state, CookieClear
	return o
}

var (
	notChecked    = failed(ResultUnavailable, "Convrs could not check this connection link. Please try again.")
	notStored     = failed(ResultInternal, "Convrs could not store the connection. Nothing was connected.")
	notAdmin      = "Only an administrator of the workspace can connect HubSpot."
	switchExpired = failed(ResultRefused, "This confirmation has expired or was already answered. Nothing was changed; click Integrate to start again.")
	otherBrowser  = Outcome{Result: ResultForbidden, Title: "Finish in the browser that started", Message: string(stateOtherBrowser) +
		" Click Integrate on the HubSpot card again and finish in the tab it opens, in the same browser. " +
		"If the card is embedded in another site, that browser must allow Convrs's own cookie in that tab."}
)

// Start opens a start link: it binds the flow to this browser with a fresh nonce (the state keeps its hash; the
// browser keeps the nonce in a cookie) and sends it on to HubSpot's consent page. The link works once.
func (s *Service) Start(ctx context.Context, state string) Outcome {
	nonce := randomID(32)
	_, problem, err := s.bindState(ctx, state, hashNonce(nonce))
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth start: state", "error", err)
		return notChecked
	}
	if problem == stateUsed {
		problem = "This connection link has already been opened, so it cannot be used again."
	}
	if problem != "" {
		return failed(ResultRefused, string(problem)+" Start again with Integrate on the HubSpot card.")
	}
	return Outcome{Result: ResultRedirect, AuthURL: s.cfg.OAuth.AuthCodeURL(state, 0), State: state, Cookie: CookieSet, Nonce: nonce, CookieTTL: StateTTL}
}

// Complete finishes the OAuth handshake HubSpot redirected to. Every failure says what happened and stores
// nothing; a failure of a workspace's current attempt is also recorded for its card (LastConnectError) and
// announced. A state Convrs did not issue, or one from another browser, tells no card anything.
func (s *Service) Complete(ctx context.Context, cb Callback) Outcome {
	st, problem, err := s.takeState(ctx, cb.State, cb.Nonce)
	o := s.complete(ctx, cb, st, problem, err)
	if st != nil && o.failed() {
		s.attemptFailed(ctx, st.WorkspaceID, cb.State, o.reason())
	}
	return o
}

func (s *Service) complete(ctx context.Context, cb Callback, st *oauthState, problem stateProblem, err error) Outcome {
	if cb.Error != "" {
		var o Outcome
		if cb.Error == "access_denied" {
			o = Outcome{Result: ResultDeclined, Title: "HubSpot connection cancelled", Message: "You cancelled on HubSpot's consent screen, so nothing was connected. Click Integrate again when you are ready.",
				Reason: "The connection was cancelled on HubSpot's consent page, so nothing was connected."}
		} else {
			s.cfg.Logger.WarnContext(ctx, "oauth callback: HubSpot reported an error", "error", truncate(cb.Error, 100), "error_description", truncate(cb.ErrorDescription, 500))
			o = failed(ResultRefused, "HubSpot did not authorize the connection, so nothing was connected. Click Integrate to try again; if it keeps failing, your HubSpot administrator can check the app's installation.")
			o.Reason = "HubSpot did not authorize the connection, so nothing was connected. If it keeps failing, your HubSpot administrator can check the app's installation."
		}
		if err == nil && st != nil {
			o = o.clearing(cb.State) // a cancelled link cannot be replayed
		}
		return o
	}
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth callback: state", "error", err)
		return notChecked
	}
	if problem == stateOtherBrowser {
		return otherBrowser
	}
	if problem == stateUsed || (problem == stateExpired && st == nil) {
		if o, ok := s.alreadyDone(ctx, cb.State); ok {
			return o
		}
	}
	if problem != "" {
		o := failed(ResultRefused, string(problem)+" Start again with Integrate on the HubSpot card.")
		if st != nil {
			o = o.clearing(cb.State)
		}
		o.Reason = string(problem)
		return o
	}
	if cb.Code == "" {
		return failed(ResultRefused, "HubSpot did not send an authorization code. Nothing was connected.").clearing(cb.State)
	}
	return s.finish(ctx, st, cb)
}

// failed reports whether the outcome ends its attempt without a connection.
func (o Outcome) failed() bool {
	return o.Result != ResultRedirect && o.Result != ResultConnected && o.Result != ResultAskSwitch
}

// reason is what the card says about a failed attempt.
func (o Outcome) reason() string {
	if o.Reason != "" {
		return o.Reason
	}
	return o.Message
}

// finish exchanges the code and checks what HubSpot granted before anything is stored.
func (s *Service) finish(ctx context.Context, st *oauthState, cb Callback) Outcome {
	log := s.cfg.Logger.With("workspace_id", st.WorkspaceID, "staff_id", st.StaffID)
	staff, err := s.cfg.Store.StaffByID(ctx, st.StaffID)
	if err != nil || staff.WorkspaceID != st.WorkspaceID || staff.Role != convrs.RoleAdmin {
		return failed(ResultForbidden, notAdmin+" Nothing was connected.")
	}
	tok, err := s.cfg.OAuth.Exchange(ctx, cb.Code)
	if err != nil {
		log.WarnContext(ctx, "oauth callback: code exchange failed", "error", err)
		o := failed(ResultHubspotFailed, "HubSpot did not accept the authorization (it may have expired). Nothing was connected; click Integrate to try again.")
		o.Reason = "HubSpot did not accept the authorization (it may have expired), so nothing was connected."
		return o
	}
	info, err := s.cfg.OAuth.AccessTokenInfo(ctx, tok.AccessToken)
	if err != nil {
		log.WarnContext(ctx, "oauth callback: token info failed", "error", err)
		s.revoke(ctx, tok.RefreshToken)
		return failed(ResultHubspotFailed, "HubSpot did not answer while Convrs checked the connection. Nothing was connected; please try again.")
	}
	if info.HubID == 0 {
		info.HubID = tok.HubID
	}
	granted := info.Scopes
	if len(granted) == 0 {
		granted = tok.Scopes
	}
	if missing := missingScopes(granted); len(missing) > 0 {
		log.InfoContext(ctx, "oauth callback: partial grant refused", "portal_id", info.HubID, "missing", strings.Join(missing, " "))
		s.revoke(ctx, tok.RefreshToken)
		return Outcome{Result: ResultDeclined, Title: "All permissions are needed", Message: "Convrs cannot work with a partial permission grant, so nothing was connected. " +
			"On HubSpot's consent screen, leave every permission ticked. Missing: " + strings.Join(missing, ", ") + ". Click Integrate to try again.",
			Reason: "HubSpot granted only some of the permissions Convrs needs, so nothing was connected. Leave every permission ticked on HubSpot's consent page. Missing: " + strings.Join(missing, ", ") + "."}
	}
	acct, err := s.accountDetails(ctx, tok)
	if err != nil {
		log.WarnContext(ctx, "oauth callback: account details failed", "error", err)
		s.revoke(ctx, tok.RefreshToken)
		return failed(ResultHubspotFailed, "HubSpot did not answer while Convrs read the portal's details. Nothing was connected; please try again.")
	}
	if tok.HubID == 0 {
		tok.HubID = info.HubID
	}
	sealed, err := s.sealTokens(st.WorkspaceID, tok)
	if err != nil {
		log.ErrorContext(ctx, "oauth callback: seal tokens", "error", err)
		return notStored
	}
	conn := convrs.HubspotConnection{WorkspaceID: st.WorkspaceID, PortalID: info.HubID, UIDomain: acct.UIDomain, HubUserEmail: info.User,
		Scopes: granted, AccessTokenEnc: sealed.AccessTokenEnc, RefreshTokenEnc: sealed.RefreshTokenEnc, TokenExpiresAt: tok.Expiry, ConnectedBy: st.StaffID}

	// Another portal than the one linked before, or customers linked to its contacts, lose those links: ask first.
	oldPortal, linked, err := s.cfg.Store.PortalChange(ctx, st.WorkspaceID, info.HubID)
	if err != nil {
		log.ErrorContext(ctx, "oauth callback: portal change", "error", err)
		return notStored
	}
	if linked > 0 || oldPortal != 0 {
		return s.askPortalChange(ctx, st, cb, conn, oldPortal, linked)
	}
	return s.connect(ctx, cb.State, conn).clearing(cb.State)
}

func (s *Service) connect(ctx context.Context, state string, conn convrs.HubspotConnection) Outcome {
	integ, replaced, err := s.cfg.Store.SaveHubspotConnection(ctx, conn)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth callback: save connection", "workspace_id", conn.WorkspaceID, "error", err)
		return notStored
	}
	s.rememberDone(ctx, state, conn.WorkspaceID)
	s.forgetSource(conn.WorkspaceID)
	s.changed(ctx, conn.WorkspaceID)
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
	s.attemptSucceeded(ctx, conn.WorkspaceID)
	s.cfg.Logger.InfoContext(ctx, "hubspot connected", "workspace_id", conn.WorkspaceID, "portal_id", conn.PortalID, "staff_id", conn.ConnectedBy, "state", integ.State)
	s.announce(ctx, conn.WorkspaceID)
	msg := fmt.Sprintf("Convrs is connected to HubSpot portal %d as %s. Return to the Convrs tab", conn.PortalID, conn.HubUserEmail)
	if integ.State == convrs.IntegrationEnabled {
		msg += ": syncing has resumed."
	} else {
		msg += " and press Enable to start syncing."
	}
	return Outcome{Result: ResultConnected, Title: "HubSpot connected", Message: msg + " This tab closes itself."}
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

// pendingKey holds a workspace's one portal-change question: a new question replaces an older one, and
// Disable drops it.
func pendingKey(workspaceID string) string { return "oauth:pending:" + workspaceID }

// pendingChange is a connection waiting for the admin's answer, bound to the browser that completed the
// handshake and to the integration as it was when the question was asked.
type pendingChange struct {
	ID        string                   `json:"id"`
	Conn      convrs.HubspotConnection `json:"conn"`
	State     string                   `json:"state"`
	NonceHash string                   `json:"nonce"`
	Before    snapshot                 `json:"before"`
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
func (s *Service) askPortalChange(ctx context.Context, st *oauthState, cb Callback, conn convrs.HubspotConnection, oldPortal int64, linked int64) Outcome {
	integ, err := s.cfg.Store.HubspotIntegration(ctx, conn.WorkspaceID)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "oauth callback: read integration", "workspace_id", conn.WorkspaceID, "error", err)
		s.revokeSealed(ctx, conn)
		return notStored
	}
	pc := pendingChange{ID: randomID(18), Conn: conn, State: cb.State, NonceHash: st.NonceHash, Before: snapshotOf(integ)}
	data, _ := json.Marshal(pc)
	s.dropPending(ctx, conn.WorkspaceID) // an unanswered older question: its tokens are revoked
	if err := s.cfg.Cache.Set(ctx, pendingKey(conn.WorkspaceID), data, SwitchTTL); err != nil {
		s.revokeSealed(ctx, conn)
		return failed(ResultUnavailable, "Convrs could not keep the connection while asking you. Please try again.")
	}
	old := "(unknown)"
	if oldPortal != 0 {
		old = fmt.Sprint(oldPortal)
	}
	// The answer must come from this browser too: the cookie lives as long as the question.
	return Outcome{Result: ResultAskSwitch, Title: "Connect a different HubSpot portal?", Message: "Please confirm before Convrs switches portals.",
		State: cb.State, Cookie: CookieSet, Nonce: cb.Nonce, CookieTTL: SwitchTTL,
		Switch: &SwitchQuestion{WorkspaceID: conn.WorkspaceID, PendingID: pc.ID, NewPortal: fmt.Sprint(conn.PortalID), OldPortal: old, Linked: linked}}
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
func (s *Service) revokeSealed(ctx context.Context, conn convrs.HubspotConnection) {
	if rt, err := s.cfg.Box.Open(conn.RefreshTokenEnc, tokenContext(conn.WorkspaceID, "refresh")); err == nil {
		s.revoke(ctx, rt)
	}
}

// ConfirmSwitch applies or drops a connection waiting for the portal-switch confirmation. The answer must come
// from the browser that was asked (nonce returns the nonce cookie that browser sent for a state), from a staff
// member who is still an admin of the workspace, and find the integration as it was when the question was
// asked. The HTTP edge checks that it came from Convrs's own page.
func (s *Service) ConfirmSwitch(ctx context.Context, a SwitchAnswer, nonce func(state string) string) Outcome {
	b, ok, err := s.cfg.Cache.Get(ctx, pendingKey(a.WorkspaceID))
	var pc pendingChange
	if err != nil || !ok || json.Unmarshal(b, &pc) != nil || pc.Conn.WorkspaceID != a.WorkspaceID ||
		subtle.ConstantTimeCompare([]byte(pc.ID), []byte(a.PendingID)) != 1 {
		return switchExpired
	}
	if !nonceMatches(nonce(pc.State), pc.NonceHash) {
		return otherBrowser
	}
	// Taken only now: an answer from elsewhere burns nothing.
	if b, ok, err = s.cfg.Cache.Take(ctx, pendingKey(a.WorkspaceID)); err != nil || !ok || json.Unmarshal(b, &pc) != nil ||
		subtle.ConstantTimeCompare([]byte(pc.ID), []byte(a.PendingID)) != 1 {
		return switchExpired
	}
	o := s.answerSwitch(ctx, a, pc)
	if o.failed() {
		s.attemptFailed(ctx, a.WorkspaceID, pc.State, o.reason())
	}
	return o
}

func (s *Service) answerSwitch(ctx context.Context, a SwitchAnswer, pc pendingChange) Outcome {
	conn := pc.Conn
	if !a.Confirm {
		s.revokeSealed(ctx, conn)
		return Outcome{Result: ResultDeclined, Title: "Portal change cancelled", Message: "Nothing was changed: Convrs stays as it was.",
			Reason: "The switch to HubSpot portal " + fmt.Sprint(conn.PortalID) + " was cancelled, so nothing was changed."}.clearing(pc.State)
	}
	if staff, err := s.cfg.Store.StaffByID(ctx, conn.ConnectedBy); err != nil || staff.WorkspaceID != a.WorkspaceID || staff.Role != convrs.RoleAdmin {
		s.revokeSealed(ctx, conn)
		return failed(ResultForbidden, notAdmin+" Nothing was changed.").clearing(pc.State)
	}
	integ, err := s.cfg.Store.HubspotIntegration(ctx, a.WorkspaceID)
	if err != nil || !snapshotOf(integ).equal(pc.Before) {
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "oauth confirm: read integration", "workspace_id", a.WorkspaceID, "error", err)
		}
		s.revokeSealed(ctx, conn)
		return Outcome{Result: ResultConflict, Title: "HubSpot connection not changed", Message: "The HubSpot integration changed while you were being asked (it was disabled or connected again), so nothing was changed. Click Integrate to start again."}.clearing(pc.State)
	}
	return s.connect(ctx, pc.State, conn).clearing(pc.State)
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

// accountDetails reads the portal's details with the tokens just granted, before anything is stored.
func (s *Service) accountDetails(ctx context.Context, tok *hubspot.Token) (*hubspot.AccountDetails, error) {
	hc, err := hubspot.NewClient(oauth2.NewClient(context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient), oauth2.StaticTokenSource(tok.OAuth2())),
		append([]hubspot.Option{hubspot.WithBaseURL(s.cfg.APIURL), hubspot.WithAPIVersion(s.cfg.APIVersion)}, s.cfg.ClientOptions...)...)
	if err != nil {
		return nil, err
	}
	acct, _, err := hc.Account.Details(ctx)
	return acct, err
}

// truncate keeps logged outside text bounded.
func truncate(v string, n int) string {
	if len(v) > n {
		return v[:n] + "…"
	}
	return v
}
