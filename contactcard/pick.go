package contactcard

import (
	"context"
	"strings"

	"github.com/convrs/gateway/convrs"
)

// ContactToPick reads contact id from HubSpot for Create New Chat opened with it already picked (the HubSpot
// app card's Start chat in Convrs links only the contact's ID). It is outbound search's pick by other means, so
// it runs only where outbound search may (EFORBIDDEN while Allow HubSpot searching in outbound is off,
// ECONFLICT while HubSpot is not connected); the chat started from it is still StartConversation's, which
// fetches the contact again itself. Errors: EINVALID field "id" (not a contact ID, or HubSpot has no such
// contact), EUNAVAILABLE, ERATELIMITED.
func (s *Service) ContactToPick(ctx context.Context, id string) (*convrs.HubspotContact, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	id = strings.TrimSpace(id)
	if id == "" || convrs.ValidContactID(id) != nil {
		return nil, convrs.Invalidf("id", "%q is not a HubSpot contact ID.", cut(id, 40))
	}
	integ, err := s.searchable(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	ct, err := (&outbound{s: s}).fetch(ctx, p.WorkspaceID, id)
	if err != nil {
		if e, ok := err.(*convrs.Error); ok && e.Code == convrs.EINVALID {
			e.Field = "id"
		}
		return nil, err
	}
	return &convrs.HubspotContact{ID: ct.ID, FirstName: ct.Prop("firstname"), LastName: ct.Prop("lastname"),
		Email: ct.Prop("email"), Phone: ct.Prop("phone"), MobilePhone: ct.Prop("mobilephone"), URL: s.cfg.Clients.ContactURL(integ, ct.ID)}, nil
}

// cut is s cut to n bytes of valid UTF-8.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
