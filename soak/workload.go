package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/convrs/gateway/internal/drive"
)

// The customers of a run, of every kind the sync matches differently, and the conversations closed for them.

type kind string

const (
	kindEmail     kind = "email"          // new customer with an email: the contact is created with it
	kindPhone     kind = "phone"          // new customer with a phone number only: no unique key in HubSpot
	kindName      kind = "name"           // a name only (the phone cleared before the close)
	kindContact   kind = "existing-email" // the email of a contact already in HubSpot
	kindContactPh kind = "existing-phone" // the phone number of a contact already in HubSpot
	kindSecondary kind = "secondary-email"
)

// mix is the share of each kind, in percent of customers.
var mix = []struct {
	k   kind
	pct int
}{{kindEmail, 30}, {kindPhone, 25}, {kindName, 10}, {kindContact, 12}, {kindContactPh, 12}, {kindSecondary, 11}}

type customer struct {
	kind              kind
	first, last       string
	email, phone      string // as the agent types them; phone in E.164
	seeded            string // the HubSpot contact it must land on (existing kinds)
	convs             int    // conversations closed for this customer
	id                string // Convrs's customer ID, once started
	conversationIDs   []string
	closedIDs         []string
	unreachableReason string
}

// plan makes customers for about n conversations: one in four customers of a kind that can start another chat
// comes back for a second or third one, closed right after the first, so that matching for one customer runs
// twice at once.
func plan(run, n int, rng *rand.Rand) []*customer {
	var out []*customer
	total := 0
	for i := 0; total < n; i++ {
		r, k := rng.IntN(100), kindEmail
		for _, m := range mix {
			if r < m.pct {
				k = m.k
				break
			}
			r -= m.pct
		}
		c := &customer{kind: k, first: firstNames[i%len(firstNames)], last: fmt.Sprintf("Soak%dx%04d", run, i), convs: 1}
		switch k {
		case kindEmail, kindContact, kindSecondary:
			c.email = fmt.Sprintf("soak%d.%04d@example.com", run, i)
		case kindPhone, kindName, kindContactPh:
			// +1 212 2xx xxxx: valid US numbers, a block of 1,000 per run.
			c.phone = fmt.Sprintf("+1212%03d%04d", 200+run*10+i/10000, i%10000)
		}
		if k != kindName && rng.IntN(4) == 0 {
			c.convs += 1 + rng.IntN(2)
		}
		c.convs = min(c.convs, n-total)
		total += c.convs
		out = append(out, c)
	}
	return out
}

var firstNames = []string{"Ada", "Bea", "Cy", "Dana", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lea", "Mo", "Ned", "Oona", "Pia"}

// seed puts the contacts the existing kinds must land on into HubSpot, as an admin would have before.
func seed(sim *simControl, custs []*customer) error {
	for _, c := range custs {
		var props map[string]string
		switch c.kind {
		case kindContact:
			props = map[string]string{"email": c.email, "firstname": c.first, "lastname": c.last + "-hubspot"}
		case kindContactPh:
			props = map[string]string{"phone": c.phone, "firstname": c.first, "lastname": c.last + "-hubspot"}
		case kindSecondary:
			props = map[string]string{"email": "primary." + c.email, "hs_additional_emails": c.email,
				"firstname": c.first, "lastname": c.last + "-hubspot"}
		default:
			continue
		}
		id, err := sim.seedContact(props)
		if err != nil {
			return err
		}
		c.seeded = id
	}
	return nil
}

// refusals counts what the gateways refused or left unanswered, by reason.
type refusals struct {
	mu sync.Mutex
	m  map[string]int
}

var digits = regexp.MustCompile(`[0-9]{3,}|[a-z]+_[A-Za-z0-9]+`)

func (r *refusals) add(what string, err error) {
	msg := err.Error()
	var refused *drive.GraphQLError
	if !errors.As(err, &refused) {
		msg = "no answer (" + firstLine(msg) + ")"
	}
	msg = digits.ReplaceAllString(msg, "…")
	if len(msg) > 110 {
		msg = msg[:110] + "…"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]int{}
	}
	r.m[what+": "+msg]++
}

func firstLine(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func (r *refusals) total(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, v := range r.m {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

func (r *refusals) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]string, 0, len(r.m))
	for k := range r.m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return r.m[keys[i]] > r.m[keys[j]] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× %s", r.m[k], k))
	}
	return strings.Join(parts, "; ")
}

// driver runs a run's customers through the gateways: start each conversation, close it, retrying what is
// refused or unanswered as an agent would (a close whose answer was lost is checked before it is sent again).
type driver struct {
	c       *cluster
	refused *refusals
	pace    <-chan time.Time // one conversation may start per tick
}

