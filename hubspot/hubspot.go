// Package hubspot is a client for the parts of HubSpot's public API that the gateway uses: contacts, notes,
// owners, account details and OAuth, shaped after google/go-github.
//
// The Client never holds credentials: the OAuth access token is injected by the *http.Client's transport
// (see NewHTTPClient and TokenSource). Every method takes a context first and returns the decoded value, the
// *Response and an error; non-2xx answers become *ErrorResponse (or *RateLimitError, *ConflictError).
//
// The same code talks to real HubSpot and to the simulator in hubspot/hubspotsim: only the base URL differs.
//
// # API versions
//
// Every CRM call goes to HubSpot's date-versioned paths (/crm/objects/{version}/contacts…, /crm/owners/{version},
// /crm/properties/{version}/…, /account-info/{version}/details). The version is held in one place, the Client
// (WithAPIVersion, default DefaultAPIVersion); HubSpot publishes one each March and September and supports each
// for at least 18 months. OAuth uses its own date-versioned endpoints (OAuthVersion).
//
// # Errors
//
// A failed service call reads "hubspot: <operation>: <cause>" ("hubspot: get contact: 404 OBJECT_NOT_FOUND:
// …"), with the package prefix once: what the call wraps (an *ErrorResponse, a *RefreshError when no token
// could be had, ErrResponseTooLarge, the errors of NewRequest and Do) carries none of its own. Match causes
// with errors.Is (ErrNotFound, ErrUnauthorized, …) and errors.As, never by their text.
//
// # Testing against real HubSpot
//
// TestContract runs the calls the gateway depends on (account details, contacts create, get, search and batch
// read, notes create and get) against the simulator, and also against a real HubSpot developer test portal when
// HUBSPOT_TEST_TOKEN holds a private app token of that portal with the scopes crm.objects.contacts.read and
// crm.objects.contacts.write (HUBSPOT_TEST_API_URL overrides the API origin). Without the token the real run is
// skipped, saying why; with it the test deletes the contact and note it created.
//
//	HUBSPOT_TEST_TOKEN=pat-… go test -run TestContract ./hubspot/
//
// # Request shapes
//
// Request bodies follow HubSpot's published OpenAPI schemas to the letter, the way HubSpot's own SDKs send
// them, because HubSpot accepts shorter bodies today but documents these fields as required and may start
// enforcing that at any time:
//
//   - every create (POST /crm/objects/{version}/contacts, contacts/batch/create, POST
//     /crm/objects/{version}/notes, notes/batch/create) sends "associations", [] when there are none;
//   - every search (POST /crm/objects/{version}/{contacts,notes}/search) sends "filterGroups", "sorts" and
//     "properties" ([] when empty), "limit" (DefaultSearchPageSize when not set) and "after" ("0" for the
//     first page); "query" only when there is one (it is optional);
//   - batch read sends "properties" and "propertiesWithHistory" ([] when empty); PATCH sends only
//     "properties", which is all its schema has.
//
// The simulator accepts both the complete and the shorter forms, as HubSpot does; the client tests assert the
// exact bodies, so a missing field fails them.
//
// # Batch creates and 207
//
// HubSpot answers a batch create that partly failed with 207 and errors input by input only when every input
// carries a unique objectWriteTraceId; otherwise one failed input fails the whole call (and nothing is
// created). Set ObjectWriteTraceID on every input to get per-input outcomes. The created records of the answer
// carry their input's objectWriteTraceId where HubSpot echoes it (Note.ObjectWriteTraceID,
// Contact.ObjectWriteTraceID); they are not in input order, and their bodies may come back normalised, so pair
// them by that ID (or by a token of the caller's own), never by comparing what was sent.
package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

