package integration

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
	"github.com/convrs/gateway/hubspot"
)

// checkWords is what a failed step of the connection check tells the admin to do, by kind of failure.
var checkWords = map[hubfault.Kind]string{
	hubfault.Refused:       "HubSpot refused Convrs's authorization. Reconnect HubSpot, then check again.",
	hubfault.MissingScopes: "HubSpot did not allow this: the connection lacks a permission. Reconnect HubSpot and grant every permission asked for.",
	hubfault.RateLimited:   "HubSpot asked Convrs to slow down (its rate limit). Check again in a minute.",
	hubfault.Unavailable:   "HubSpot did not answer. Check again in a few minutes; if it persists, look at HubSpot's status page.",
	hubfault.Migrating:     "HubSpot is moving this account to another data centre. Check again once it is done.",
	hubfault.NotFound:      "HubSpot has no such record.",
	hubfault.Invalid:       "HubSpot refused the request as invalid (see Details).",
	hubfault.Internal:      "Convrs could not run this step because of a problem on its own side. Check again; if it persists, tell whoever runs Convrs.",
}

// CheckConnection proves the workspace's grant works end to end: the account details, a contact search, reading
// the contact found, the owners list; nothing is written unless testNoteContactID names a contact, which then
// gets a short test note. Every step runs (a failed one does not hide the others), and says in words what it
// found. Admin only; ECONFLICT when HubSpot is not connected.
func (s *Service) CheckConnection(ctx context.Context, testNoteContactID string) (*convrs.HubspotConnectionCheck, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	testNoteContactID = strings.TrimSpace(testNoteContactID)
	if len(testNoteContactID) > 40 || strings.Trim(testNoteContactID, "0123456789") != "" {
		return nil, convrs.Invalidf("testNoteContactId", "A HubSpot contact ID is a number (the last part of the contact's address in HubSpot).")
	}
	out := &convrs.HubspotConnectionCheck{OK: true, CheckedAt: s.cfg.Now()}
	add := func(name string, outcome convrs.HubspotCheckOutcome, message string, err error) {
		st := &convrs.HubspotCheckStep{Name: name, Outcome: outcome, Message: message}
		if err != nil {
			st.Outcome, st.Message, st.Detail = convrs.CheckFailed, checkWords[hubfault.Of(err)], hubfault.Detail(err)
			out.OK = false
			s.cfg.Logger.WarnContext(ctx, "hubspot connection check: step failed", "workspace_id", p.WorkspaceID, "step", name, "detail", st.Detail)
		}
		out.Steps = append(out.Steps, st)
	}
	hc, integ, err := s.Client(ctx, p.WorkspaceID)
	if integ != nil && integ.State == convrs.IntegrationDisconnected {
		return nil, convrs.Errorf(convrs.ECONFLICT, "HubSpot is not connected. Click Integrate first.")
	}
	if err != nil {
		add("Use the stored authorization", convrs.CheckFailed, "", err)
		return out, nil
	}

	acct, _, err := hc.Account.Details(ctx)
	if err == nil && acct.PortalID != integ.PortalID {
		add("Read the account details", convrs.CheckFailed, fmt.Sprintf(
			"HubSpot answered for portal %d, not the connected portal %d. Reconnect HubSpot.", acct.PortalID, integ.PortalID), nil)
		out.OK = false
	} else {
		domain := ""
		if acct != nil {
			domain = acct.UIDomain
		}
		add("Read the account details", convrs.CheckPassed, fmt.Sprintf("Portal %d answers (%s).", integ.PortalID, cmpOr(domain, "HubSpot")), err)
	}

	found, _, err := hc.Contacts.Search(ctx, &hubspot.SearchRequest{Limit: 1, Properties: []string{"email"}})
	first := ""
	if err == nil && len(found.Results) > 0 {
		first = found.Results[0].ID
	}
	add("Search contacts", convrs.CheckPassed, fmt.Sprintf("The search answers (%s in the portal).", contacts(found)), err)

	switch read := cmpOr(testNoteContactID, first); {
	case read == "" && err == nil:
		add("Read a contact", convrs.CheckSkipped, "The portal has no contacts to read yet.", nil)
	case read == "":
		add("Read a contact", convrs.CheckSkipped, "No contact to read: the search failed.", nil)
	default:
		_, _, err := hc.Contacts.Get(ctx, read, []string{"email", "firstname", "lastname"})
		add("Read a contact", convrs.CheckPassed, fmt.Sprintf("Contact %s was read.", read), err)
	}

	owners, _, err := hc.Owners.List(ctx, &hubspot.ListOwnersOptions{Limit: 100})
	n := 0
	if err == nil {
		n = len(owners.Results)
	}
	add("Read the owners list", convrs.CheckPassed, fmt.Sprintf("%d %s found (notes are credited to the agent's HubSpot owner).", n, plural(n, "owner", "owners")), err)

	if testNoteContactID != "" {
		body := "<p>Connection check from Convrs: this note shows that Convrs can write conversation transcripts to this contact. You can delete it.</p>"
		note, _, err := hc.Notes.Create(ctx, hubspot.NoteInput{Body: body, Timestamp: s.cfg.Now(), ContactIDs: []string{testNoteContactID}})
		msg := ""
		if err == nil {
			msg = fmt.Sprintf("Test note %s was written to contact %s: see it on the contact's timeline in HubSpot.", note.ID, testNoteContactID)
		}
		add("Write a test note", convrs.CheckPassed, msg, err)
	} else {
		add("Write a test note", convrs.CheckSkipped, "Nothing was written: no contact was chosen for a test note.", nil)
	}
	s.cfg.Logger.InfoContext(ctx, "hubspot connection check", "workspace_id", p.WorkspaceID, "staff_id", p.StaffID, "ok", out.OK,
		"test_note", testNoteContactID != "", "took", time.Since(out.CheckedAt).Round(time.Millisecond))
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func contacts(r *hubspot.SearchResult[*hubspot.Contact]) string {
	if r == nil {
		return "no contacts"
	}
	return fmt.Sprintf("%d %s", r.Total, plural(r.Total, "contact", "contacts"))
}
