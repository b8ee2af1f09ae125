package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// HubspotCardPath is what the HubSpot app card (hubspot-app/src/app/cards/) fetches with hubspot.fetch:
// GET PUBLIC_URL + HubspotCardPath + "?objectId=<contact>", to which HubSpot adds userId, userEmail, portalId
// and appId before signing the whole URL (v3, with the app's client secret).
const HubspotCardPath = "/hubspot/card/conversations"

// Bounds of the card's endpoint. HubSpot itself allows an app 20 concurrent fetches per account, 15 s each,
// 1 MB either way; the gateway holds each portal to the same concurrency (in each process) and a rate (across
// processes: the shared limiter, Redis when configured), and keeps its answers far below the size.
const (
	cardMaxQueryBytes      = 2048
	cardConcurrentByPortal = 20
	cardRequestsPerMinute  = 120
	cardConversationsShown = 20
	cardPreviewRunes       = 140
	cardPreviewLookback    = 5
	cardTimeout            = 10 * time.Second
	// cardMaxPortals bounds the per-portal counters kept in memory; only signed requests create one.
	cardMaxPortals = 10000
)

// cardStore is what the card's endpoint reads.
type cardStore interface {
	WorkspacesByHubspotPortal(ctx context.Context, portalID int64) ([]string, error)
	HubspotContactConversations(ctx context.Context, portalID int64, contactID string, limit int) ([]*convrs.Conversation, error)
	FindWorkspace(ctx context.Context, id string) (*convrs.Workspace, error)
	FindStaffMembers(ctx context.Context, ids []string) ([]*convrs.Staff, error)
	ListMessagesOf(ctx context.Context, conversationIDs []string, page convrs.MessagePage) (map[string][]*convrs.Message, error)
	HubspotSyncsByConversation(ctx context.Context, conversationIDs []string) (map[string]*convrs.HubspotSync, error)
}

// hubspotCardHandler answers the app card: the Convrs conversations about one contact of the calling portal,
// for requests HubSpot signed for exactly this URL within the last five minutes, and nothing else.
type hubspotCardHandler struct {
	secret    string
	publicURL string
	store     cardStore
	// limiter holds each portal to cardRequestsPerMinute across every gateway process sharing it.
	limiter convrs.Limiter
	logger  *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	portals map[int64]*portalBudget
	// refusals throttles the log lines of refused requests: anyone can send them.
	refusals logThrottle
}

// portalBudget is one portal's requests in flight in this process, and when its last one started.
type portalBudget struct {
	inFlight int
	last     time.Time
}

// cardAnswer is the endpoint's JSON. Connected is false when no Convrs workspace is connected to the portal.
type cardAnswer struct {
	Connected     bool               `json:"connected"`
	Conversations []cardConversation `json:"conversations"`
	// More is true when a workspace has more conversations about the contact than the card lists.
	More bool `json:"more"`
	// StartChatURL opens Create New Chat with the contact picked (the console fetches the contact itself).
	StartChatURL string `json:"startChatUrl,omitempty"`
}

type cardConversation struct {
	// Workspace names the Convrs workspace when more than one is connected to the portal.
	Workspace     string `json:"workspace,omitempty"`
	Channel       string `json:"channel"`
	ChannelLabel  string `json:"channelLabel"`
	Status        string `json:"status"`
	AssignedAgent string `json:"assignedAgent,omitempty"`
	// Mine is true when the HubSpot user on the request is the Convrs staff member the chat is assigned to.
	Mine          bool   `json:"mine"`
	LastMessageAt string `json:"lastMessageAt"`
	Preview       string `json:"preview"`
	// Sync says in words where a closed conversation's transcript stands in HubSpot.
	Sync    string `json:"sync,omitempty"`
	OpenURL string `json:"openUrl"`
}

func newHubspotCardHandler(secret, publicURL string, store cardStore, limiter convrs.Limiter, logger *slog.Logger) *hubspotCardHandler {
	return &hubspotCardHandler{secret: secret, publicURL: strings.TrimRight(publicURL, "/"), store: store, limiter: limiter,
		logger: logger, now: time.Now, portals: map[int64]*portalBudget{}}
}