const (
	// DefaultBaseURL is HubSpot's API origin.
	DefaultBaseURL = "https://api.hubapi.com/"
	// DefaultAPIVersion is the date-based version of HubSpot's CRM APIs the client calls unless WithAPIVersion
	// says otherwise.
	DefaultAPIVersion = "2026-03"
	// DefaultUserAgent is sent when WithUserAgent is not used.
	DefaultUserAgent = "convrs-gateway-hubspot/1"
	// DefaultMaxResponseBytes caps how much of a response body is read.
	DefaultMaxResponseBytes int64 = 8 << 20
	// DefaultMaxRequestBytes caps the size of an encoded request body.
	DefaultMaxRequestBytes int64 = 8 << 20

	// DefaultBurstLimit and DefaultBurstWindow are HubSpot's per-portal budget for OAuth apps
	// (110 requests per rolling 10 seconds), which search requests do not count against.
	DefaultBurstLimit  = 110
	DefaultBurstWindow = 10 * time.Second
	// DefaultSearchLimit and DefaultSearchWindow are HubSpot's search budget: 5 requests per second per portal.
	DefaultSearchLimit  = 5
	DefaultSearchWindow = time.Second
)

// ErrResponseTooLarge is returned (wrapped) when a response body exceeds the client's limit.
var ErrResponseTooLarge = errors.New("response body too large")

// ErrRequestTooLarge is returned (wrapped) when an encoded request body exceeds the client's limit.
var ErrRequestTooLarge = errors.New("request body too large")

// Client talks to the HubSpot API for one installed portal. Create it with NewClient.
type Client struct {
	client *http.Client

	// BaseURL is the API origin; it always ends with a slash.
	BaseURL *url.URL
	// UserAgent is sent with every request.
	UserAgent string

	// apiVersion is the date-based API version in every CRM path ("2026-03"); see the path helpers below.
	apiVersion string

	limiter      Limiter
	portalKey    string
	burstLimit   int
	burstWindow  time.Duration
	searchLimit  int
	searchWindow time.Duration

	retry            RetryPolicy
	maxResponseBytes int64
	maxRequestBytes  int64

	// sleep and jitter are replaced by tests so retry and rate-limit waits are instant and deterministic.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(n time.Duration) time.Duration

	common service

	Contacts   *ContactsService
	Notes      *NotesService
	Owners     *OwnersService
	Account    *AccountService
	Properties *PropertiesService
}

type service struct {
	client *Client
}

// Option configures a Client; an invalid one makes NewClient fail.
type Option func(*Client) error

// WithBaseURL points the client at another origin (the simulator, a proxy). A path prefix is kept.
func WithBaseURL(base string) Option {
	return func(c *Client) error {
		u, err := url.Parse(base)
		if err != nil {
			return fmt.Errorf("base URL: %w", err)
		}
		if u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("base URL %q is not absolute", base)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.BaseURL = u
		return nil
	}
}

// WithAPIVersion sets the date-based version of HubSpot's CRM APIs the client calls ("2026-03", "2026-09"; see
// ValidateAPIVersion).
func WithAPIVersion(v string) Option {
	return func(c *Client) error {
		if err := ValidateAPIVersion(v); err != nil {
			return err
		}
		c.apiVersion = v
		return nil
	}
}

// apiVersionRe is HubSpot's version naming: a year and the month of a release, March or September.
var apiVersionRe = regexp.MustCompile(`^20[0-9]{2}-(03|09)$`)

// ValidateAPIVersion checks that v names a HubSpot date-based API version: YYYY-03 or YYYY-09.
func ValidateAPIVersion(v string) error {
	if !apiVersionRe.MatchString(v) {
		return fmt.Errorf("API version %q is not a HubSpot release (YYYY-03 or YYYY-09, e.g. %s)", v, DefaultAPIVersion)
	}
	return nil
}

// APIVersion is the date-based API version the client calls.
func (c *Client) APIVersion() string { return c.apiVersion }

// The client's paths, relative to BaseURL, all built here from the one API version.

// objectsPath is crm/objects/{version}/{objectType}.
func (c *Client) objectsPath(objectType string) string {
	return "crm/objects/" + c.apiVersion + "/" + objectType
}

// ownersPath is crm/owners/{version}.
func (c *Client) ownersPath() string { return "crm/owners/" + c.apiVersion }

