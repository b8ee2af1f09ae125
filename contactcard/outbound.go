package contactcard

import (
	"cmp"
	"context"
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/phone"
)

// Outbound wraps a ConversationService so that StartConversation (Create New Chat) takes the HubSpot contact
// picked in outbound search from HubSpot itself, never from the browser, and enforces Only allow HubSpot
// matches in outbound. Every other method is the wrapped service's.
func (s *Service) Outbound(next convrs.ConversationService) convrs.ConversationService {
	return &outbound{ConversationService: next, s: s}
}

type outbound struct {
	convrs.ConversationService
	s *Service
}

// StartConversation: with HubspotContactID, the contact is read from the connected portal and the conversation
// carries it (Pick), so its transcript goes there; a new customer's details are the contact's as HubSpot returns
// them (whatever the browser sent) and it is linked to it. Details that belong to an existing customer are the
// store's ECONFLICT "Bob Smith is already a customer; this chat will be written to Robert Smith in HubSpot.";
// starting again with that customerId (LinkCustomer to also make the pick their contact) starts it. Errors besides the wrapped service's:
// EFORBIDDEN (a HubSpot pick while outbound search is off), EINVALID field "hubspotContactId" (no such
// contact; no pick while HubSpot matches are required), EUNAVAILABLE / ERATELIMITED (HubSpot).
func (o *outbound) StartConversation(ctx context.Context, in convrs.StartConversationInput) (*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	// Only the contact fetched here may be carried or linked: a pick sent by the browser is dropped.
	in.Pick = nil
	in.HubspotContactID = strings.TrimSpace(in.HubspotContactID)
	if err := convrs.ValidContactID(in.HubspotContactID); err != nil {
		return nil, err // before anything is read, and never into HubSpot's URL
	}
	integ, err := o.s.cfg.Store.HubspotIntegration(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	usable := integ.State == convrs.IntegrationEnabled || integ.State == convrs.IntegrationConnected
	required := usable && integ.Options.AllowOutboundSearch && integ.Options.RequireOutboundMatch
	var contactID string
	switch {
	case in.HubspotContactID != "":
		if _, err := o.s.searchable(ctx, p.WorkspaceID); err != nil {
			return nil, err
		}
		ct, err := o.fetch(ctx, p.WorkspaceID, in.HubspotContactID)
		if err != nil {
			return nil, err
		}
		contactID = ct.ID
		in.Pick = &convrs.HubspotPick{PortalID: integ.PortalID, ContactID: ct.ID, ContactName: contactName(ct)}
		if in.CustomerID == "" {
			region := ""
			if w, err := o.s.cfg.Store.FindWorkspace(ctx, p.WorkspaceID); err == nil {
				region = w.DefaultRegion
			}
			typed := in.Customer
			in.Customer = customerFromContact(ct, region, in.Channel)
			if err := fillMissing(&in.Customer, typed, ct, region, in.Channel); err != nil {
				return nil, err
			}
		}
	case required:
		if in.CustomerID == "" || !o.linked(ctx, in.CustomerID, integ.PortalID) {
			return nil, convrs.Invalidf("hubspotContactId", "Only HubSpot contacts can be reached in outbound here: search HubSpot and choose a contact.")
		}
	}
	conv, err := o.ConversationService.StartConversation(ctx, in)
	if err != nil {
		return nil, err
	}
	if contactID != "" {
		o.s.forgetCustomer(ctx, p.WorkspaceID, integ.PortalID, conv.CustomerID)
		o.s.notify(ctx, p.WorkspaceID, conv.CustomerID)
	}
	return conv, nil
}

// linked reports whether the customer is linked to a contact of the connected portal.
func (o *outbound) linked(ctx context.Context, customerID string, portal int64) bool {
	c, err := o.s.cfg.Store.FindCustomer(ctx, customerID)
	return err == nil && c.HubspotContactID != "" && c.HubspotPortalID == portal
}

// fetch reads the picked contact from HubSpot (a merged ID answers with the contact kept).
func (o *outbound) fetch(ctx context.Context, ws, id string) (*hubspot.Contact, error) {
	if err := convrs.ValidContactID(id); err != nil {
		return nil, err
	}
	hc, _, err := o.s.cfg.Clients.Client(ctx, ws)
	if err != nil {
		return nil, err
	}
	ct, _, err := hc.Contacts.Get(ctx, id, match.Properties)
	if errors.Is(err, hubspot.ErrNotFound) {
		return nil, convrs.Invalidf("hubspotContactId", "HubSpot has no contact %s (it may have been deleted). Search again and choose another.", id)
	} else if err != nil {
		code, msg := describe(err)
		return nil, convrs.Errorf(code, "%s", msg)
	}
	return ct, nil
}

// customerFromContact is what the new customer knows: the contact's email, names and first valid number
// (the mobile first for SMS and WhatsApp).
func customerFromContact(ct *hubspot.Contact, region, channel string) convrs.CustomerInput {
	str := func(v string) *string { v = strings.TrimSpace(v); return &v }
	phones := []string{ct.Prop("phone"), ct.Prop("mobilephone")}
	if channel == "sms" || channel == "whatsapp" {
		phones[0], phones[1] = phones[1], phones[0]
	}
	num := ""
	for _, p := range phones {
		if e164, err := phone.ParseValid(p, region); err == nil {
			num = e164
			break
		}
	}
	return convrs.CustomerInput{Email: str(ct.Prop("email")), Phone: &num, FirstName: str(ct.Prop("firstname")),
		LastName: str(ct.Prop("lastname"))}
}

// contactName is the contact's name, else its email.
func contactName(ct *hubspot.Contact) string {
	return cmp.Or(strings.TrimSpace(ct.Prop("firstname")+" "+ct.Prop("lastname")), ct.Prop("email"))
}

// fillMissing completes a picked contact's details with what the agent typed for a detail HubSpot lacks (the
// contact still comes from HubSpot: only a missing email or phone number is taken from the form). A channel
// that needs a phone number when the contact's numbers are all invalid is EINVALID, saying which number and for
// which region.
func fillMissing(c *convrs.CustomerInput, typed convrs.CustomerInput, ct *hubspot.Contact, region, channel string) error {
	hubspotNumbers := map[string]bool{}
	for _, n := range []string{ct.Prop("phone"), ct.Prop("mobilephone")} {
		if n = strings.TrimSpace(n); n != "" {
			hubspotNumbers[n] = true
		}
	}
	if c.Phone == nil || *c.Phone == "" {
		if t := strings.TrimSpace(derefStr(typed.Phone)); t != "" && !hubspotNumbers[t] {
			c.Phone = &t
		} else if needsPhone(channel) && len(hubspotNumbers) > 0 {
			bad := ct.Prop("mobilephone")
			if channel != "sms" && channel != "whatsapp" || strings.TrimSpace(bad) == "" {
				bad = cmp.Or(strings.TrimSpace(ct.Prop("phone")), strings.TrimSpace(bad))
			}
			return convrs.Invalidf("phone", "%s, HubSpot's number for %s, is not a valid phone number in %s. Type a valid number to reach them on, or choose another channel.",
				strings.TrimSpace(bad), cmp.Or(contactName(ct), "this contact"), numberRegion(bad, region))
		}
	}
	if c.Email == nil || *c.Email == "" {
		if t := strings.TrimSpace(derefStr(typed.Email)); t != "" {
			c.Email = &t
		}
	}
	return nil
}

func needsPhone(channel string) bool { return channel == "sms" || channel == "whatsapp" }

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// numberRegion is the region a number is read in: its own country's with a country code, else region.
func numberRegion(raw, region string) string {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "00") {
		raw = "+" + raw[2:]
	}
	if strings.HasPrefix(raw, "+") {
		if n, err := phonenumbers.Parse(raw, ""); err == nil {
			if r := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())); r != "" && r != "ZZ" {
				return r
			}
		}
	}
	return cmp.Or(region, "the workspace's region")
}
