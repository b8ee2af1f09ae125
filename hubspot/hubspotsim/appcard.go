package hubspotsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AppCard is the simulated app's card on contact records (HubSpot renders a project's card component and runs
// its hubspot.fetch calls): the contact page shows a "Convrs" panel with what FetchURL answers about the contact.
type AppCard struct {
	// FetchURL is the URL the card fetches (in permittedUrls.fetch): the gateway's PUBLIC_URL + its card path.
	FetchURL string
}

// appCardState is the installed card, guarded by Simulator.mu.
type appCardState struct {
	card   AppCard
	client *http.Client
}

// Bounds HubSpot puts on a hubspot.fetch call: 15 s and 1 MB.
const (
	appCardTimeout  = 15 * time.Second
	appCardMaxBytes = 1 << 20
)

// SetAppCard installs the card whose panel the contact pages show; a zero AppCard removes it.
func (s *Simulator) SetAppCard(c AppCard) error {
	if c.FetchURL != "" {
		u, err := url.Parse(c.FetchURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("hubspotsim: app card fetch URL %q must be an absolute http(s) URL without a query", c.FetchURL)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appCard = appCardState{card: c, client: &http.Client{Timeout: appCardTimeout,
		// hubspot.fetch does not follow a redirect to somewhere permittedUrls does not list: none are followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return nil
}

// AppCardUser is the HubSpot user viewing a record, as hubspot.fetch names them to the app.
type AppCardUser struct {
	ID    int64
	Email string
}

// AppCardRequest builds the request HubSpot sends for the card's hubspot.fetch(FetchURL + "?objectId=…") on a
// record of portalID viewed by user: HubSpot adds userId, userEmail, portalId and appId to the query and signs
// the whole URL with the app's client secret (v3), as it signs webhooks.
func (s *Simulator) AppCardRequest(ctx context.Context, fetchURL string, portalID int64, contactID string, user AppCardUser, now time.Time) (*http.Request, error) {
	q := url.Values{}
	q.Set("userId", strconv.FormatInt(user.ID, 10))
	q.Set("userEmail", user.Email)
	q.Set("portalId", strconv.FormatInt(portalID, 10))
	q.Set("appId", strconv.FormatInt(s.opts.AppID, 10))
	// The card's own query first, then HubSpot's parameters.
	target := fetchURL + "?objectId=" + url.QueryEscape(contactID) + "&" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("hubspotsim: app card request: %w", err)
	}
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	req.Header.Set("X-HubSpot-Request-Timestamp", ts)
	req.Header.Set("X-HubSpot-Signature-v3", signV3(s.opts.ClientSecret, http.MethodGet, target, nil, ts))
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// AppCardAnswer is what the gateway's card endpoint answers (the fields the panel shows).
type AppCardAnswer struct {
	Connected     bool `json:"connected"`
	Conversations []struct {
		Workspace     string `json:"workspace"`
		ChannelLabel  string `json:"channelLabel"`
		Status        string `json:"status"`
		AssignedAgent string `json:"assignedAgent"`
		Mine          bool   `json:"mine"`
		LastMessageAt string `json:"lastMessageAt"`
		Preview       string `json:"preview"`
		Sync          string `json:"sync"`
		OpenURL       string `json:"openUrl"`
	} `json:"conversations"`
	More         bool   `json:"more"`
	StartChatURL string `json:"startChatUrl"`
}

// uiAppCard is the panel on a contact page: the answer, or why there is none.
type uiAppCard struct {
	Viewer string
	Answer *AppCardAnswer
	Error  string
	Retry  string
}

// appCardPanel calls the installed card's endpoint for contactID as HubSpot would, or returns nil when no card
// is installed. It runs without s.mu held: the endpoint may take seconds.
func (s *Simulator) appCardPanel(ctx context.Context, portalID int64, contactID string, user AppCardUser, retry string) *uiAppCard {
	s.mu.Lock()
	st := s.appCard
	s.mu.Unlock()
	if st.card.FetchURL == "" {
		return nil
	}
	panel := &uiAppCard{Viewer: user.Email, Retry: retry}
	answer, err := s.fetchAppCard(ctx, st, portalID, contactID, user)
	if err != nil {
		panel.Error = err.Error()
		return panel
	}
	for i := range answer.Conversations {
		if t, err := time.Parse(time.RFC3339, answer.Conversations[i].LastMessageAt); err == nil {
			answer.Conversations[i].LastMessageAt = t.UTC().Format("2 Jan 2006 15:04 UTC")
		}
	}
	panel.Answer = answer
	return panel
}

func (s *Simulator) fetchAppCard(ctx context.Context, st appCardState, portalID int64, contactID string, user AppCardUser) (*AppCardAnswer, error) {
	req, err := s.AppCardRequest(ctx, st.card.FetchURL, portalID, contactID, user, s.now())
	if err != nil {
		return nil, err
	}
	res, err := st.client.Do(req)
	if err != nil {
		return nil, errors.New("the app's server could not be reached")
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, appCardMaxBytes+1))
	if err != nil {
		return nil, errors.New("the app's answer could not be read")
	}
	if len(body) > appCardMaxBytes {
		return nil, errors.New("the app's answer is over HubSpot's 1 MB limit")
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the app's server answered HTTP %d", res.StatusCode)
	}
	var a AppCardAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, errors.New("the app's answer is not the JSON the card expects")
	}
	return &a, nil
}

// viewerLocked is the HubSpot user viewing a portal's records on the simulator's pages: the owner named by id
// (the page's ?user=), else the first active owner.
func viewerLocked(p *portal, id string) AppCardUser {
	for _, oid := range p.ownerOrder {
		o := p.owners[oid]
		if o.Deactivated || (id != "" && o.ID != id) {
			continue
		}
		return AppCardUser{ID: o.UserID, Email: strings.ToLower(o.Email)}
	}
	if id != "" {
		return viewerLocked(p, "")
	}
	return AppCardUser{ID: 1, Email: "user@hubspot.test"}
}
