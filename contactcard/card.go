// Package contactcard serves the agent's HubSpot card (the User Details panel's HubSpot section), outbound
// HubSpot search for Create New Chat, and the live updates HubSpot's webhooks drive. Lookups go through the
// shared cache (Redis when configured) with single-flight, so twenty agents opening one chat cost HubSpot one
// call per thing fetched; the matching rules are package match's, read-only here.
package contactcard

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/match"
)

// Store is the storage the service needs (*store.DB satisfies it).
type Store interface {
	FindCustomer(ctx context.Context, id string) (*convrs.Customer, error)
	FindWorkspace(ctx context.Context, id string) (*convrs.Workspace, error)
	HubspotIntegration(ctx context.Context, workspaceID string) (*convrs.HubspotIntegration, error)
	LinkHubspotContact(ctx context.Context, customerID string, portalID int64, contactID string, src convrs.HubspotLinkSource) error
	UnlinkHubspotContact(ctx context.Context, customerID string, portalID int64) (string, error)
	FindConversation(ctx context.Context, id string) (*convrs.Conversation, error)
	FindStaff(ctx context.Context, id string) (*convrs.Staff, error)
	WorkspacesByHubspotPortal(ctx context.Context, portalID int64) ([]string, error)
	ForgetHubspotContactInSyncs(ctx context.Context, contactIDs []string) (int64, error)
	CustomersLinkedToHubspot(ctx context.Context, portalID int64, contactIDs []string) ([]string, error)
	RelinkHubspotContacts(ctx context.Context, portalID int64, fromIDs []string, toID string) ([]string, error)
}

// Clients hands out a workspace's HubSpot client and the links to its contacts (*integration.Service satisfies
// it). Declared here, by its consumer, with only what the card uses (package hubsync declares its own). Recent
// and Current are the card's: the client and integration kept a few seconds, current while the cache holds their
// generation.
type Clients interface {
	Client(ctx context.Context, workspaceID string) (*hubspot.Client, *convrs.HubspotIntegration, error)
	Recent(workspaceID string) *integration.Recent
	Current(ctx context.Context, workspaceID string) *integration.Recent
	ContactURL(integ *convrs.HubspotIntegration, contactID string) string
}

// Matcher finds a customer's contact without creating one (*match.Matcher satisfies it).
type Matcher interface {
	Find(ctx context.Context, hc match.Contacts, t match.Target) (*match.Result, error)
}

// TTLs say how long each kind of cached datum is kept.
type TTLs struct {
	// Card is the contact's properties and a "no match" answer: short, webhooks refresh it sooner.
	Card time.Duration
	// Link is which contact a customer matched, and how many shared the email or phone.
	Link time.Duration
	// Labels (lifecycle stage labels) and Owner change rarely.
	Labels time.Duration
	Owner  time.Duration
	// Search is outbound search results: seconds, enough for a typing agent's repeats.
	Search time.Duration
}

// DefaultTTLs are the TTLs the README documents.
var DefaultTTLs = TTLs{Card: 2 * time.Minute, Link: time.Hour, Labels: 24 * time.Hour, Owner: 24 * time.Hour, Search: 10 * time.Second}

// Config wires a Service. Store, Clients, Matcher, Cache, Locker and PubSub are required.
type Config struct {
	Store   Store
	Clients Clients
	Matcher Matcher
	Cache   convrs.Cache
	Locker  convrs.Locker
	PubSub  convrs.PubSub
	Logger  *slog.Logger
	TTLs    TTLs
	Now     func() time.Time
}

// Service implements convrs.HubspotContactService.
type Service struct {
	cfg    Config
	flight singleflight.Group

	mu             sync.Mutex
	cacheDownUntil time.Time
	regions        sync.Map // workspace ID → regionEntry

	// ignored counts the webhook events acknowledged without effect, by reason (WebhookIgnoreReasons).
	ignored [len(WebhookIgnoreReasons)]atomic.Uint64

	live liveCards // the open cards of this process (watch.go)
	// owners are the owner IDs of the contacts this process showed last (by contact cache key): a warm card
	// reads that owner with its other cache entries, in one round trip.
	owners  *lru.Cache[string, string]
	rematch rematchState // the workspace-wide re-matches due (watch.go)
}

