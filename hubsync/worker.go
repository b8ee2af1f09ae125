// Package hubsync writes every closed conversation of an ENABLED workspace to HubSpot as notes on the right
// contact, exactly once, and shows where each one stands (convrs.HubspotSyncService).
//
// The queue is the sync records themselves (Queue, implemented by package store): a close queues its record in the close's
// transaction; workers lease due records in batches of one workspace, renew the lease as they record progress,
// and a record whose lease lapsed (its process died) is due again. See the README's "Transcript sync".
package hubsync

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

// Clients gives a workspace's HubSpot client and its integration; *integration.Service satisfies it. Declared
// here, by its consumer, with only what the sync uses (package contactcard declares its own).
type Clients interface {
	Client(ctx context.Context, workspaceID string) (*hubspot.Client, *convrs.HubspotIntegration, error)
}

// Matcher finds or creates the customer's contact; *match.Matcher satisfies it.
type Matcher interface {
	FindOrCreate(ctx context.Context, hc match.Contacts, t match.Target) (*match.Result, error)
}

// Config wires a Worker.
type Config struct {
	// Store is the queue and the records it reads (*store.DB).
	Store   Store
	Clients Clients
	Matcher Matcher
	// Links stores a customer's link to the contact a batch read by email found (default Store); the app passes
	// the card's notifying links, so open panels follow.
	Links match.Links
	// Cache keeps owner lookups by email (an hour).
	Cache  convrs.Cache
	Logger *slog.Logger
	// PublicURL, when set, puts a link back to the conversation in each note.
	PublicURL string
	// LinkURL replaces https://{uiDomain} in the records' links to contacts (the simulator's UI); empty for
	// HubSpot (see convrs.HubspotIntegration.ContactURL).
	LinkURL string
	// Render makes the note bodies; default RenderNotes.
	Render Renderer
	// Concurrency is how many batches one process runs at once (default 2); Batch the records per claim (≤ 100).
	Concurrency int
	Batch       int
	// LeaseFor is how long a claim is held without progress before another worker may rescue it (default 30 s,
	// renewed every third of it while the batch runs), so a killed process's batch resumes within about 30 s.
	LeaseFor time.Duration
	// Poll is how often an idle worker looks for due records at the least (default 5 s): a queued sync wakes the
	// workers at once (Queue.SyncsQueued), and an idle worker sleeps only until the soonest record is due (a
	// wait, a lease), so polling only finds what a lost notification missed.
	Poll time.Duration
	// MaxAttempts bounds transient failures (5xx, timeouts) before a sync FAILED (default 8).
	MaxAttempts int
	// BaseBackoff doubles per attempt up to MaxBackoff, with full jitter (defaults 15 s and 30 min).
	BaseBackoff, MaxBackoff time.Duration
	// ErrorRecheck is how often syncs waiting on an integration in ERROR look again (default 15 s: a database
	// read while the integration is in ERROR, no HubSpot call).
	ErrorRecheck time.Duration
	// Metrics, when set, counts this process's outcomes (NewMetrics; register it with the process's registry).
	Metrics *Metrics
	// Now is the clock (default time.Now); the store's clock should agree.
	Now func() time.Time
	// Jitter returns a duration in [0, d] (default uniform random).
	Jitter func(d time.Duration) time.Duration
}

// DefaultPoll is how often an idle worker looks for due records that no notification announced.
const DefaultPoll = 5 * time.Second

// DefaultLeaseFor is how long a claimed batch is held without a renewal (the worker renews every 10 s).
const DefaultLeaseFor = 30 * time.Second

// Worker runs the transcript syncs.
type Worker struct {
	cfg Config
	id  string
	pol policy
}

// NewWorker returns a Worker; Run starts it.
func NewWorker(cfg Config) *Worker {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Render == nil {
		cfg.Render = RenderNotes
	}
	if cfg.Links == nil {
		cfg.Links = cfg.Store
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.LeaseFor, DefaultLeaseFor)
	def(&cfg.Poll, DefaultPoll)
	def(&cfg.BaseBackoff, 15*time.Second)
	def(&cfg.MaxBackoff, 30*time.Minute)
	def(&cfg.ErrorRecheck, 15*time.Second)
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 2
	}
	if cfg.Batch <= 0 || cfg.Batch > hubspot.MaxBatchInputs {
		cfg.Batch = hubspot.MaxBatchInputs
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Jitter == nil {
		cfg.Jitter = func(d time.Duration) time.Duration {
			if d <= 0 {
				return 0
			}
			return rand.N(d + 1)
		}
	}
	b := make([]byte, 6)
	_, _ = crand.Read(b)
	return &Worker{cfg: cfg, id: "w_" + hex.EncodeToString(b), pol: policy{maxAttempts: cfg.MaxAttempts, baseBackoff: cfg.BaseBackoff,
		maxBackoff: cfg.MaxBackoff, errorRecheck: cfg.ErrorRecheck, jitter: cfg.Jitter}}
}

