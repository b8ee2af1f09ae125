package hubspotsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type ctxKey struct{}

// requestInfo carries what the handlers learn about a request back to the request log.
type requestInfo struct {
	portalID int64
	fault    string
}

func withRequestInfo(ctx context.Context, ri *requestInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, ri)
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(ctxKey{}).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

func isControlPath(p string) bool { return strings.HasPrefix(p, "/_sim/") || p == "/_sim" }

// call is an authenticated API request.
type call struct {
	w        http.ResponseWriter
	r        *http.Request
	portalID int64
	token    *accessToken
	// version is the API version of the path: "v3" for the legacy paths, else a dated version.
	version string
}

// enforcesValidationRules reports whether the call's API version applies the portal's validation rules.
func (c *call) enforcesValidationRules() bool {
	return c.version != "v3" && c.version >= validationRulesFrom
}

type limitKind int

const (
	kindBurst limitKind = iota
	kindSearch
)

// api wraps a CRM handler of the legacy (v3) paths: see apiAt.
func (s *Simulator) api(scope string, kind limitKind, h func(*call)) http.Handler {
	return s.apiAt("v3", scope, kind, h)
}

// apiAt wraps a CRM handler of an API version: latency, bearer authentication, fault injection, rate limits,
// scope check.
func (s *Simulator) apiAt(version, scope string, kind limitKind, h func(*call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.delay(r.Context()) {
			return
		}
		tok, authErr := s.authenticate(r)
		if authErr != nil {
			writeAPIError(w, http.StatusUnauthorized, authErr)
			return
		}
		requestInfoFrom(r.Context()).portalID = tok.portalID

		s.mu.Lock()
		p := s.portals[tok.portalID]
		status := 0
		if s.failNext > 0 {
			s.failNext--
			status = s.failStatus
		} else if s.failureRate > 0 && mrand.IntN(100) < s.failureRate {
			status = http.StatusInternalServerError
		}
		var limited bool
		var hdr rateHeaders
		if status == 0 {
			limited, hdr = p.take(kind, s.now(), s.opts)
		} else {
			hdr = p.peek(kind, s.now(), s.opts)
		}
		retryAfter := s.retryAfter
		plan := s.planPostWriteLocked(r)
		s.mu.Unlock()

		hdr.set(w)
		if status == StatusMigrationInProgress {
			writeMigration(w, retryAfter)
			return
		}
		if status != 0 {
			writeFault(w, status, kind)
			return
		}
		if limited {
			writeRateLimited(w, kind)
			return
		}
		if !tok.has(scope) {
			writeAPIError(w, http.StatusForbidden, missingScopes(scope))
			return
		}
		if plan == (postWrite{}) {
			h(&call{w: w, r: r, portalID: tok.portalID, token: tok, version: version})
			return
		}
		s.serveWrite(w, r, plan, func(bw http.ResponseWriter) {
			h(&call{w: bw, r: r, portalID: tok.portalID, token: tok, version: version})
		})
	})
}

