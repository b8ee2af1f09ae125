package hubspotsim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The /_sim/ control API lets tests in other languages seed and inspect the simulator. It has no auth: never
// expose a simulator beyond the test or demo machine.

func simError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readSimJSON decodes an optional JSON body.
func readSimJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return false
	}
	if len(raw) == 0 {
		return true
	}
	if err := json.Unmarshal(raw, v); err != nil {
		simError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return false
	}
	return true
}

// simPortal resolves {id}, answering 404 itself when unknown.
func (s *Simulator) simPortal(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		s.mu.Lock()
		ok := s.portals[id] != nil
		s.mu.Unlock()
		if ok {
			return id, true
		}
	}
	simError(w, http.StatusNotFound, "unknown portal "+r.PathValue("id"))
	return 0, false
}

type simPortalJSON struct {
	PortalID     int64  `json:"portalId"`
	Name         string `json:"name"`
	UIDomain     string `json:"uiDomain"`
	UserEmail    string `json:"userEmail"`
	AccessToken  string `json:"accessToken,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

func (s *Simulator) handleSimCreatePortal(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID        int64    `json:"id"`
		Name      string   `json:"name"`
		UIDomain  string   `json:"uiDomain"`
		UserEmail string   `json:"userEmail"`
		Country   string   `json:"country"`
		Scopes    []string `json:"scopes"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	p := s.CreatePortal(PortalSpec{ID: in.ID, Name: in.Name, UIDomain: in.UIDomain, UserEmail: in.UserEmail, Country: in.Country})
	access, refresh := s.IssueTokens(p.ID, "", in.Scopes...)
	writeJSON(w, http.StatusCreated, simPortalJSON{
		PortalID: p.ID, Name: p.Name, UIDomain: p.UIDomain, UserEmail: p.UserEmail,
		AccessToken: access, RefreshToken: refresh,
	})
}