// Run works until ctx ends and returns when every batch in hand has been recorded or released.
func (w *Worker) Run(ctx context.Context) {
	queued := w.cfg.Store.SyncsQueued(ctx, func(err error, retryIn time.Duration) {
		w.cfg.Logger.WarnContext(ctx, "hubspot sync: lost the queue's notifications; polling meanwhile", "error", err, "retry_in", retryIn.String())
	})
	wakes := make([]chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range wakes {
		wakes[i] = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, w.id+"-"+strconv.Itoa(i), wakes[i])
		}()
	}
	// Every idle loop wakes: a batch is one workspace's, so several may be due.
	go func() {
		for range queued {
			for _, ch := range wakes {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
	}()
	wg.Wait()
}

// loop runs batches while records are due, then waits for a queued sync, the soonest record's due time or the
// poll, whichever comes first.
func (w *Worker) loop(ctx context.Context, lease string, wake <-chan struct{}) {
	t := time.NewTimer(w.cfg.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx, lease)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.ErrorContext(ctx, "hubspot sync: claim", "error", err)
		}
		if n > 0 {
			continue
		}
		wait := w.cfg.Poll
		if next, err := w.cfg.Store.NextHubspotSyncDue(ctx); err == nil && !next.IsZero() {
			// Not sooner than 100 ms: a record due but not claimed is held by another claimer for a moment.
			wait = min(wait, max(next.Sub(w.cfg.Now()), 100*time.Millisecond))
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-wake:
		}
	}
}

// RunOnce claims one batch of due records under lease and runs it, returning how many it claimed.
func (w *Worker) RunOnce(ctx context.Context, lease string) (int, error) {
	claims, err := w.cfg.Store.ClaimHubspotSyncs(ctx, lease, w.cfg.LeaseFor, w.cfg.Batch)
	if err != nil || len(claims) == 0 {
		return 0, err
	}
	defer func() {
		// A bug in one batch must not take the gateway down: its records are rescued when their lease lapses.
		if p := recover(); p != nil {
			w.cfg.Logger.ErrorContext(ctx, "hubspot sync: batch panicked; its records will be retried", "panic", fmt.Sprint(p))
		}
	}()
	stop := w.keepLeases(ctx, lease, claims)
	defer stop()
	w.runBatch(ctx, claims)
	return len(claims), nil
}