// propertyPath is crm/properties/{version}/{objectType}/{name}.
func (c *Client) propertyPath(objectType, name string) string {
	return "crm/properties/" + c.apiVersion + "/" + url.PathEscape(objectType) + "/" + url.PathEscape(name)
}

// accountDetailsPath is account-info/{version}/details.
func (c *Client) accountDetailsPath() string { return "account-info/" + c.apiVersion + "/details" }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.UserAgent = ua
		return nil
	}
}

// WithLimiter makes the client take a slot from l before each request. portalKey identifies the portal in
// the limiter's keys (hubspot:rl:{portalKey}:burst and hubspot:rl:{portalKey}:search); share one Limiter
// (e.g. Redis-backed) across processes so they share HubSpot's per-portal budget. Without a limiter the
// client does not pace itself and relies on retrying 429s.
func WithLimiter(l Limiter, portalKey string) Option {
	return func(c *Client) error {
		c.limiter = l
		c.portalKey = portalKey
		return nil
	}
}

// WithBurstLimit overrides the non-search budget (default 110 per 10 s).
func WithBurstLimit(limit int, window time.Duration) Option {
	return func(c *Client) error {
		if limit <= 0 || window <= 0 {
			return fmt.Errorf("burst limit %d per %v is not positive", limit, window)
		}
		c.burstLimit, c.burstWindow = limit, window
		return nil
	}
}

// WithSearchLimit overrides the search budget (default 5 per second).
func WithSearchLimit(limit int, window time.Duration) Option {
	return func(c *Client) error {
		if limit <= 0 || window <= 0 {
			return fmt.Errorf("search limit %d per %v is not positive", limit, window)
		}
		c.searchLimit, c.searchWindow = limit, window
		return nil
	}
}

// WithRetry sets the retry policy; zero fields take their defaults (see RetryPolicy).
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		c.retry = p.withDefaults()
		return nil
	}
}

// WithSleep replaces how the client waits between attempts and for the rate limiter (default: a timer that ctx
// ends early). Tests pass one that moves a fake clock, so retry and rate-limit waits take no real time.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if sleep == nil {
			return errors.New("sleep is nil")
		}
		c.sleep = sleep
		return nil
	}
}

// WithMaxResponseBytes caps how much of a response body is read (default 8 MiB).
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("max response bytes %d is not positive", n)
		}
		c.maxResponseBytes = n
		return nil
	}
}

// WithMaxRequestBytes caps the size of an encoded request body (default 8 MiB).
func WithMaxRequestBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("max request bytes %d is not positive", n)
		}
		c.maxRequestBytes = n
		return nil
	}
}

// NewClient returns a client that sends its requests through httpClient, whose transport is expected to add
// the OAuth bearer token (see NewHTTPClient). A nil httpClient means a plain client without auth. An invalid
// option (a relative base URL, a limit that is not positive) is an error here, not at the first call.
func NewClient(httpClient *http.Client, opts ...Option) (*Client, error) {
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		client:           httpClient,
		BaseURL:          base,
		UserAgent:        DefaultUserAgent,
		apiVersion:       DefaultAPIVersion,
		burstLimit:       DefaultBurstLimit,
		burstWindow:      DefaultBurstWindow,
		searchLimit:      DefaultSearchLimit,
		searchWindow:     DefaultSearchWindow,
		retry:            DefaultRetryPolicy(),
		maxResponseBytes: DefaultMaxResponseBytes,
		maxRequestBytes:  DefaultMaxRequestBytes,
		sleep:            sleepContext,
		jitter:           fullJitter,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("hubspot: new client: %w", err)
		}
	}
	c.common.client = c
	c.Contacts = (*ContactsService)(&c.common)
	c.Notes = (*NotesService)(&c.common)
	c.Owners = (*OwnersService)(&c.common)
	c.Account = (*AccountService)(&c.common)
	c.Properties = (*PropertiesService)(&c.common)
	return c, nil
}