var _ convrs.HubspotContactService = (*Service)(nil)

// New returns a Service; zero TTLs take DefaultTTLs' values.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := DefaultTTLs
	for _, p := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&cfg.TTLs.Card, d.Card}, {&cfg.TTLs.Link, d.Link}, {&cfg.TTLs.Labels, d.Labels}, {&cfg.TTLs.Owner, d.Owner}, {&cfg.TTLs.Search, d.Search},
	} {
		if *p.v <= 0 {
			*p.v = p.def
		}
	}
	owners, _ := lru.New[string, string](ownerHints)
	return &Service{cfg: cfg, owners: owners}
}

// ownerHints bounds how many contacts' owner IDs a process remembers.
const ownerHints = 10000

func (s *Service) now() time.Time { return s.cfg.Now() }

// SetMatcher sets the matcher after New, for a matcher that links through the service's NotifyingLinks.
func (s *Service) SetMatcher(m Matcher) { s.cfg.Matcher = m }

// Contact returns the customer's card. HubSpot trouble is an UNAVAILABLE outcome, never an error.
func (s *Service) Contact(ctx context.Context, customerID string) (*convrs.HubspotContactLookup, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	cust, err := s.cfg.Store.FindCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	return s.lookup(ctx, p.WorkspaceID, cust), nil
}

// linkEntry is a cached match: which contact, by which rule, among how many.
type linkEntry struct {
	Outcome    convrs.HubspotContactOutcome `json:"o"`
	ContactID  string                       `json:"c,omitempty"`
	Rule       convrs.HubspotMatchRule      `json:"r,omitempty"`
	Candidates int                          `json:"n,omitempty"`
	// Src is how the link was made (the rule and value, or who chose it).
	Src convrs.HubspotLinkSource `json:"s,omitempty"`
	// Details is the hash of what was matched on; Gen the "no match" generation it was found in.
	Details string `json:"d,omitempty"`
	Gen     string `json:"g,omitempty"`
}

// owner is a cached owner; an empty one is an owner HubSpot no longer knows.
type owner struct {
	Name  string `json:"n,omitempty"`
	Email string `json:"e,omitempty"`
}

func (s *Service) lookup(ctx context.Context, ws string, cust *convrs.Customer) *convrs.HubspotContactLookup {
	out := &convrs.HubspotContactLookup{CustomerID: cust.ID}
	ctx, hc, integ, clientErr := s.client(ctx, ws, cust)
	if integ == nil {
		return s.unavailable(ctx, out, clientErr)
	}
	switch integ.State {
	case convrs.IntegrationEnabled:
	case convrs.IntegrationError:
		return s.unavailable(ctx, out, hubfault.NeedsReconnect(integ.ErrorReason))
	default:
		out.Outcome, out.Message = convrs.ContactNotEnabled, "HubSpot is not enabled for this workspace."
		return out
	}
	linked := cust.HubspotContactID != "" && cust.HubspotPortalID == integ.PortalID
	if !linked && cust.Email == "" && cust.Phone == "" && cust.PhoneRaw == "" && cust.Name() == "" {
		out.Outcome, out.Message = convrs.ContactAnonymous, "This customer has no email, phone or name to match in HubSpot."
		return out
	}
	if clientErr != nil {
		return s.unavailable(ctx, out, clientErr)
	}
	region, loc := s.workspaceZone(ctx, ws)
	for _, r := range cust.HubspotNotThisPerson {
		if r.PortalID == integ.PortalID {
			out.NotThisPerson++
		}
	}
	link, ct, err := s.linkAndContact(ctx, hc, integ, region, cust)
	if err != nil {
		return s.unavailable(ctx, out, err)
	}
	switch link.Outcome {
	case convrs.ContactAnonymous:
		out.Outcome, out.Message = convrs.ContactAnonymous, "This customer has no email, phone or name to match in HubSpot."
		return out
	case convrs.ContactNoMatch:
		out.Outcome, out.Message = convrs.ContactNoMatch, "No HubSpot contact matches this customer's email or phone."
		if out.NotThisPerson > 0 {
			out.Message = "No HubSpot contact matches this customer's email or phone, apart from contacts an agent unlinked as not this person."
		}
		return out
	}
	src := link.Src
	if !src.Known() {
		src = convrs.HubspotLinkSource{Rule: link.Rule}
	}
	// The rule (or person) that made the link stays visible once it is stored, not "CRM link".
	out.Outcome, out.MatchedBy, out.Candidates = convrs.ContactFound, src.Rule, link.Candidates
	out.Link, out.LinkWords = src, src.Words(loc, s.now())
	if link.Candidates > 1 {
		out.Outcome = convrs.ContactMultipleMatches
	}
	out.Contact = s.present(ctx, hc, integ, ct)
	return out
}