func (h *hubspotCardHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery) > cardMaxQueryBytes {
		h.refused(r, "query too long", nil)
		writeJSON(w, http.StatusRequestURITooLong, map[string]string{"error": "The request's URL is too long."})
		return
	}
	if err := hubspot.CheckWebhookHeaders(r.Header, h.now(), hubspot.DefaultWebhookMaxAge); err != nil {
		h.refused(r, "invalid signature headers", err)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid signature"})
		return
	}
	// HubSpot signs the URL it called (the gateway's public address, the path and the query it completed) and
	// an empty body: a request for another URL, another contact or another portal does not verify.
	uri := h.publicURL + r.URL.RequestURI()
	if err := hubspot.VerifyWebhookV3URI(r.Method, uri, r.Header, nil, h.secret, h.now(), hubspot.DefaultWebhookMaxAge); err != nil {
		h.refused(r, "invalid signature", err)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid signature"})
		return
	}
	q := r.URL.Query()
	portal, err := strconv.ParseInt(q.Get("portalId"), 10, 64)
	if err != nil || portal <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "portalId must be a HubSpot account ID."})
		return
	}
	contact := q.Get("objectId")
	if contact == "" || convrs.ValidContactID(contact) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "objectId must be a HubSpot contact ID."})
		return
	}
	email, _ := convrs.NormalizeEmail(q.Get("userEmail"))
	release, wait := h.take(r.Context(), portal)
	if release == nil {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(wait.Round(time.Second)/time.Second))))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too many requests from this HubSpot account: try again shortly."})
		return
	}
	defer release()

	ctx, cancel := context.WithTimeout(r.Context(), cardTimeout)
	defer cancel()
	answer, err := h.answer(ctx, portal, contact, email)
	if err != nil {
		h.logger.ErrorContext(ctx, "hubspot card: read conversations", "portal_id", portal, "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "Convrs could not read the conversations just now."})
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// maxCardWorkspaces bounds how many workspaces one portal's card answers about.
const maxCardWorkspaces = 10

// answer collects the conversations about contact in every workspace connected to portal.
func (h *hubspotCardHandler) answer(ctx context.Context, portal int64, contact, userEmail string) (*cardAnswer, error) {
	workspaces, err := h.store.WorkspacesByHubspotPortal(ctx, portal)
	if convrs.ErrorCode(err) == convrs.ENOTFOUND {
		workspaces, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	// One portal's card answers about a bounded number of workspaces.
	workspaces = workspaces[:min(len(workspaces), maxCardWorkspaces)]
	out := &cardAnswer{Conversations: []cardConversation{}}
	if len(workspaces) == 0 {
		return out, nil
	}
	out.Connected = true
	out.StartChatURL = h.publicURL + "/#/new?hubspotContactId=" + url.QueryEscape(contact)
	// Open ones first, then the most recently active, across the workspaces too.
	type listed struct {
		open bool
		last time.Time
		c    cardConversation
	}
	var all []listed
	for _, ws := range workspaces {
		sys := convrs.SystemContext(ctx, ws)
		convs, err := h.store.HubspotContactConversations(sys, portal, contact, cardConversationsShown+1)
		if err != nil {
			return nil, err
		}
		if len(convs) > cardConversationsShown {
			convs, out.More = convs[:cardConversationsShown], true
		}
		if len(convs) == 0 {
			continue
		}
		name := ""
		if len(workspaces) > 1 {
			w, err := h.store.FindWorkspace(sys, ws)
			if err != nil {
				return nil, err
			}
			name = w.Name
		}
		ids, staffIDs := make([]string, len(convs)), []string{}
		for i, c := range convs {
			ids[i] = c.ID
			if c.AssignedStaffID != "" {
				staffIDs = append(staffIDs, c.AssignedStaffID)
			}
		}
		staff, err := h.store.FindStaffMembers(sys, staffIDs)
		if err != nil {
			return nil, err
		}
		byID := map[string]*convrs.Staff{}
		for _, s := range staff {
			byID[s.ID] = s
		}
		// The last few lines: the preview is the last one a person wrote ("Conversation closed by …" is not).
		last, err := h.store.ListMessagesOf(sys, ids, convrs.MessagePage{Last: cardPreviewLookback})
		if err != nil {
			return nil, err
		}
		syncs, err := h.store.HubspotSyncsByConversation(sys, ids)
		if err != nil {
			return nil, err
		}
		for _, c := range convs {
			cc := cardConversation{Workspace: name, Channel: c.Channel, ChannelLabel: channelLabel(c.Channel), Status: string(c.Status),
				LastMessageAt: c.LastMessageAt.UTC().Format(time.RFC3339), OpenURL: h.publicURL + "/#/chat/" + url.PathEscape(c.ID)}
			if s := byID[c.AssignedStaffID]; s != nil {
				cc.AssignedAgent = s.Name
				cc.Mine = userEmail != "" && strings.EqualFold(s.Email, userEmail)
			}
			cc.Preview = preview(lastWritten(last[c.ID]), cardPreviewRunes)
			if c.Status == convrs.ConversationClosed {
				cc.Sync = syncInWords(syncs[c.ID])
			}
			all = append(all, listed{open: c.Status == convrs.ConversationOpen, last: c.LastMessageAt, c: cc})
		}
	}
	slices.SortStableFunc(all, func(a, b listed) int {
		if a.open != b.open {
			if a.open {
				return -1
			}
			return 1
		}
		return b.last.Compare(a.last)
	})
	for _, l := range all {
		out.Conversations = append(out.Conversations, l.c)
	}
	return out, nil
}

// take admits one request of portal if it has fewer than cardConcurrentByPortal in flight and fewer than
// cardRequestsPerMinute started in the last minute; release ends it. Otherwise release is nil and wait says
// when to try again.
func (h *hubspotCardHandler) take(ctx context.Context, portal int64) (release func(), wait time.Duration) {
	release, wait = h.takeInFlight(portal)
	if release == nil {
		return nil, wait
	}
	// The rate is shared by every process; with the limiter unreachable (Redis down) the card still answers,
	// held to this process's concurrency.
	wait, err := h.limiter.Take(ctx, "hubspot-card:"+strconv.FormatInt(portal, 10), cardRequestsPerMinute, time.Minute)
	if err != nil {
		h.logger.WarnContext(ctx, "hubspot card: rate limiter unavailable; serving within the concurrency bound", "error", err.Error())
		return release, 0
	}
	if wait > 0 {
		release()
		return nil, wait
	}
	return release, 0
}

// takeInFlight counts one more request of portal in flight in this process, or refuses it.
func (h *hubspotCardHandler) takeInFlight(portal int64) (release func(), wait time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	b := h.portals[portal]
	if b == nil {
		if len(h.portals) >= cardMaxPortals {
			h.forgetIdle(now)
		}
		if len(h.portals) >= cardMaxPortals {
			return nil, time.Second
		}
		b = &portalBudget{}
		h.portals[portal] = b
	}
	if b.inFlight >= cardConcurrentByPortal {
		return nil, time.Second
	}
	b.inFlight++
	b.last = now
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		b.inFlight--
	}, 0
}

// forgetIdle drops the counters of portals with nothing in flight and nothing in the last minute.
func (h *hubspotCardHandler) forgetIdle(now time.Time) {
	for id, b := range h.portals {
		if b.inFlight == 0 && now.Sub(b.last) >= time.Minute {
			delete(h.portals, id)
		}
	}
}

// refused logs one bounded line about a refused request, at most one every refusalLogInterval.
func (h *hubspotCardHandler) refused(r *http.Request, what string, err error) {
	suppressed, ok := h.refusals.allow(h.now(), refusalLogInterval)
	if !ok {
		return
	}
	reason := ""
	if err != nil {
		reason = err.Error()
		if len(reason) > maxLogReason {
			reason = strings.ToValidUTF8(reason[:maxLogReason], "") + "…"
		}
	}
	h.logger.WarnContext(r.Context(), "hubspot card request refused: "+what, "reason", reason,
		"query_bytes", len(r.URL.RawQuery), "remote_addr", r.RemoteAddr, "refusals_not_logged", suppressed)
}

// channelLabel is how the card names a channel.
func channelLabel(c string) string {
	switch convrs.Channel(c) {
	case convrs.ChannelWeb:
		return "Web chat"
	case convrs.ChannelWhatsApp:
		return "WhatsApp"
	case convrs.ChannelSMS:
		return "SMS"
	case convrs.ChannelEmail:
		return "Email"
	}
	return c
}

// lastWritten is the text of the last customer or agent message of msgs (oldest first), else of the last one.
func lastWritten(msgs []*convrs.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].AuthorKind != convrs.AuthorSystem {
			return msgs[i].Text
		}
	}
	if len(msgs) > 0 {
		return msgs[len(msgs)-1].Text
	}
	return ""
}