// NewRequest builds a request for urlStr, resolved against BaseURL (so it must not start with a slash).
// A non-nil body is encoded as JSON, without HTML escaping (note bodies are HTML), and buffered so the
// request can be re-sent on retry.
func (c *Client) NewRequest(method, urlStr string, body any) (*http.Request, error) {
	if strings.HasPrefix(urlStr, "/") {
		return nil, fmt.Errorf("request path %q must not start with a slash", urlStr)
	}
	u, err := c.BaseURL.Parse(urlStr)
	if err != nil {
		return nil, fmt.Errorf("request URL: %w", err)
	}
	var buf *bytes.Buffer
	if body != nil {
		buf = &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		if int64(buf.Len()) > c.maxRequestBytes {
			return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrRequestTooLarge, buf.Len(), c.maxRequestBytes)
		}
	}
	var req *http.Request
	if buf != nil {
		// A *bytes.Buffer body gives the request a GetBody, which Do uses to re-send it.
		req, err = http.NewRequest(method, u.String(), buf)
	} else {
		req, err = http.NewRequest(method, u.String(), nil)
	}
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	if buf != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	return req, nil
}

// Response wraps the final *http.Response of a call (its body is already read and closed).
type Response struct {
	*http.Response
	// RateLimit holds the X-HubSpot-RateLimit-* headers of the response, if sent.
	RateLimit RateLimit
	// Attempts is how many requests the call took, retries included.
	Attempts int
}

// RateLimit is what HubSpot reported about the burst budget in a response's headers.
type RateLimit struct {
	Max       int
	Remaining int
	Interval  time.Duration
}

func newResponse(r *http.Response, attempts int) *Response {
	resp := &Response{Response: r, Attempts: attempts}
	h := r.Header
	resp.RateLimit.Max, _ = strconv.Atoi(h.Get("X-HubSpot-RateLimit-Max"))
	resp.RateLimit.Remaining, _ = strconv.Atoi(h.Get("X-HubSpot-RateLimit-Remaining"))
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		resp.RateLimit.Interval = time.Duration(ms) * time.Millisecond
	}
	return resp
}

// budget names the HubSpot rate-limit budget a request counts against.
type budget int

const (
	burstBudget budget = iota
	searchBudget
)

// callOptions describe how Do may treat a request.
type callOptions struct {
	budget budget
	// idempotent requests may be re-sent after an ambiguous failure (5xx, connection lost mid-request).
	idempotent bool
}

// defaultCallOptions classifies a request by method and path: search endpoints use the search budget, and
// only POST is assumed not idempotent (search and batch read are, but Do cannot know that for any POST).
func defaultCallOptions(req *http.Request) callOptions {
	return callOptions{
		budget:     budgetFor(req.URL.Path),
		idempotent: req.Method != http.MethodPost,
	}
}

func budgetFor(path string) budget {
	if strings.HasSuffix(path, "/search") {
		return searchBudget
	}
	return burstBudget
}

// Do sends req, retrying as the RetryPolicy allows, and decodes a 2xx JSON body into v (if v is not nil).
// A non-2xx answer is returned as an error (*ErrorResponse, *RateLimitError or *ConflictError) together with
// the *Response. POST requests sent through Do are treated as non-idempotent.
func (c *Client) Do(ctx context.Context, req *http.Request, v any) (*Response, error) {
	return c.do(ctx, req, v, defaultCallOptions(req))
}