// keepLeases renews the batch's leases every third of LeaseFor while it runs (rate-limit waits can be long).
func (w *Worker) keepLeases(ctx context.Context, lease string, claims []*convrs.HubspotSyncClaim) (stop func()) {
	ids := make([]string, len(claims))
	for i, c := range claims {
		ids[i] = c.Sync.ID
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(w.cfg.LeaseFor / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := w.cfg.Store.ExtendHubspotSyncLeases(context.WithoutCancel(ctx), lease, ids, w.cfg.LeaseFor); err != nil {
					w.cfg.Logger.WarnContext(ctx, "hubspot sync: extend leases", "error", err)
				}
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// job is one claimed record on its way through a batch.
type job struct {
	c       *convrs.HubspotSyncClaim
	tr      *Transcript
	res     *match.Result
	contact string
	name    string
	ownerID string
	bodies  []string
	markers []string
	noteIDs []string // by part; "" not written yet
	// done reports that the attempt ended, with err (nil: every note written; see next).
	done bool
	err  error
	// url is the contact's page in HubSpot.
	url      string
	warnings []string
	// found are the notes already in HubSpot by marker, for the creates whose outcome was unknown (Pending).
	found map[string]string
	// ownerLooked reports that ownerID was looked up; anchored that the contact was created with (or found
	// through) the record's first note (see creator).
	ownerLooked, anchored bool
	// how says in words how the contact was chosen (the sync record's MatchedHow).
	how string
	// portal is the connected portal's ID.
	portal int64
}

func (w *Worker) runBatch(ctx context.Context, claims []*convrs.HubspotSyncClaim) {
	wsID := claims[0].Sync.WorkspaceID
	sys := convrs.NewContextWithPrincipal(ctx, &convrs.Principal{WorkspaceID: wsID, Role: convrs.RoleSystem})
	jobs := make([]*job, len(claims))
	for i, c := range claims {
		jobs[i] = &job{c: c}
	}
	defer w.finish(ctx, jobs)
	hc, integ, err := w.cfg.Clients.Client(sys, wsID)
	if err == nil && integ.State != convrs.IntegrationEnabled {
		err = convrs.Errorf(convrs.ECONFLICT, "Syncing to HubSpot is not enabled.")
	}
	var ws *convrs.Workspace
	if err == nil {
		ws, err = w.cfg.Store.FindWorkspace(sys, wsID)
	}
	var recs *records
	if err == nil {
		recs, err = w.load(sys, jobs)
	}
	b := &batchState{linked: map[string]*hubspot.Contact{}, byEmail: map[string]*hubspot.Contact{}, matched: map[string]*match.Result{}}
	if err == nil {
		// HubSpot failing or limiting here (the client already retried): the whole batch waits, as each would.
		err = w.readLinked(sys, hc, jobs, recs, b)
	}
	if err != nil {
		for _, j := range jobs {
			j.fail(err)
		}
		return
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			j.fail(ctx.Err())
			continue
		}
		if err := w.prepare(sys, hc, integ, ws, recs, j, b); err != nil {
			j.fail(err)
		}
	}
	w.write(sys, hc, integ, jobs)
}

// records are what a batch reads of the Convrs host for its transcripts, loaded for the whole batch in a few
// queries (load), not per job.
type records struct {
	convs map[string]*convrs.Conversation
	custs map[string]*convrs.Customer
	msgs  map[string][]*convrs.Message
	staff map[string]*convrs.Staff
}

// load reads the batch's conversations, their customers, messages and assigned agents: four queries.
func (w *Worker) load(ctx context.Context, jobs []*job) (*records, error) {
	r := &records{convs: map[string]*convrs.Conversation{}, custs: map[string]*convrs.Customer{}, staff: map[string]*convrs.Staff{}}
	var convIDs, custIDs, staffIDs []string
	for _, j := range jobs {
		convIDs = append(convIDs, j.c.Sync.ConversationID)
	}
	convs, err := w.cfg.Store.FindConversations(ctx, convIDs)
	if err != nil {
		return nil, err
	}
	for _, c := range convs {
		r.convs[c.ID] = c
		custIDs = append(custIDs, c.CustomerID)
		if c.AssignedStaffID != "" {
			staffIDs = append(staffIDs, c.AssignedStaffID)
		}
	}
	if len(custIDs) == 0 {
		return r, nil
	}
	custs, err := w.cfg.Store.FindCustomers(ctx, custIDs)
	if err != nil {
		return nil, err
	}
	for _, c := range custs {
		r.custs[c.ID] = c
	}
	if r.msgs, err = w.cfg.Store.ListAllMessagesOf(ctx, convIDs); err != nil {
		return nil, err
	}
	if len(staffIDs) > 0 {
		staff, err := w.cfg.Store.FindStaffMembers(ctx, staffIDs)
		if err != nil {
			return nil, err
		}
		for _, s := range staff {
			r.staff[s.ID] = s
		}
	}
	return r, nil
}

// batchState is what one batch learned from HubSpot, so a customer is looked up once per batch.
type batchState struct {
	// linked are the contacts read in batches by email, by contact ID; byEmail the same by lower-cased email.
	linked  map[string]*hubspot.Contact
	byEmail map[string]*hubspot.Contact
	// matched are the match results by customer ID.
	matched map[string]*match.Result
	// pickWarnings are, by conversation, why the contact picked for it was not used.
	pickWarnings map[string][]string
}

// picked reads the contact an agent picked for the conversation (from the batch read when it is there). A
// contact deleted since is nil, with a warning: the customer's own contact gets the transcript.
func (w *Worker) picked(ctx context.Context, hc *hubspot.Client, conv *convrs.Conversation, b *batchState) (*match.Result, error) {
	ct := b.linked[conv.HubspotContactID]
	if ct == nil {
		var err error
		ct, _, err = hc.Contacts.Get(ctx, conv.HubspotContactID, match.Properties)
		if errors.Is(err, hubspot.ErrNotFound) {
			if b.pickWarnings == nil {
				b.pickWarnings = map[string][]string{}
			}
			b.pickWarnings[conv.ID] = []string{fmt.Sprintf(
				"The HubSpot contact %s picked for this chat no longer exists; the transcript went to the customer's contact.", conv.HubspotContactID)}
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("hubspot sync: get picked contact: %w", err)
		}
	}
	return &match.Result{Contact: ct, Rule: convrs.MatchChosen, Candidates: 1, Source: conv.HubspotPickedBy}, nil
}

// source is how the matched contact was chosen: the link's recorded provenance, else the rule that found it.
func source(res *match.Result) convrs.HubspotLinkSource {
	if res.Source.Known() {
		return res.Source
	}
	return convrs.HubspotLinkSource{Rule: res.Rule}
}

// readLinked reads the contacts of the batch's customers by email, up to 100 a call (a strongly consistent
// batch read). A contact found there under a linked customer's stored ID confirms the link (rule 1) without a
// call per customer; for an unlinked customer it is the email rule's match (a primary email belongs to one
// contact, so there is no older duplicate to prefer) without a search per customer, which HubSpot allows only
// 5 a second. Anything else (no email, not found, another ID: merged or changed) goes through the matcher,
// whose search also finds the email among contacts' additional emails before anything is created.
// A transient failure (5xx, 429, 401, timeout) is returned; any other leaves the matching to the matcher.
func (w *Worker) readLinked(ctx context.Context, hc *hubspot.Client, jobs []*job, recs *records, b *batchState) error {
	var emails []string
	seen := map[string]bool{}
	for _, j := range jobs {
		cust := recs.custs[j.c.Sync.CustomerID]
		if cust == nil || cust.Email == "" || seen[strings.ToLower(cust.Email)] {
			continue
		}
		seen[strings.ToLower(cust.Email)] = true
		emails = append(emails, cust.Email)
	}
	for len(emails) > 0 {
		n := min(len(emails), hubspot.MaxBatchInputs)
		res, _, err := hc.Contacts.BatchReadByEmail(ctx, emails[:n], match.Properties)
		emails = emails[n:]
		var rl *hubspot.RateLimitError
		switch {
		case err != nil && (errors.As(err, &rl) || hubspot.IsRetryable(err) || errors.Is(err, hubspot.ErrUnauthorized) || ctx.Err() != nil):
			return fmt.Errorf("hubspot sync: batch read by email: %w", err)
		case err != nil:
			w.cfg.Logger.WarnContext(ctx, "hubspot sync: batch read by email; matching one by one", "error", err)
			return nil
		}
		for _, c := range res.Results {
			b.linked[c.ID] = c
			if e := c.Prop("email"); e != "" {
				b.byEmail[strings.ToLower(e)] = c
			}
		}
	}
	return nil
}

// prepare loads the conversation, matches the contact and renders the notes.
func (w *Worker) prepare(ctx context.Context, hc *hubspot.Client, integ *convrs.HubspotIntegration, ws *convrs.Workspace, recs *records, j *job,
	b *batchState) error {
	s := j.c.Sync
	conv := recs.convs[s.ConversationID]
	if conv == nil {
		return convrs.Errorf(convrs.ENOTFOUND, "Conversation not found.")
	}
	cust := recs.custs[conv.CustomerID]
	if cust == nil {
		return convrs.Errorf(convrs.ENOTFOUND, "Customer not found.")
	}
	// An agent no longer on the staff leaves the notes without an owner.
	tr := &Transcript{Workspace: ws, Conversation: conv, Customer: cust, Messages: recs.msgs[conv.ID], Agent: recs.staff[conv.AssignedStaffID],
		ClosedAt: s.ClosedAt, CloseNumber: s.CloseNumber}
	if w.cfg.PublicURL != "" {
		tr.Link = strings.TrimRight(w.cfg.PublicURL, "/") + "/#/chat/" + conv.ID
	}
	j.tr, j.portal = tr, integ.PortalID
	bodies, err := w.cfg.Render(tr, hubspot.MaxNoteBodyLength)
	if err != nil {
		return err
	}
	j.bodies = bodies
	j.markers = make([]string, len(bodies))
	for i := range bodies {
		j.markers[i] = marker(s.ID, s.CloseNumber, i+1)
		j.bodies[i] += `<p style="color:#7c98b6">Convrs reference ` + j.markers[i] + ` </p>`
	}
	var res *match.Result
	err = nil
	picked := false
	if conv.HubspotContactID != "" && conv.HubspotPortalID == integ.PortalID {
		// The contact the agent picked when starting the chat gets its transcript, whatever the customer's link.
		if res, err = w.picked(ctx, hc, conv, b); err != nil {
			return err
		}
		picked = res != nil
	}
	switch ct := b.linked[cust.HubspotContactID]; {
	case picked:
	case b.matched[cust.ID] != nil:
		res = b.matched[cust.ID]
	case ct != nil && cust.HubspotPortalID == integ.PortalID && (strings.EqualFold(ct.Prop("email"), cust.Email) || match.HasAdditionalEmail(ct, cust.Email)):
		res = &match.Result{Contact: ct, Rule: convrs.MatchCRMID, Candidates: 1, Source: cust.HubspotLink}
	case (cust.HubspotContactID == "" || cust.HubspotPortalID != integ.PortalID) && cust.Email != "" && b.byEmail[strings.ToLower(cust.Email)] != nil &&
		!cust.IsNotThisPerson(integ.PortalID, b.byEmail[strings.ToLower(cust.Email)].ID):
		// Unlinked, and the batch read found the contact of its email: rule 2, linked as the matcher would.
		byEmail := b.byEmail[strings.ToLower(cust.Email)]
		src := convrs.HubspotLinkSource{Rule: convrs.MatchEmail, Value: cust.Email}
		if err = w.cfg.Links.LinkHubspotContact(ctx, cust.ID, integ.PortalID, byEmail.ID, src); err == nil {
			res = &match.Result{Contact: byEmail, Rule: convrs.MatchEmail, Candidates: 1, Linked: true, Source: src}
		}
	default:
		res, err = w.cfg.Matcher.FindOrCreate(ctx, &creator{ContactsService: hc.Contacts, w: w, hc: hc, j: j}, match.Target{Customer: cust, PortalID: integ.PortalID, Region: ws.DefaultRegion,
			Reload: func(ctx context.Context) (*convrs.Customer, error) { return w.cfg.Store.FindCustomer(ctx, cust.ID) }})
	}
	if picked {
		res.Warnings = append(res.Warnings, b.pickWarnings[conv.ID]...)
	} else if pw := b.pickWarnings[conv.ID]; len(pw) > 0 && res != nil {
		res.Warnings = append(slices.Clone(res.Warnings), pw...)
	}
	if err == nil && res != nil && !picked {
		b.matched[cust.ID] = res
	}
	if res != nil {
		j.warnings = res.Warnings
	}
	if errors.Is(err, match.ErrAnonymous) || errors.Is(err, match.ErrNotThisPerson) {
		j.fail(err) // SKIPPED (next)
		return nil
	}
	if err != nil {
		return err
	}
	j.res, j.contact = res, res.Contact.ID
	j.name = contactName(res.Contact)
	loc, lerr := time.LoadLocation(ws.TimeZone)
	if lerr != nil {
		loc = time.UTC
	}
	j.how = source(res).Words(loc, w.cfg.Now())
	if j.c.Sync.ContactID != "" && j.c.Sync.ContactID != j.contact && len(j.c.Sync.NoteIDs) > 0 {
		j.warnings = append(j.warnings, "The customer's HubSpot contact changed since this conversation's notes were written; they were updated where they are.")
	}
	if err := w.lookupOwner(ctx, hc, j); err != nil {
		return err
	}
	if err := w.settleAnchor(ctx, hc, j); err != nil {
		return err
	}
	return nil
}

// marker names one part of one close's note in HubSpot: a single search token (letters and digits only).
func marker(syncID string, close, part int) string {
	return "convrs" + strings.ReplaceAll(syncID, "_", "") + "c" + strconv.Itoa(close) + "p" + strconv.Itoa(part)
}

func contactName(c *hubspot.Contact) string {
	n := strings.TrimSpace(c.Prop("firstname") + " " + c.Prop("lastname"))
	if n == "" {
		n = c.Prop("email")
	}
	return n
}

// lookupOwner sets the job's owner ID from the assigned agent's email, once.
func (w *Worker) lookupOwner(ctx context.Context, hc *hubspot.Client, j *job) error {
	if j.ownerLooked || j.tr.Agent == nil || j.tr.Agent.Email == "" {
		return nil
	}
	id, err := w.owner(ctx, hc, j.tr.Workspace.ID, j.portal, j.tr.Agent.Email)
	if err != nil {
		return err
	}
	j.ownerID, j.ownerLooked = id, true
	return nil
}

// owner returns the HubSpot owner ID of the agent's email ("" when none), cached an hour.
func (w *Worker) owner(ctx context.Context, hc *hubspot.Client, workspaceID string, portalID int64, email string) (string, error) {
	// The portal is in the key: a workspace reconnected to another portal has other owners.
	key := "hubspot:" + workspaceID + ":" + strconv.FormatInt(portalID, 10) + ":owner-by-email:" + strings.ToLower(email)
	if w.cfg.Cache != nil {
		if b, ok, err := w.cfg.Cache.Get(ctx, key); err == nil && ok {
			return string(b), nil
		}
	}
	l, _, err := hc.Owners.List(ctx, &hubspot.ListOwnersOptions{Email: email, Limit: 1})
	if err != nil {
		return "", err
	}
	id := ""
	for _, o := range l.Results {
		if strings.EqualFold(o.Email, email) {
			id = o.ID
		}
	}
	if w.cfg.Cache != nil {
		_ = w.cfg.Cache.Set(ctx, key, []byte(id), time.Hour)
	}
	return id, nil
}

// write brings each prepared job's notes to HubSpot: notes of an earlier close updated in place, surplus ones
// archived, creates whose outcome was unknown looked for, and the remaining creates sent in batches of up to
// 100, each recorded before the next step.
func (w *Worker) write(ctx context.Context, hc *hubspot.Client, integ *convrs.HubspotIntegration, jobs []*job) {
	if err := w.findPending(ctx, hc, jobs); err != nil {
		for _, j := range jobs {
			if !j.done && j.bodies != nil && len(j.c.Pending) > 0 {
				j.fail(err)
			}
		}
	}
	var creates []*job
	for _, j := range jobs {
		if j.done || j.bodies == nil {
			continue
		}
		if err := w.reconcile(ctx, hc, j); err != nil {
			j.fail(err)
			continue
		}
		if j.missing() > 0 {
			creates = append(creates, j)
		} else {
			w.synced(integ, j)
		}
	}
	// Batches of up to 100 notes; a job's parts stay in one batch when they fit.
	for len(creates) > 0 && ctx.Err() == nil {
		var batch []*job
		n := 0
		for len(creates) > 0 && (n == 0 || n+creates[0].missing() <= hubspot.MaxBatchInputs) {
			batch = append(batch, creates[0])
			n += creates[0].missing()
			creates = creates[1:]
		}
		if err := w.createBatch(ctx, hc, batch); err != nil {
			for _, j := range batch {
				j.fail(err)
			}
			continue
		}
		for _, j := range batch {
			if !j.done {
				w.synced(integ, j)
			}
		}
	}
	for _, j := range creates {
		if !j.done {
			j.fail(ctx.Err())
		}
	}
}

// errIncomplete: HubSpot answered a batch create without some of its notes; they are looked for, then retried.
var errIncomplete = errors.New("hubsync: HubSpot's answer did not include every note")

func (j *job) missing() int {
	n := 0
	for _, id := range j.noteIDs {
		if id == "" {
			n++
		}
	}
	return n
}

// reconcile fills j.noteIDs from what is already in HubSpot: notes found by marker for creates whose outcome
// was unknown (of this close or an earlier one; see findPending), then the record's notes, updated in place with
// the whole transcript when they belong to an earlier close (surplus ones archived).
func (w *Worker) reconcile(ctx context.Context, hc *hubspot.Client, j *job) error {
	c := j.c
	j.noteIDs = make([]string, len(j.bodies))
	known := append([]string(nil), c.Parts...)
	for _, m := range c.Pending {
		part := partOf(m, c.Sync.ID)
		if part < 0 || part > 1000 {
			continue
		}
		for len(known) <= part {
			known = append(known, "")
		}
		if known[part] == "" {
			known[part] = j.found[m]
		}
	}
	changed := len(c.Pending) > 0
	if c.SyncedClose != c.Sync.CloseNumber && len(nonEmpty(known)) > 0 {
		changed = true
		for i, id := range known {
			switch {
			case id == "":
			case i < len(j.bodies):
				_, _, err := hc.Notes.Update(ctx, id, map[string]string{hubspot.PropNoteBody: j.bodies[i],
					hubspot.PropTimestamp: partTime(j.tr.ClosedAt, i).Format("2006-01-02T15:04:05.000Z")})
				if err == nil {
					j.noteIDs[i] = id
				} else if !errors.Is(err, hubspot.ErrNotFound) {
					return err
				}
			default:
				if _, err := hc.Notes.Archive(ctx, id); err != nil && !errors.Is(err, hubspot.ErrNotFound) {
					return err
				}
			}
		}
	} else {
		copy(j.noteIDs, known)
	}
	if changed {
		return w.progress(ctx, j, nil)
	}
	return nil
}

// findPending looks for the notes of the creates whose outcome was unknown (a lost answer, a timeout, a process
// killed between HubSpot's write and the record) with strongly consistent reads, never search: the note IDs
// associated with the contacts they were written to (one call for the batch), then those notes' timestamps,
// and the bodies of the ones at a pending part's time, for the marker. A marker not found there was not
// written (a create carries its association), so it is written again; search, whose index may lag without
// bound, is no proof either way. A failed read is returned: those jobs wait and retry.
func (w *Worker) findPending(ctx context.Context, hc *hubspot.Client, jobs []*job) error {
	var pending []*job
	var contacts []string
	for _, j := range jobs {
		if j.done || j.bodies == nil || len(j.c.Pending) == 0 {
			continue
		}
		pending = append(pending, j)
		j.found = map[string]string{}
		contacts = append(contacts, j.contact)
		if id := j.c.Sync.ContactID; id != "" && id != j.contact {
			contacts = append(contacts, id)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	assoc, _, err := hc.Notes.NoteIDsByContact(ctx, contacts)
	if err != nil {
		return err
	}
	// Candidates: notes of the job's contacts not already recorded, at a pending part's time when every pending
	// marker is of this close (an earlier close's time is no longer known: then every note is a candidate).
	type cand struct {
		j     *job
		times map[int64]bool // nil: any time
	}
	cands := map[string][]cand{}
	var ids []string
	for _, j := range pending {
		recorded := map[string]bool{}
		for _, id := range j.c.Parts {
			recorded[id] = true
		}
		times := map[int64]bool{}
		for _, m := range j.c.Pending {
			part := partOf(m, j.c.Sync.ID)
			if part < 0 || m != marker(j.c.Sync.ID, j.c.Sync.CloseNumber, part+1) {
				times = nil
				break
			}
			times[partTime(j.tr.ClosedAt, part).UnixMilli()] = true
		}
		for _, ct := range []string{j.contact, j.c.Sync.ContactID} {
			for _, id := range assoc[ct] {
				if recorded[id] {
					continue
				}
				if len(cands[id]) == 0 {
					ids = append(ids, id)
				}
				cands[id] = append(cands[id], cand{j: j, times: times})
			}
		}
	}
	// The timestamps first (small), then the bodies of the notes at a pending part's time.
	var withBody []string
	for len(ids) > 0 {
		n := min(len(ids), hubspot.MaxBatchInputs)
		res, _, err := hc.Notes.BatchRead(ctx, ids[:n], []string{hubspot.PropTimestamp})
		ids = ids[n:]
		if err != nil {
			return err
		}
		for _, note := range res.Results {
			ms := note.Timestamp().UnixMilli()
			for _, c := range cands[note.ID] {
				if c.times == nil || c.times[ms] {
					withBody = append(withBody, note.ID)
					break
				}
			}
		}
	}
	slices.Sort(withBody)
	for len(withBody) > 0 {
		n := min(len(withBody), hubspot.MaxBatchInputs)
		res, _, err := hc.Notes.BatchRead(ctx, withBody[:n], []string{hubspot.PropNoteBody})
		withBody = withBody[n:]
		if err != nil {
			return err
		}
		for _, note := range res.Results {
			for _, m := range markerTokens(note.Body()) {
				for _, c := range cands[note.ID] {
					if slices.Contains(c.j.c.Pending, m) && (c.j.found[m] == "" || compareIDs(note.ID, c.j.found[m]) < 0) {
						c.j.found[m] = note.ID // the oldest, should there be several
					}
				}
			}
		}
	}
	return nil
}

// compareIDs orders HubSpot's numeric IDs.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func nonEmpty(l []string) []string {
	var out []string
	for _, s := range l {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// partOf is the part index a marker of the sync names (any close), or -1.
func partOf(m, syncID string) int {
	prefix := "convrs" + strings.ReplaceAll(syncID, "_", "") + "c"
	rest, ok := strings.CutPrefix(m, prefix)
	if !ok {
		return -1
	}
	_, p, ok := strings.Cut(rest, "p")
	n, err := strconv.Atoi(p)
	if !ok || err != nil {
		return -1
	}
	return n - 1
}

// partTime orders the parts on HubSpot's newest-first timeline: part 1 at the close time, each next one a
// millisecond earlier, so they read top to bottom.
func partTime(closed time.Time, i int) time.Time {
	return closed.Add(-time.Duration(i) * time.Millisecond).UTC()
}

// progress records the job's notes and the creates in flight under its lease.
func (w *Worker) progress(ctx context.Context, j *job, pending []string) error {
	return w.cfg.Store.SaveHubspotSyncProgress(context.WithoutCancel(ctx), j.c, convrs.HubspotSyncProgress{
		ContactID: j.contact, Parts: j.noteIDs, SyncedClose: j.c.Sync.CloseNumber, Pending: pending, LeaseFor: w.cfg.LeaseFor})
}

func (w *Worker) createBatch(ctx context.Context, hc *hubspot.Client, batch []*job) error {
	var inputs []hubspot.NoteInput
	owner := map[string]*job{}
	pending := make([][]string, len(batch))
	for k, j := range batch {
		for i, id := range j.noteIDs {
			if id == "" {
				pending[k] = append(pending[k], j.markers[i])
			}
		}
	}
	// Recorded before sending: if the answer is lost, the next attempt looks for these first.
	if err := w.progressAll(ctx, batch, pending); err != nil {
		return err
	}
	for _, j := range batch {
		for i, id := range j.noteIDs {
			if id != "" || j.done { // done: its lease was lost
				continue
			}
			owner[j.markers[i]] = j
			inputs = append(inputs, hubspot.NoteInput{Body: j.bodies[i], Timestamp: partTime(j.tr.ClosedAt, i), OwnerID: j.ownerID,
				ContactIDs: []string{j.contact}, ObjectWriteTraceID: j.markers[i]})
		}
	}
	if len(inputs) == 0 {
		return nil
	}
	res, _, err := hc.Notes.BatchCreate(ctx, inputs)
	if err != nil {
		return err
	}
	for _, n := range res.Results {
		if m := resultMarker(n, owner); m != "" {
			owner[m].noteIDs[indexOf(owner[m].markers, m)] = n.ID
		}
	}
	failed := res.ErrorsByTraceID()
	var sent []*job
	var still [][]string
	for _, j := range batch {
		if j.done {
			continue
		}
		var left []string
		for i, id := range j.noteIDs {
			if id == "" {
				if e := failed[j.markers[i]]; e != nil {
					j.fail(&noteRefused{detail: e.Detail()})
				} else {
					left = append(left, j.markers[i])
				}
			}
		}
		sent, still = append(sent, j), append(still, left)
	}
	if err := w.progressAll(ctx, sent, still); err != nil {
		return err
	}
	for k, j := range sent {
		if !j.done && len(still[k]) > 0 {
			j.fail(errIncomplete)
		}
	}
	return nil
}

// progressAll records, in one transaction, each job's notes and the creates in flight (pending[k] for jobs[k])
// under its lease; a job whose lease was lost ends with convrs.ErrHubspotSyncLeaseLost.
func (w *Worker) progressAll(ctx context.Context, jobs []*job, pending [][]string) error {
	claims := make([]*convrs.HubspotSyncClaim, len(jobs))
	ps := make([]convrs.HubspotSyncProgress, len(jobs))
	for k, j := range jobs {
		claims[k] = j.c
		ps[k] = convrs.HubspotSyncProgress{ContactID: j.contact, Parts: j.noteIDs, SyncedClose: j.c.Sync.CloseNumber, Pending: pending[k], LeaseFor: w.cfg.LeaseFor}
	}
	errs, err := w.cfg.Store.SaveHubspotSyncProgresses(context.WithoutCancel(ctx), claims, ps)
	if err != nil {
		return err
	}
	for k, j := range jobs {
		if errs[k] != nil {
			j.fail(errs[k])
		}
	}
	return nil
}

// resultMarker names the input a created note answers: its objectWriteTraceId where HubSpot echoes it (the inputs
// carry their marker as trace ID), else the marker token found in the note's body. The body is never compared
// with what was sent: HubSpot may normalise the HTML.
func resultMarker(n *hubspot.Note, owner map[string]*job) string {
	if owner[n.ObjectWriteTraceID] != nil {
		return n.ObjectWriteTraceID
	}
	for _, m := range markerTokens(n.Body()) {
		if owner[m] != nil {
			return m
		}
	}
	return ""
}

// markerTokens lists the words of body that look like a marker ("convrs…c…p…"), whatever surrounds them.
func markerTokens(body string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(body, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		if strings.HasPrefix(w, "convrs") {
			out = append(out, w)
		}
	}
	return out
}

func indexOf(l []string, s string) int {
	for i, v := range l {
		if v == s {
			return i
		}
	}
	return -1
}

// synced ends the job with every note written.
func (w *Worker) synced(integ *convrs.HubspotIntegration, j *job) {
	j.done, j.err, j.url = true, nil, integ.ContactURL(w.cfg.LinkURL, j.contact)
}

// fail ends the job's attempt with err (next decides what it means).
func (j *job) fail(err error) { j.done, j.err = true, err }

// errUnfinished: the batch ended (a panic) before the job's attempt did.
var errUnfinished = errors.New("hubsync: the attempt ended before its outcome was known")

// finish records each job's next state (next) with what it wrote, in one transaction for the batch, and announces
// the records once committed.
func (w *Worker) finish(ctx context.Context, jobs []*job) {
	now := w.cfg.Now()
	sts := make([]state, len(jobs))
	outs := make([]convrs.HubspotSyncOutcome, len(jobs))
	var mine []int // the jobs with an outcome to record; a lost lease has none
	for i, j := range jobs {
		err := j.err
		if !j.done {
			err = cmp.Or(ctx.Err(), errUnfinished)
		}
		if sts[i] = w.pol.next(j.c.Sync, err, now); sts[i].Status != "" {
			outs[i] = w.outcome(j, sts[i])
			mine = append(mine, i)
		}
	}
	ctx = context.WithoutCancel(ctx)
	recs, errs := make([]*convrs.HubspotSync, len(jobs)), make([]error, len(jobs))
	for i := range jobs {
		errs[i] = convrs.ErrHubspotSyncLeaseLost
	}
	w.record(ctx, jobs, outs, mine, recs, errs)
	// Closed again while these attempts ran: queued again for that close, keeping what was written.
	var again []int
	for _, i := range mine {
		if errors.Is(errs[i], convrs.ErrHubspotSyncReclosed) {
			sts[i] = w.pol.next(jobs[i].c.Sync, errReclosed, w.cfg.Now())
			sts[i].apply(&outs[i])
			again = append(again, i)
		}
	}
	w.record(ctx, jobs, outs, again, recs, errs)
	for i, j := range jobs {
		s, ferr := recs[i], errs[i]
		if errors.Is(ferr, convrs.ErrHubspotSyncLeaseLost) {
			w.cfg.Logger.InfoContext(ctx, "hubspot sync: another worker holds the record now", "workspace_id", j.c.Sync.WorkspaceID,
				"conversation_id", j.c.Sync.ConversationID)
			continue
		}
		if ferr != nil {
			w.cfg.Logger.ErrorContext(ctx, "hubspot sync: record outcome", "workspace_id", j.c.Sync.WorkspaceID, "conversation_id", j.c.Sync.ConversationID, "error", ferr)
			continue
		}
		w.cfg.Logger.InfoContext(ctx, "hubspot sync", "workspace_id", s.WorkspaceID, "conversation_id", s.ConversationID, "status", s.Status,
			"reason_code", s.ReasonCode, "contact_id", s.ContactID, "notes", len(s.NoteIDs), "attempts", s.Attempts, "detail", outs[i].Detail)
		w.cfg.Metrics.observe(s, w.cfg.Now())
		w.cfg.Store.PublishHubspotSync(ctx, s)
	}
}

// record writes the outcomes of the jobs at idx in one transaction, setting their recs and errs.
func (w *Worker) record(ctx context.Context, jobs []*job, outs []convrs.HubspotSyncOutcome, idx []int, recs []*convrs.HubspotSync, errs []error) {
	if len(idx) == 0 {
		return
	}
	claims := make([]*convrs.HubspotSyncClaim, len(idx))
	oc := make([]convrs.HubspotSyncOutcome, len(idx))
	for k, i := range idx {
		claims[k], oc[k] = jobs[i].c, outs[i]
	}
	rs, es, err := w.cfg.Store.FinishHubspotSyncs(ctx, claims, oc)
	for k, i := range idx {
		if err != nil {
			recs[i], errs[i] = nil, err
		} else {
			recs[i], errs[i] = rs[k], es[k]
		}
	}
}

// outcome is the state next decided with what the job wrote: its contact and notes when SYNCED, else what the
// record held (the notes written and the creates in flight, as last recorded).
func (w *Worker) outcome(j *job, st state) convrs.HubspotSyncOutcome {
	c := j.c
	o := convrs.HubspotSyncOutcome{Warnings: j.warnings, MatchedBy: c.Sync.MatchedBy, MatchedHow: c.Sync.MatchedHow, ContactID: c.Sync.ContactID,
		ContactName: c.Sync.ContactName, ContactURL: c.Sync.ContactURL, Parts: c.Parts, SyncedClose: c.SyncedClose, Pending: c.Pending}
	if st.Status == convrs.SyncSynced {
		o.MatchedBy, o.MatchedHow, o.ContactID, o.ContactName, o.ContactURL = source(j.res).Rule, j.how, j.contact, j.name, j.url
		o.Parts, o.SyncedClose, o.Pending = j.noteIDs, c.Sync.CloseNumber, nil
	}
	st.apply(&o)
	return o
}