// preview is text on one line, cut to n characters with an ellipsis.
func preview(text string, n int) string {
	s := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// syncInWords says where a closed conversation's transcript stands in HubSpot (s is nil when it has no sync
// record: it closed while syncing was off).
func syncInWords(s *convrs.HubspotSync) string {
	if s == nil {
		return "Transcript not logged in HubSpot: syncing was off when the chat closed."
	}
	because := func(prefix string) string {
		if s.Reason == "" {
			return prefix + "."
		}
		return prefix + ": " + preview(s.Reason, 200)
	}
	switch s.Status {
	case convrs.SyncSynced:
		return "Transcript logged in HubSpot as a note."
	case convrs.SyncQueued, convrs.SyncRunning:
		return "Transcript being logged in HubSpot."
	case convrs.SyncWaiting:
		return because("Transcript waiting to be logged in HubSpot")
	case convrs.SyncSkipped:
		return because("Transcript not logged in HubSpot")
	case convrs.SyncCancelled:
		return because("Transcript not logged in HubSpot (cancelled)")
	default:
		return because("Transcript could not be logged in HubSpot")
	}
}

// hubspotCard is the card's endpoint, verifying with the client secret the webhooks use (the simulator's in
// development without a HubSpot app).
func (a *App) hubspotCard() http.Handler {
	secret := a.cfg.HubspotClientSecret
	if a.cfg.UseSimulator() {
		secret = hubspotsim.DefaultClientSecret
	}
	return newHubspotCardHandler(secret, a.cfg.PublicURL, a.db, a.limiter, a.logger)
}