// client returns the workspace's HubSpot client and integration, and ctx with the card's cache entries read
// ahead. A warm card reuses the integration and client read within integration.RecentTTL, checking in the same
// round trip as its cache entries that no process has changed the integration since; otherwise (or with the
// cache down) the integration row is read.
func (s *Service) client(ctx context.Context, ws string, cust *convrs.Customer) (context.Context, *hubspot.Client, *convrs.HubspotIntegration, error) {
	if r := s.cfg.Clients.Recent(ws); r != nil && s.cacheOK(ctx) {
		keys := append([]string{r.GenKey}, s.cardKeys(ws, r.Integration, cust)...)
		if pctx, vals, ok := s.prefetchAll(ctx, keys); ok && string(vals[0]) == r.Gen {
			return pctx, r.Client, r.Integration, r.Err
		}
	}
	r := s.cfg.Clients.Current(ctx, ws)
	if r.Integration != nil {
		if pctx, _, ok := s.prefetchAll(ctx, s.cardKeys(ws, r.Integration, cust)); ok {
			ctx = pctx
		}
	}
	return ctx, r.Client, r.Integration, r.Err
}

// cardKeys are the cache entries a warm card reads, in one round trip: the "no match" generation, the
// customer's match, the linked contact, the lifecycle labels and the owner the contact had when this process
// last showed it (the owner really shown is the contact's: another one is read on its own). None unless
// syncing is on.
func (s *Service) cardKeys(ws string, integ *convrs.HubspotIntegration, cust *convrs.Customer) []string {
	if integ.State != convrs.IntegrationEnabled {
		return nil
	}
	portal := integ.PortalID
	keys := []string{genKey(ws, portal, "nomatch"), linkKey(ws, portal, cust.ID), labelsKey(ws, portal)}
	if cust.HubspotContactID != "" && cust.HubspotPortalID == portal {
		ck := contactKey(ws, portal, cust.HubspotContactID)
		keys = append(keys, ck)
		if id, ok := s.owners.Get(ck); ok {
			keys = append(keys, ownerKey(ws, portal, id))
		}
	}
	return keys
}

// linkAndContact returns the customer's match and the matched contact, from the cache or HubSpot. A cached
// link whose contact has gone (deleted, merged away) is dropped and the customer matched again, once.
func (s *Service) linkAndContact(ctx context.Context, hc *hubspot.Client, integ *convrs.HubspotIntegration, region string, cust *convrs.Customer) (linkEntry, *hubspot.Contact, error) {
	ws, portal := cust.WorkspaceID, integ.PortalID
	for attempt := 0; ; attempt++ {
		link, err := s.link(ctx, hc, integ, region, cust)
		if err != nil || link.ContactID == "" {
			return link, nil, err
		}
		ct, err := s.contact(ctx, hc, ws, portal, link.ContactID)
		if err == nil {
			return link, ct, nil
		}
		if !errors.Is(err, hubspot.ErrNotFound) || attempt > 0 {
			return link, nil, err
		}
		s.forgetCustomer(ctx, ws, portal, cust.ID)
		s.cacheDelete(ctx, contactKey(ws, portal, link.ContactID))
		if fresh, ferr := s.cfg.Store.FindCustomer(ctx, cust.ID); ferr == nil {
			cust = fresh
		}
	}
}