// delay applies the configured latency; it reports false when the client went away meanwhile.
func (s *Simulator) delay(ctx context.Context) bool {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// authenticate resolves the bearer token; the error is HubSpot's 401 body.
func (s *Simulator) authenticate(r *http.Request) (*accessToken, *apiError) {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		raw, ok = strings.CutPrefix(h, "bearer ")
	}
	raw = strings.TrimSpace(raw)
	if !ok || raw == "" {
		return nil, &apiError{
			Message:  "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
			Category: "INVALID_AUTHENTICATION",
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.accessTokens[raw]
	if tok == nil || tok.revoked || s.portals[tok.portalID] == nil {
		return nil, &apiError{
			Message:  "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
			Category: "INVALID_AUTHENTICATION",
		}
	}
	if now := s.now(); !now.Before(tok.expiresAt) {
		ago := int64(now.Sub(tok.expiresAt) / time.Second)
		return nil, &apiError{
			Message:  fmt.Sprintf("The OAuth token used to make this call expired %d second(s) ago.", ago),
			Category: "EXPIRED_AUTHENTICATION",
		}
	}
	cp := *tok
	return &cp, nil
}

func missingScopes(scope string) *apiError {
	return &apiError{
		Message:  "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
		Category: "MISSING_SCOPES",
		Errors: []errorDetail{{
			Message: "One or more of the following scopes are required.",
			Context: map[string][]string{"requiredGranularScopes": {scope}},
		}},
		Links: map[string]string{"scopes": "https://developers.hubspot.com/scopes"},
	}
}

// apiError is HubSpot's standard error body.
type apiError struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category,omitempty"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
}

type errorDetail struct {
	Message string              `json:"message"`
	In      string              `json:"in,omitempty"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

func validationError(msg string, details ...errorDetail) *apiError {
	return &apiError{Message: msg, Category: "VALIDATION_ERROR", Errors: details}
}

func notFoundError(msg string) *apiError {
	return &apiError{Message: msg, Category: "OBJECT_NOT_FOUND"}
}

// propertyError is HubSpot's "Property values were not valid" 400.
func propertyError(name, code, msg string) *apiError {
	inner, _ := json.Marshal([]map[string]any{{
		"isValid": false, "message": msg, "error": code, "name": name, "localizedErrorMessage": msg,
	}})
	return &apiError{
		Message:  "Property values were not valid: " + string(inner),
		Category: "VALIDATION_ERROR",
		Errors: []errorDetail{{
			Message: msg,
			Code:    code,
			Context: map[string][]string{"propertyName": {name}},
		}},
	}
}

func writeAPIError(w http.ResponseWriter, status int, e *apiError) {
	e.Status = "error"
	if e.CorrelationID == "" {
		e.CorrelationID = newUUID()
	}
	writeJSON(w, status, e)
}

type rateLimitBody struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	ErrorType     string `json:"errorType"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
}

func writeRateLimited(w http.ResponseWriter, kind limitKind) {
	b := rateLimitBody{
		Status:        "error",
		Message:       "You have reached your ten_secondly_rolling limit.",
		ErrorType:     "RATE_LIMIT",
		CorrelationID: newUUID(),
		PolicyName:    "TEN_SECONDLY_ROLLING",
	}
	if kind == kindSearch {
		b.Message = "You have reached your secondly limit."
		b.PolicyName = "SECONDLY"
	}
	writeJSON(w, http.StatusTooManyRequests, b)
}

// writeFault answers an injected failure with the body HubSpot sends for that status.
func writeFault(w http.ResponseWriter, status int, kind limitKind) {
	switch status {
	case http.StatusTooManyRequests:
		writeRateLimited(w, kind)
	case http.StatusUnauthorized:
		writeAPIError(w, status, &apiError{
			Message:  "The OAuth token used to make this call expired 0 second(s) ago.",
			Category: "EXPIRED_AUTHENTICATION",
		})
	case http.StatusForbidden:
		writeAPIError(w, status, missingScopes(scopeContactsRead))
	case http.StatusNotFound:
		writeAPIError(w, status, notFoundError("resource not found"))
	case http.StatusConflict:
		writeAPIError(w, status, &apiError{Message: "Contact already exists. Existing ID: 0", Category: "CONFLICT"})
	case http.StatusLocked:
		writeAPIError(w, status, &apiError{Message: "The resource is locked, try again later.", Category: "LOCKED"})
	case http.StatusBadRequest:
		writeAPIError(w, status, validationError("Injected validation failure."))
	default:
		if status >= 500 {
			writeAPIError(w, status, &apiError{
				Message:  "internal error",
				Category: "INTERNAL_ERROR",
			})
			return
		}
		writeAPIError(w, status, &apiError{Message: http.StatusText(status)})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readJSON decodes a request body; errors come back as HubSpot's "Invalid input JSON" 400.
func readJSON(r *http.Request, limit int64, v any) (raw []byte, e *apiError) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, limit))
	if err != nil {
		return nil, validationError("Unable to read request body: " + err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return raw, validationError("Invalid input JSON: request body is empty")
		}
		return raw, validationError(fmt.Sprintf("Invalid input JSON on line 1, column %d: %s", jsonColumn(err), err.Error()))
	}
	return raw, nil
}

func jsonColumn(err error) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Offset
	}
	return 1
}

// rateHeaders are the X-HubSpot-RateLimit-* values of one response.
type rateHeaders struct {
	max, remaining, intervalMS int
}

func (h rateHeaders) set(w http.ResponseWriter) {
	if h.max == 0 {
		return
	}
	w.Header().Set("X-HubSpot-RateLimit-Max", strconv.Itoa(h.max))
	w.Header().Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(h.remaining, 0)))
	w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.Itoa(h.intervalMS))
}

func (p *portal) window(kind limitKind, opts Options) (*[]time.Time, int, time.Duration) {
	if kind == kindSearch {
		return &p.searchHits, opts.SearchPerSecond, time.Second
	}
	return &p.burstHits, opts.BurstLimit, 10 * time.Second
}

// take counts one request in the portal's rolling window unless the window is full. Caller holds s.mu.
func (p *portal) take(kind limitKind, now time.Time, opts Options) (limited bool, h rateHeaders) {
	hits, limit, interval := p.window(kind, opts)
	prune(hits, now, interval)
	h = rateHeaders{max: limit, intervalMS: int(interval / time.Millisecond)}
	if len(*hits) >= limit {
		return true, h
	}
	*hits = append(*hits, now)
	h.remaining = limit - len(*hits)
	return false, h
}

// peek reports the window without counting. Caller holds s.mu.
func (p *portal) peek(kind limitKind, now time.Time, opts Options) rateHeaders {
	hits, limit, interval := p.window(kind, opts)
	prune(hits, now, interval)
	return rateHeaders{max: limit, remaining: limit - len(*hits), intervalMS: int(interval / time.Millisecond)}
}

func prune(hits *[]time.Time, now time.Time, interval time.Duration) {
	cut := 0
	for cut < len(*hits) && !(*hits)[cut].After(now.Add(-interval)) {
		cut++
	}
	*hits = (*hits)[cut:]
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *Simulator) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/crm/") || strings.HasPrefix(r.URL.Path, "/oauth/") ||
		strings.HasPrefix(r.URL.Path, "/account-info/") || isControlPath(r.URL.Path) {
		writeAPIError(w, http.StatusNotFound, &apiError{
			Message:  fmt.Sprintf("Unable to find a handler for %s %s", r.Method, r.URL.Path),
			Category: "OBJECT_NOT_FOUND",
		})
		return
	}
	s.renderUIError(w, http.StatusNotFound, "Page not found", "There is nothing at "+r.URL.Path+".")
}