func (c *Client) do(ctx context.Context, req *http.Request, v any, co callOptions) (*Response, error) {
	if ctx == nil {
		return nil, errors.New("nil context")
	}
	var (
		expiredRetries int
		lastResp       *Response
	)
	for attempt := 1; ; attempt++ {
		if err := c.waitForSlot(ctx, co.budget); err != nil {
			return lastResp, err
		}
		r, body, err := c.send(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return lastResp, ctx.Err()
			}
			retry := attempt < c.retry.MaxAttempts && retryableTransportError(err, co.idempotent)
			if !retry {
				return lastResp, err
			}
			if serr := c.sleep(ctx, c.retry.backoff(attempt, c.jitter)); serr != nil {
				return lastResp, errors.Join(err, serr)
			}
			continue
		}
		resp := newResponse(r, attempt)
		lastResp = resp
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			if body.tooLarge {
				return resp, fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, c.maxResponseBytes)
			}
			if v != nil && len(bytes.TrimSpace(body.data)) > 0 {
				if err := json.Unmarshal(body.data, v); err != nil {
					return resp, fmt.Errorf("decode response: %w", err)
				}
			}
			return resp, nil
		}
		apiErr := newAPIError(r, body.data, body.tooLarge)
		d := c.retry.decide(attempt, co.idempotent, &expiredRetries, apiErr, c.jitter)
		if !d.retry {
			return resp, apiErr
		}
		if d.invalidateToken {
			c.invalidateToken(r)
		}
		if err := c.sleep(ctx, d.wait); err != nil {
			return resp, errors.Join(apiErr, err)
		}
	}
}

type responseBody struct {
	data     []byte
	tooLarge bool
}

// send performs one attempt with a fresh copy of the request body and reads at most maxResponseBytes of
// the answer.
func (c *Client) send(ctx context.Context, req *http.Request) (*http.Response, responseBody, error) {
	r := req.Clone(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, responseBody{}, errors.New("request body cannot be re-sent (no GetBody)")
		}
		b, err := req.GetBody()
		if err != nil {
			return nil, responseBody{}, fmt.Errorf("request body: %w", err)
		}
		r.Body = b
	}
	r = withConnTrace(r)
	resp, err := c.client.Do(r)
	if err != nil {
		// No token, so the request never left: the refresh failure is the whole story.
		var re *RefreshError
		if errors.As(err, &re) {
			err = re
		}
		return nil, responseBody{}, transportError{err: err, connected: connected(r)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponseBytes+1))
	if err != nil {
		// The status line arrived, so HubSpot saw the request: not re-sendable unless idempotent.
		return nil, responseBody{}, transportError{err: fmt.Errorf("read response: %w", err), connected: true}
	}
	body := responseBody{data: data}
	if int64(len(data)) > c.maxResponseBytes {
		body.data, body.tooLarge = data[:c.maxResponseBytes], true
	}
	return resp, body, nil
}

// waitForSlot blocks until the limiter admits one request on the budget, or ctx ends.
func (c *Client) waitForSlot(ctx context.Context, b budget) error {
	if c.limiter == nil {
		return nil
	}
	key, limit, window := "hubspot:rl:"+c.portalKey+":burst", c.burstLimit, c.burstWindow
	if b == searchBudget {
		key, limit, window = "hubspot:rl:"+c.portalKey+":search", c.searchLimit, c.searchWindow
	}
	for {
		wait, err := c.limiter.Take(ctx, key, limit, pacedWindow(window))
		if err != nil {
			// Fail closed: the shared budget is what keeps several processes from tripping HubSpot's limit.
			return fmt.Errorf("rate limiter: %w", err)
		}
		if wait <= 0 {
			return nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// invalidateToken tells the token source behind the transport, if it can be told, that HubSpot rejected the
// access token the request carried, so the next request gets a refreshed one.
func (c *Client) invalidateToken(r *http.Response) {
	var inv tokenInvalidator
	switch t := c.client.Transport.(type) {
	case tokenInvalidator:
		inv = t
	case *oauth2.Transport:
		inv, _ = t.Source.(tokenInvalidator)
	}
	if inv == nil {
		return
	}
	var accessToken string
	if r.Request != nil {
		accessToken, _ = strings.CutPrefix(r.Request.Header.Get("Authorization"), "Bearer ")
	}
	inv.InvalidateToken(accessToken)
}

// tokenInvalidator is implemented by transports (and token sources) that cache an access token.
type tokenInvalidator interface {
	// InvalidateToken drops accessToken from the cache; "" means whatever token is cached.
	InvalidateToken(accessToken string)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fullJitter returns a uniformly random duration in [0, n].
func fullJitter(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(n) + 1))
}

// addQuery appends non-empty query values to a relative URL.
func addQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