// link returns the customer's cached match, or matches now (match.Find, which links a new match).
func (s *Service) link(ctx context.Context, hc *hubspot.Client, integ *convrs.HubspotIntegration, region string, cust *convrs.Customer) (linkEntry, error) {
	ws, portal := cust.WorkspaceID, integ.PortalID
	key := linkKey(ws, portal, cust.ID)
	// The entry names the details matched on, so an edited email or phone is matched afresh; a "no match"
	// names its generation, which a new or restored contact in HubSpot ends.
	var notThis []string
	for _, r := range cust.HubspotNotThisPerson {
		notThis = append(notThis, r.String())
	}
	details := hash(cust.Email, cust.Phone, cust.PhoneRaw, cust.FirstName, cust.LastName, region, strings.Join(notThis, " "))
	gen := s.generation(ctx, ws, portal, "nomatch")
	stored := ""
	if cust.HubspotPortalID == portal {
		stored = cust.HubspotContactID
	}
	if v, ok := s.cacheGet(ctx, key); ok {
		var e linkEntry
		// A link stored since (outbound pick, the sync) wins over the cached match.
		if jsonDecode(v, &e) && e.Details == details && (stored == "" || e.ContactID == stored) &&
			(e.Outcome != convrs.ContactNoMatch || e.Gen == gen) {
			return e, nil
		}
		s.cacheDelete(ctx, key)
	}
	return load(ctx, s, key, s.cfg.TTLs.Link, func(ctx context.Context) (linkEntry, time.Duration, error) {
		res, err := s.cfg.Matcher.Find(ctx, hc.Contacts, match.Target{Customer: cust, PortalID: portal, Region: region})
		switch {
		case errors.Is(err, match.ErrAnonymous):
			return linkEntry{Outcome: convrs.ContactAnonymous, Details: details}, s.cfg.TTLs.Card, nil
		case errors.Is(err, match.ErrNoMatch):
			return linkEntry{Outcome: convrs.ContactNoMatch, Details: details, Gen: gen}, s.cfg.TTLs.Card, nil
		case err != nil:
			return linkEntry{}, 0, err
		}
		s.setJSON(ctx, contactKey(ws, portal, res.Contact.ID), res.Contact, s.cfg.TTLs.Card)
		if res.Linked {
			s.cfg.Logger.InfoContext(ctx, "contactcard: customer linked to hubspot contact", "workspace_id", ws,
				"customer_id", cust.ID, "portal_id", portal, "contact_id", res.Contact.ID, "matched_by", res.Rule)
			s.notify(ctx, ws, cust.ID)
		}
		return linkEntry{Outcome: convrs.ContactFound, ContactID: res.Contact.ID, Rule: res.Rule, Candidates: res.Candidates, Src: res.Source, Details: details}, 0, nil
	})
}

// contact returns a contact's properties. A merged contact answers under its new ID: the links follow it.
func (s *Service) contact(ctx context.Context, hc *hubspot.Client, ws string, portal int64, id string) (*hubspot.Contact, error) {
	return load(ctx, s, contactKey(ws, portal, id), s.cfg.TTLs.Card, func(ctx context.Context) (*hubspot.Contact, time.Duration, error) {
		ct, _, err := hc.Contacts.Get(ctx, id, match.Properties)
		if err != nil {
			return nil, 0, err
		}
		if ct.ID != id {
			s.relink(ctx, ws, portal, []string{id}, ct.ID)
		}
		return ct, 0, nil
	})
}

