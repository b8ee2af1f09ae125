package contactcard

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

var _ convrs.HubspotLinkService = (*Service)(nil)

// maxCandidates bounds the duplicates Change contact lists.
const maxCandidates = 20

// ChangeContact links the customer to contactID, chosen by the caller (admin or agent of the workspace), after
// reading the contact from the connected portal: an ID HubSpot does not know is refused, so a link can never
// name a contact the portal does not have. A "not this person" of that contact is forgotten.
func (s *Service) ChangeContact(ctx context.Context, customerID, contactID string) (*convrs.HubspotContactLookup, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	contactID = strings.TrimSpace(contactID)
	if contactID == "" {
		return nil, convrs.Invalidf("hubspotContactId", "Choose a HubSpot contact.")
	}
	if err := convrs.ValidContactID(contactID); err != nil {
		return nil, err
	}
	cust, err := s.cfg.Store.FindCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	hc, integ, err := s.enabledClient(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	ct, _, err := hc.Contacts.Get(ctx, contactID, match.Properties)
	if errors.Is(err, hubspot.ErrNotFound) {
		return nil, convrs.Invalidf("hubspotContactId", "HubSpot has no contact %s (it may have been deleted). Search again and choose another.", contactID)
	} else if err != nil {
		code, msg := describe(err)
		return nil, convrs.Errorf(code, "%s", msg)
	}
	staff, err := s.cfg.Store.FindStaff(ctx, p.StaffID)
	if err != nil {
		return nil, err
	}
	src := convrs.HubspotLinkSource{Rule: convrs.MatchChosen, StaffID: staff.ID, StaffName: staff.Name, At: s.now()}
	if err := s.cfg.Store.LinkHubspotContact(ctx, cust.ID, integ.PortalID, ct.ID, src); err != nil {
		return nil, err
	}
	s.setJSON(ctx, contactKey(p.WorkspaceID, integ.PortalID, ct.ID), ct, s.cfg.TTLs.Card)
	s.changed(ctx, p.WorkspaceID, integ.PortalID, cust.ID)
	s.cfg.Logger.InfoContext(ctx, "contactcard: hubspot contact chosen", "workspace_id", p.WorkspaceID, "customer_id", cust.ID,
		"portal_id", integ.PortalID, "contact_id", ct.ID, "staff_id", staff.ID)
	return s.Contact(ctx, cust.ID)
}

// UnlinkContact removes the customer's link ("not this person"): the contact is remembered, so the rules never
// match this customer to it again until someone links it (Change contact). ECONFLICT when nothing is linked.
func (s *Service) UnlinkContact(ctx context.Context, customerID string) (*convrs.HubspotContactLookup, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.cfg.Store.FindCustomer(ctx, customerID); err != nil {
		return nil, err
	}
	integ, err := s.cfg.Store.HubspotIntegration(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if integ.PortalID == 0 {
		return nil, convrs.Errorf(convrs.ECONFLICT, "HubSpot is not connected to this workspace.")
	}
	was, err := s.cfg.Store.UnlinkHubspotContact(ctx, customerID, integ.PortalID)
	if err != nil {
		return nil, err
	}
	if was == "" {
		return nil, convrs.Errorf(convrs.ECONFLICT, "This customer is not linked to a HubSpot contact.")
	}
	s.changed(ctx, p.WorkspaceID, integ.PortalID, customerID)
	s.cfg.Logger.InfoContext(ctx, "contactcard: hubspot contact unlinked as not this person", "workspace_id", p.WorkspaceID,
		"customer_id", customerID, "portal_id", integ.PortalID, "contact_id", was, "staff_id", p.StaffID)
	return s.Contact(ctx, customerID)
}

// ContactCandidates lists the contacts that share the customer's email or phone number (the duplicates the
// rules choose among), oldest first, with what tells them apart.
func (s *Service) ContactCandidates(ctx context.Context, customerID string) ([]*convrs.HubspotContact, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	cust, err := s.cfg.Store.FindCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	hc, integ, err := s.enabledClient(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	region := ""
	if w, err := s.cfg.Store.FindWorkspace(ctx, p.WorkspaceID); err == nil {
		region = w.DefaultRegion
	}
	cs, err := match.Candidates(ctx, hc.Contacts, match.Target{Customer: cust, PortalID: integ.PortalID, Region: region})
	if err != nil {
		code, msg := describe(err)
		return nil, convrs.Errorf(code, "%s", msg)
	}
	if len(cs) > maxCandidates {
		cs = cs[:maxCandidates]
	}
	out := make([]*convrs.HubspotContact, len(cs))
	for i, ct := range cs {
		out[i] = s.present(ctx, hc, integ, ct)
	}
	return out, nil
}

// ConversationContact is the card beside a conversation: the contact the agent picked when starting it, which
// its transcript goes to, or else the customer's card.
func (s *Service) ConversationContact(ctx context.Context, customerID, conversationID string) (*convrs.HubspotContactLookup, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if conversationID == "" {
		return s.Contact(ctx, customerID)
	}
	conv, err := s.cfg.Store.FindConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if conv.CustomerID != customerID {
		return nil, convrs.Errorf(convrs.ENOTFOUND, "Conversation not found.")
	}
	cust, err := s.cfg.Store.FindCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	integ, err := s.cfg.Store.HubspotIntegration(ctx, p.WorkspaceID)
	if err != nil || conv.HubspotContactID == "" || conv.HubspotPortalID != integ.PortalID || integ.State != convrs.IntegrationEnabled {
		return s.Contact(ctx, customerID)
	}
	out := &convrs.HubspotContactLookup{CustomerID: customerID, ConversationID: conv.ID}
	hc, integ, err := s.cfg.Clients.Client(ctx, p.WorkspaceID)
	if err != nil {
		return s.unavailable(ctx, out, err), nil
	}
	ct, err := s.contact(ctx, hc, p.WorkspaceID, integ.PortalID, conv.HubspotContactID)
	if errors.Is(err, hubspot.ErrNotFound) {
		// The picked contact was deleted: the transcript follows the customer's own contact, and so does the card.
		return s.Contact(ctx, customerID)
	} else if err != nil {
		return s.unavailable(ctx, out, err), nil
	}
	loc := time.UTC
	if w, err := s.cfg.Store.FindWorkspace(ctx, p.WorkspaceID); err == nil {
		if l, err := time.LoadLocation(w.TimeZone); err == nil {
			loc = l
		}
	}
	out.Outcome, out.MatchedBy, out.Candidates = convrs.ContactFound, convrs.MatchChosen, 1
	out.Link = conv.HubspotPickedBy
	out.LinkWords = conv.HubspotPickedBy.Words(loc, s.now())
	if cust.HubspotContactID != "" && cust.HubspotPortalID == integ.PortalID {
		out.CustomerContactID = cust.HubspotContactID
	}
	out.Contact = s.present(ctx, hc, integ, ct)
	return out, nil
}

// enabledClient is the workspace's HubSpot client while syncing is enabled; ECONFLICT otherwise.
func (s *Service) enabledClient(ctx context.Context, ws string) (*hubspot.Client, *convrs.HubspotIntegration, error) {
	integ, err := s.cfg.Store.HubspotIntegration(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	if integ.State != convrs.IntegrationEnabled {
		return nil, nil, convrs.Errorf(convrs.ECONFLICT, "HubSpot is not enabled for this workspace.")
	}
	hc, integ, err := s.cfg.Clients.Client(ctx, ws)
	if err != nil {
		code, msg := describe(err)
		return nil, nil, convrs.Errorf(code, "%s", msg)
	}
	return hc, integ, nil
}

// changed drops the customer's cached match and updates their open panels in every process.
func (s *Service) changed(ctx context.Context, ws string, portal int64, customerID string) {
	s.forgetCustomer(ctx, ws, portal, customerID)
	s.notify(ctx, ws, customerID)
}

// propTime reads a HubSpot datetime property: RFC 3339, or milliseconds since the epoch.
func propTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}