func (s *Simulator) handleSimListPortals(w http.ResponseWriter, r *http.Request) {
	out := []simPortalJSON{}
	for _, p := range s.Portals() {
		out = append(out, simPortalJSON{PortalID: p.ID, Name: p.Name, UIDomain: p.UIDomain, UserEmail: p.UserEmail})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) handleSimSeedContact(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	var in struct {
		Properties map[string]string `json:"properties"`
		CreatedAt  flexString        `json:"createdAt"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	var created time.Time
	if in.CreatedAt.set {
		t, ok := parseTimeValue(in.CreatedAt.s)
		if !ok {
			simError(w, http.StatusBadRequest, "createdAt must be ISO 8601 or epoch milliseconds")
			return
		}
		created = t
	}
	id := s.SeedContact(pid, in.Properties, created)
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (s *Simulator) handleSimListContacts(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	type contactOut struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		CreatedAt  string            `json:"createdAt"`
		UpdatedAt  string            `json:"updatedAt"`
	}
	out := []contactOut{}
	for _, c := range s.Contacts(pid) {
		out = append(out, contactOut{ID: c.ID, Properties: c.Properties, CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) handleSimSeedOwner(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	var in struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		FirstName   string `json:"firstName"`
		LastName    string `json:"lastName"`
		UserID      int64  `json:"userId"`
		Deactivated bool   `json:"deactivated"`
		Teams       []Team `json:"teams"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	id := s.SeedOwner(pid, Owner{ID: in.ID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		UserID: in.UserID, Deactivated: in.Deactivated, Teams: in.Teams})
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (s *Simulator) handleSimIssueTokens(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	var in struct {
		UserEmail string   `json:"userEmail"`
		Scopes    []string `json:"scopes"`
	}
	if !readSimJSON(w, r, &in) {
		return
	}
	access, refresh := s.IssueTokens(pid, in.UserEmail, in.Scopes...)
	writeJSON(w, http.StatusCreated, map[string]string{"accessToken": access, "refreshToken": refresh})
}

func (s *Simulator) handleSimRevoke(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	s.RevokeApp(pid)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Simulator) handleSimNotes(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.simPortal(w, r)
	if !ok {
		return
	}
	type noteOut struct {
		ID         string   `json:"id"`
		Body       string   `json:"body"`
		Timestamp  string   `json:"timestamp"`
		OwnerID    string   `json:"ownerId"`
		ContactIDs []string `json:"contactIds"`
	}
	out := []noteOut{}
	for _, n := range s.Notes(pid, r.PathValue("cid")) {
		out = append(out, noteOut{ID: n.ID, Body: n.Body, Timestamp: formatTime(n.Timestamp), OwnerID: n.OwnerID, ContactIDs: n.ContactIDs})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) handleSimExpireToken(w http.ResponseWriter, r *http.Request) {
	s.ExpireAccessToken(r.PathValue("token"))
	w.WriteHeader(http.StatusNoContent)
}

type simFaults struct {
	FailNext           *int   `json:"failNext,omitempty"`
	Status             *int   `json:"status,omitempty"`
	RetryAfterSeconds  *int64 `json:"retryAfterSeconds,omitempty"`
	LatencyMS          *int64 `json:"latencyMs,omitempty"`
	FailureRatePercent *int   `json:"failureRatePercent,omitempty"`

	LatencyAfterWriteMS *int64  `json:"latencyAfterWriteMs,omitempty"`
	LoseNext            *int    `json:"loseNext,omitempty"`
	LoseRatePercent     *int    `json:"loseRatePercent,omitempty"`
	LoseAs              *string `json:"loseAs,omitempty"`
	IndexDelayMS        *int64  `json:"indexDelayMs,omitempty"`
	AccessTokenTTLMS    *int64  `json:"accessTokenTtlMs,omitempty"`
}

// handleSimFaults is POST /_sim/faults: every field optional, the answer is the settings now in force.
func (s *Simulator) handleSimFaults(w http.ResponseWriter, r *http.Request) {
	var in simFaults
	if !readSimJSON(w, r, &in) {
		return
	}
	if in.LoseAs != nil && *in.LoseAs != string(LostAs502) && *in.LoseAs != string(LostAsReset) {
		simError(w, http.StatusBadRequest, `loseAs must be "502" or "reset"`)
		return
	}
	if in.FailNext != nil {
		status := http.StatusInternalServerError
		if in.Status != nil {
			status = *in.Status
		}
		if status < 400 || status > 599 {
			simError(w, http.StatusBadRequest, "status must be an HTTP error status (400-599)")
			return
		}
		if status == StatusMigrationInProgress {
			var retry time.Duration
			if in.RetryAfterSeconds != nil {
				retry = time.Duration(*in.RetryAfterSeconds) * time.Second
			}
			s.FailNextMigration(*in.FailNext, retry)
		} else {
			s.FailNext(*in.FailNext, status)
		}
	}
	if in.LatencyMS != nil {
		s.SetLatency(time.Duration(*in.LatencyMS) * time.Millisecond)
	}
	if in.FailureRatePercent != nil {
		s.SetFailureRate(*in.FailureRatePercent)
	}
	if in.LatencyAfterWriteMS != nil {
		s.SetLatencyAfterWrite(time.Duration(*in.LatencyAfterWriteMS) * time.Millisecond)
	}
	as := LostAs502
	if in.LoseAs != nil {
		as = LostAnswer(*in.LoseAs)
	}
	if in.LoseNext != nil {
		s.LoseNext(*in.LoseNext, as)
	}
	if in.LoseRatePercent != nil {
		s.SetLoseRate(*in.LoseRatePercent, as)
	} else if in.LoseAs != nil {
		s.mu.Lock()
		s.post.loseAs = as
		s.mu.Unlock()
	}
	if in.IndexDelayMS != nil {
		s.SetIndexDelay(time.Duration(*in.IndexDelayMS) * time.Millisecond)
	}
	if in.AccessTokenTTLMS != nil {
		s.SetAccessTokenTTL(time.Duration(*in.AccessTokenTTLMS) * time.Millisecond)
	}
	s.mu.Lock()
	out := simFaults{
		FailNext: ptrTo(s.failNext), Status: ptrTo(s.failStatus), RetryAfterSeconds: ptrTo(int64(s.retryAfter / time.Second)),
		LatencyMS: ptrTo(int64(s.latency / time.Millisecond)), FailureRatePercent: ptrTo(s.failureRate),
		LatencyAfterWriteMS: ptrTo(int64(s.post.latencyAfterWrite / time.Millisecond)), LoseNext: ptrTo(s.post.loseNext),
		LoseRatePercent: ptrTo(s.post.loseRate), LoseAs: ptrTo(string(normLost(s.post.loseAs))),
		IndexDelayMS: ptrTo(int64(s.opts.IndexDelay / time.Millisecond)), AccessTokenTTLMS: ptrTo(int64(s.opts.AccessTokenTTL / time.Millisecond)),
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func ptrTo[T any](v T) *T { return &v }

// handleSimRequests is GET /_sim/requests (?legacy=true: only the requests to legacy paths).
func (s *Simulator) handleSimRequests(w http.ResponseWriter, r *http.Request) {
	reqs := s.Requests()
	if r.URL.Query().Get("legacy") == "true" {
		reqs = s.LegacyRequests()
	}
	if reqs == nil {
		reqs = []RequestLog{}
	}
	writeJSON(w, http.StatusOK, reqs)
}

type simLegacyAPIs struct {
	Enabled *bool `json:"enabled"`
}

// handleSimLegacyAPIs is PUT /_sim/legacy-apis {"enabled": false} (and GET): the switch of the retired APIs.
func (s *Simulator) handleSimLegacyAPIs(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var in simLegacyAPIs
		if !readSimJSON(w, r, &in) {
			return
		}
		if in.Enabled == nil {
			simError(w, http.StatusBadRequest, `"enabled" (true or false) is required`)
			return
		}
		s.SetLegacyAPIs(*in.Enabled)
	}
	on := s.LegacyAPIs()
	writeJSON(w, http.StatusOK, simLegacyAPIs{Enabled: &on})
}