// present turns a contact into the card's fields, with the lifecycle stage's label and the owner. Labels and
// owners that cannot be read leave the raw stage and no owner: the card shows what it has.
func (s *Service) present(ctx context.Context, hc *hubspot.Client, integ *convrs.HubspotIntegration, ct *hubspot.Contact) *convrs.HubspotContact {
	ws, portal := integ.WorkspaceID, integ.PortalID
	out := &convrs.HubspotContact{
		ID: ct.ID, FirstName: ct.Prop("firstname"), LastName: ct.Prop("lastname"), Email: ct.Prop("email"),
		Phone: ct.Prop("phone"), MobilePhone: ct.Prop("mobilephone"), URL: s.cfg.Clients.ContactURL(integ, ct.ID),
	}
	if t := match.CreatedAt(ct); !t.IsZero() {
		out.CreatedAt = &t
	}
	if t, ok := propTime(ct.Prop(match.PropLastActivity)); ok {
		out.LastActivityAt = &t
	}
	if stage := ct.Prop("lifecyclestage"); stage != "" {
		out.LifecycleStage = stage
		labels, err := load(ctx, s, labelsKey(ws, portal), s.cfg.TTLs.Labels, func(ctx context.Context) (map[string]string, time.Duration, error) {
			return lifecycleLabels(ctx, hc)
		})
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "contactcard: lifecycle stage labels unavailable", "workspace_id", ws, "portal_id", portal, "error", err)
		} else if l := labels[stage]; l != "" {
			out.LifecycleStage = l
		}
	}
	if id := ct.Prop("hubspot_owner_id"); id != "" {
		s.owners.Add(contactKey(ws, portal, ct.ID), id)
		o, err := load(ctx, s, ownerKey(ws, portal, id), s.cfg.TTLs.Owner, func(ctx context.Context) (owner, time.Duration, error) {
			o, _, err := hc.Owners.Get(ctx, id)
			if errors.Is(err, hubspot.ErrNotFound) {
				return owner{}, 0, nil
			} else if err != nil {
				return owner{}, 0, err
			}
			name := strings.TrimSpace(o.FirstName + " " + o.LastName)
			return owner{Name: name, Email: o.Email}, 0, nil
		})
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "contactcard: owner unavailable", "workspace_id", ws, "portal_id", portal, "owner_id", id, "error", err)
		} else if o != (owner{}) {
			out.Owner = &convrs.HubspotOwner{ID: id, Name: o.Name, Email: o.Email}
		}
	}
	return out
}

// lifecycleLabels reads the lifecycle stage's options (custom stages included) through the properties API.
// A portal without the property (404) has no labels: values are shown as they are, and asked again after an
// hour.
func lifecycleLabels(ctx context.Context, hc *hubspot.Client) (map[string]string, time.Duration, error) {
	p, _, err := hc.Properties.Get(ctx, hubspot.ObjectTypeContacts, hubspot.PropLifecycleStage)
	if errors.Is(err, hubspot.ErrNotFound) {
		return map[string]string{}, time.Hour, nil
	} else if err != nil {
		return nil, 0, err
	}
	out := make(map[string]string, len(p.Options))
	for _, o := range p.Options {
		out[o.Value] = o.Label
	}
	return out, 0, nil
}

// unavailable is the UNAVAILABLE outcome for err, with a code and words the panel shows.
func (s *Service) unavailable(ctx context.Context, out *convrs.HubspotContactLookup, err error) *convrs.HubspotContactLookup {
	out.Outcome = convrs.ContactUnavailable
	out.ErrorCode, out.Message = describe(err)
	out.Detail = hubfault.Detail(err)
	s.cfg.Logger.WarnContext(ctx, "contactcard: hubspot card unavailable", "customer_id", out.CustomerID, "code", out.ErrorCode, "error", err)
	return out
}

// Ensure *match.Matcher and the client's services fit the interfaces declared here.
var (
	_ Matcher        = (*match.Matcher)(nil)
	_ match.Contacts = (*hubspot.ContactsService)(nil)
)
