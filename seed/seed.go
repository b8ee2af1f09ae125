// Package seed fills an empty database with the demo workspace: staff, customers in assorted phone and email
// shapes (overlapping the HubSpot simulator's demo portal), and open and closed conversations.
package seed

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// Demo workspace and staff IDs, stable so that docs, tests and the token command can name them.
const (
	WorkspaceID = "ws_demo"
	AdminID     = "stf_ada"
	AgentID     = "stf_sam"
	// OtherWorkspaceID is a second tenant, to show that workspaces never see each other.
	OtherWorkspaceID = "ws_globex"
	OtherAdminID     = "stf_gina"
)

type customer struct {
	first, last, email, phone string
	channel                   string
	closed                    bool
	lines                     []string // alternating customer / agent, customer first
}

var customers = []customer{
	{"Alice", "Johnson", "alice@example.com", "+44 7911 123456", "web", false, []string{
		"Hi, I ordered a standing desk last week and the tracking hasn't updated since Monday.",
		"Hi Alice, sorry about that! Let me check with the courier — could you confirm the order number?",
		"It's ORD-58213.",
	}},
	{"Bob", "Smith", "bob@example.com", "", "email", true, []string{
		"Can I change the billing address on my account?",
		"Of course, Bob. I've updated it to the address on your last invoice. Anything else?",
		"That's all, thanks!",
	}},
	{"Carla", "Gomez", "", "07400 123456", "whatsapp", false, []string{
		"Hola! Do you ship to Spain?",
		"We do, Carla — delivery to Spain takes 3–5 working days.",
	}},
	{"Dev", "Patel", "", "+1 (415) 555-0134", "sms", true, []string{
		"Is the enterprise plan billed monthly or yearly?",
		"Both are possible, Dev. Yearly billing saves 15%. Shall I send a quote?",
		"Yes please, for 40 seats.",
		"Done — it's in your inbox.",
	}},
	{"Hana", "Sato", "", "+44 20 7946 0958", "web", false, []string{
		"My invoice shows the wrong VAT number.",
		"Thanks Hana, I'll have finance reissue it today.",
	}},
	{"Frank", "Müller", "frank@example.de", "", "email", false, []string{
		"Guten Tag, the app logs me out every few minutes.",
		"Hi Frank, that's a known issue with version 4.2 — updating to 4.3 fixes it.",
	}},
	{"Erin", "O'Brien", "erin@example.org", "+353 85 123 4567", "web", true, []string{
		"Do you offer discounts for charities?",
		"We do, Erin: 30% off any plan. I've applied it to your account.",
	}},
	{"", "", "", "", "web", false, []string{
		"hello? is anyone there",
		"Hi! Yes, how can I help you today?",
	}},
	{"Liam", "Chen", "liam.chen@example.net", "", "web", false, []string{
		"How do I export my data as CSV?",
		"Settings → Data → Export, Liam. The file arrives by email within a few minutes.",
	}},
	{"Maya", "Rossi", "", "+39 312 345 6789", "whatsapp", false, []string{
		"Ciao, can I pay by bank transfer?",
	}},
	{"Noah", "Williams", "noah@example.co.uk", "", "email", true, []string{
		"Please cancel my trial.",
		"Done, Noah — you won't be charged. Sorry to see you go!",
	}},
	{"Olga", "Ivanova", "olga@example.com", "07400 654321", "sms", false, []string{
		"Is there a student discount?",
		"There is, Olga: 50% with a valid student email.",
	}},
}

// clock hands the store increasing times from a start in the past, so seeded conversations look lived-in.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(97 * time.Second)
	return c.t
}

// Demo seeds the demo data unless the demo workspace exists already. It reports whether it seeded.
func Demo(ctx context.Context, db *store.DB) (bool, error) {
	sys := convrs.SystemContext(ctx, WorkspaceID)
	if _, err := db.FindWorkspace(sys, WorkspaceID); err == nil {
		return false, nil
	} else if convrs.ErrorCode(err) != convrs.ENOTFOUND {
		return false, fmt.Errorf("seed: %w", err)
	}
	saved := db.Now
	clk := &clock{t: time.Now().Add(-72 * time.Hour)}
	db.Now = clk.now
	defer func() { db.Now = saved }()

	for _, ws := range []*convrs.Workspace{
		{ID: WorkspaceID, Name: "Acme Support", DefaultRegion: "GB", TimeZone: "Europe/London"},
		{ID: OtherWorkspaceID, Name: "Globex Sales", DefaultRegion: "US", TimeZone: "America/New_York"},
	} {
		if err := db.CreateWorkspace(ctx, ws); err != nil {
			return false, fmt.Errorf("seed: %w", err)
		}
	}
	for _, s := range []*convrs.Staff{
		{ID: AdminID, WorkspaceID: WorkspaceID, Name: "Ada Admin", Email: "ada@acme.test", Role: convrs.RoleAdmin},
		{ID: AgentID, WorkspaceID: WorkspaceID, Name: "Sam Agent", Email: "sam@acme.test", Role: convrs.RoleAgent},
		{ID: OtherAdminID, WorkspaceID: OtherWorkspaceID, Name: "Gina Globex", Email: "gina@globex.test", Role: convrs.RoleAdmin},
	} {
		if err := db.CreateStaff(ctx, s); err != nil {
			return false, fmt.Errorf("seed: %w", err)
		}
	}
	agent := convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: AgentID, WorkspaceID: WorkspaceID, Role: convrs.RoleAgent})
	for _, c := range customers {
		in := convrs.CustomerInput{FirstName: &c.first, LastName: &c.last, Email: &c.email, Phone: &c.phone}
		cust, err := db.CreateCustomer(agent, in)
		if err != nil {
			return false, fmt.Errorf("seed: customer %s %s: %w", c.first, c.last, err)
		}
		conv, err := startInbound(agent, db, cust, c)
		if err != nil {
			return false, fmt.Errorf("seed: conversation with %s: %w", c.first, err)
		}
		if c.closed {
			if _, err := db.CloseConversation(agent, conv.ID); err != nil {
				return false, fmt.Errorf("seed: close: %w", err)
			}
		}
	}
	globex := convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: OtherAdminID, WorkspaceID: OtherWorkspaceID, Role: convrs.RoleAdmin})
	email, first := "pat@initech.test", "Pat"
	if _, err := db.StartConversation(globex, convrs.StartConversationInput{
		Customer: convrs.CustomerInput{Email: &email, FirstName: &first}, Channel: "email", Message: "Hi Pat, following up on our call.",
	}); err != nil {
		return false, fmt.Errorf("seed: globex: %w", err)
	}
	return true, nil
}

// startInbound opens a conversation the customer started: their first line, then the agent's replies.
func startInbound(agent context.Context, db *store.DB, cust *convrs.Customer, c customer) (*convrs.Conversation, error) {
	conv, err := db.OpenInbound(agent, cust.ID, c.channel, c.lines[0])
	if err != nil {
		return nil, err
	}
	for i, line := range c.lines[1:] {
		if i%2 == 0 {
			_, err = db.SendMessage(agent, conv.ID, line)
		} else {
			_, err = db.PostCustomerMessage(agent, conv.ID, line)
		}
		if err != nil {
			return nil, err
		}
	}
	return conv, nil
}
