package match_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/store"
)

var (
	_ match.Contacts = (*hubspot.ContactsService)(nil)
	_ match.Links    = (*store.DB)(nil)
)

// memLinks is the customers table's HubSpot link columns: what store.DB.LinkHubspotContact writes.
type memLinks struct {
	mu    sync.Mutex
	links map[string]link
	calls int
}

type link struct {
	portal  int64
	contact string
	src     convrs.HubspotLinkSource
}

func (l *memLinks) LinkHubspotContact(_ context.Context, customerID string, portalID int64, contactID string, src convrs.HubspotLinkSource) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.links == nil {
		l.links = map[string]link{}
	}
	l.links[customerID] = link{portalID, contactID, src}
	l.calls++
	return nil
}

func (l *memLinks) get(customerID string) (link, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.links[customerID]
	return v, ok
}

// apply returns c with its stored link, as the store would load it.
func (l *memLinks) apply(c *convrs.Customer) *convrs.Customer {
	cp := *c
	if v, ok := l.get(c.ID); ok {
		cp.HubspotPortalID, cp.HubspotContactID, cp.HubspotLink = v.portal, v.contact, v.src
	}
	return &cp
}

type env struct {
	sim    *hubspotsim.TestServer
	portal int64
	region string
	hc     *hubspot.ContactsService
	clock  *testkit.Clock
	links  *memLinks
	locker convrs.Locker
	m      *match.Matcher
}

type envOpts struct {
	country    string // the portal's and workspace's region; default GB
	indexDelay time.Duration
	locker     convrs.Locker
}

func setup(t *testing.T, o envOpts) *env {
	t.Helper()
	if o.country == "" {
		o.country = "GB"
	}
	clk := testkit.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{LegacyAPIsOff: true, IndexDelay: o.indexDelay, Now: clk.Now, SearchPerSecond: 10000, BurstLimit: 100000})
	p := sim.CreatePortal(hubspotsim.PortalSpec{Country: o.country})
	at, _ := sim.IssueTokens(p.ID, "")
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, sim.Client())
	client, err := hubspot.NewClient(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: at})),
		hubspot.WithBaseURL(sim.URL()), hubspot.WithSearchLimit(10000, time.Second), hubspot.WithBurstLimit(100000, 10*time.Second),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if o.locker == nil {
		o.locker = cache.NewMemory()
	}
	links := &memLinks{}
	return &env{
		sim: sim, portal: p.ID, region: o.country, hc: client.Contacts, clock: clk, links: links, locker: o.locker,
		m: match.New(match.Config{Links: links, Locker: o.locker}),
	}
}

// seed stores a contact created at the given offset from the clock's start (negative: earlier).
func (e *env) seed(props map[string]string, age time.Duration) string {
	return e.sim.SeedContact(e.portal, props, e.clock.Now().Add(-age))
}

func (e *env) target(c *convrs.Customer) match.Target {
	return match.Target{Customer: c, PortalID: e.portal, Region: e.region,
		Reload: func(context.Context) (*convrs.Customer, error) { return e.links.apply(c), nil }}
}

// searches counts the search requests the simulator answered.
func (e *env) searches() int {
	n := 0
	for _, r := range e.sim.Requests() {
		if strings.HasSuffix(r.Path, "/search") {
			n++
		}
	}
	return n
}

func (e *env) live() []hubspotsim.Contact {
	var out []hubspotsim.Contact
	for _, c := range e.sim.Contacts(e.portal) {
		if !c.Archived {
			out = append(out, c)
		}
	}
	return out
}

var customerSeq atomic.Int64

func customer(c convrs.Customer) *convrs.Customer {
	if c.ID == "" {
		c.ID = "cus_" + strconv.FormatInt(customerSeq.Add(1), 10)
	}
	if c.WorkspaceID == "" {
		c.WorkspaceID = "ws_1"
	}
	return &c
}