const maxTries = 40

// retry runs f until it succeeds, counting each failure under what; it gives up after maxTries.
func (d *driver) retry(ctx context.Context, what string, f func() error) error {
	var err error
	for i := range maxTries {
		if err = f(); err == nil {
			return nil
		}
		d.refused.add(what, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(250*time.Millisecond<<i, 3*time.Second)):
		}
	}
	return err
}

func (d *driver) runCustomer(ctx context.Context, c *customer) {
	for range c.convs {
		select {
		case <-ctx.Done():
			return
		case <-d.pace:
		}
		convID, err := d.start(ctx, c)
		if err != nil {
			c.unreachableReason = "start: " + err.Error()
			return
		}
		c.conversationIDs = append(c.conversationIDs, convID)
		if c.kind == kindName && len(c.conversationIDs) == 1 {
			// A chat needs a phone or an email to start; the name-only customer loses the phone before the close.
			err := d.retry(ctx, "update customer", func() error {
				return d.c.gql(`mutation($id: ID!) { updateCustomer(id: $id, input: {phone: ""}) { id } }`, map[string]any{"id": c.id}, nil)
			})
			if err != nil {
				c.unreachableReason = "clear phone: " + err.Error()
				return
			}
		}
		if err := d.close(ctx, convID); err != nil {
			c.unreachableReason = "close: " + err.Error()
			return
		}
		c.closedIDs = append(c.closedIDs, convID)
	}
}

const startMutation = `mutation($in: StartConversationInput!) { startConversation(input: $in) { id customer { id } } }`

// start opens a conversation for c: as a new customer the first time, by its ID after that. A start whose
// answer was lost may have created the customer: it is looked up before the next try.
func (d *driver) start(ctx context.Context, c *customer) (string, error) {
	var convID string
	err := d.retry(ctx, "start", func() error {
		if c.id == "" {
			if err := d.lookup(c); err != nil {
				return err
			}
		}
		in := map[string]any{"channel": "email", "subject": "Soak " + c.last,
			"message": fmt.Sprintf("Hello %s, this is conversation %d of the soak for %s.", c.first, len(c.conversationIDs)+1, c.last)}
		if c.email == "" {
			in["channel"] = "sms"
		}
		if c.id != "" {
			in["customerId"] = c.id
		} else {
			cust := map[string]any{"firstName": c.first, "lastName": c.last}
			if c.email != "" {
				cust["email"] = c.email
			} else {
				cust["phone"] = c.phone
			}
			in["customer"] = cust
		}
		var out struct {
			StartConversation struct {
				ID       string
				Customer struct{ ID string }
			} `json:"startConversation"`
		}
		if err := d.c.gql(startMutation, map[string]any{"in": in}, &out); err != nil {
			return err
		}
		c.id, convID = out.StartConversation.Customer.ID, out.StartConversation.ID
		return nil
	})
	return convID, err
}

// lookup finds a customer an unanswered start may have created.
func (d *driver) lookup(c *customer) error {
	key := c.email
	if key == "" {
		key = c.phone
	}
	var out struct {
		Customers []struct{ ID, LastName string } `json:"customers"`
	}
	if err := d.c.gql(`query($q: String) { customers(query: $q, first: 5) { id lastName } }`, map[string]any{"q": key}, &out); err != nil {
		return err
	}
	for _, cu := range out.Customers {
		if cu.LastName == c.last {
			c.id = cu.ID
		}
	}
	return nil
}

// close closes the conversation; after an error it reads the conversation, since a close whose answer was lost
// may have been done.
func (d *driver) close(ctx context.Context, convID string) error {
	vars := map[string]any{"id": convID}
	return d.retry(ctx, "close", func() error {
		err := d.c.gql(`mutation($id: ID!) { closeConversation(id: $id) { id } }`, vars, nil)
		if err == nil {
			return nil
		}
		var out struct {
			Conversation struct{ Status string } `json:"conversation"`
		}
		if d.c.gql(`query($id: ID!) { conversation(id: $id) { status } }`, vars, &out) == nil && out.Conversation.Status == "CLOSED" {
			d.refused.add("close (done, answer lost)", err)
			return nil
		}
		return err
	})
}

// drive runs every customer with workers goroutines, starting at most one conversation per pace tick.
func (d *driver) drive(ctx context.Context, custs []*customer, workers int) {
	each(ctx, workers, custs, func(c *customer) { d.runCustomer(ctx, c) })
}

// each calls f for every item from n goroutines, and returns when all are done (or ctx is).
func each[T any](ctx context.Context, n int, items []T, f func(T)) {
	work := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				f(it)
			}
		}()
	}
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
}
