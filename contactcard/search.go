package contactcard

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/phone"
)

// Outbound search bounds.
const (
	MinSearchLength = 2
	MaxSearchLength = 200
	SearchLimit     = 5
)

// searchProperties are what a result shows, with what tells duplicates apart (created, owner, stage, activity).
var searchProperties = []string{"firstname", "lastname", "email", "phone", "mobilephone", "createdate", "lifecyclestage", "hubspot_owner_id", match.PropLastActivity}

// SearchContacts returns up to five contacts by name, email or phone, while the workspace allows outbound
// search. Queries under two characters return nothing without calling HubSpot. Errors: EFORBIDDEN (option off),
// ECONFLICT (HubSpot not enabled), EINVALID (too long), EUNAVAILABLE, ERATELIMITED.
func (s *Service) SearchContacts(ctx context.Context, query string) ([]*convrs.HubspotContact, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	integ, err := s.searchable(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	q := strings.Join(strings.Fields(query), " ")
	if n := utf8.RuneCountInString(q); n < MinSearchLength {
		return []*convrs.HubspotContact{}, nil
	} else if n > MaxSearchLength {
		return nil, convrs.Invalidf("query", "The search is too long (%d characters at most).", MaxSearchLength)
	}
	region := ""
	if w, err := s.cfg.Store.FindWorkspace(ctx, p.WorkspaceID); err == nil {
		region = w.DefaultRegion
	}
	e164 := phoneLike(q, region)
	gen := s.generation(ctx, p.WorkspaceID, integ.PortalID, "search")
	key := searchPrefix(p.WorkspaceID, integ.PortalID) + gen + ":" + hash(strings.ToLower(q), e164)
	out, err := load(ctx, s, key, s.cfg.TTLs.Search, func(ctx context.Context) ([]*convrs.HubspotContact, time.Duration, error) {
		hc, integ, err := s.cfg.Clients.Client(ctx, p.WorkspaceID)
		if err != nil {
			return nil, 0, err
		}
		found, err := search(ctx, hc, q, e164)
		if err != nil {
			return nil, 0, err
		}
		res := make([]*convrs.HubspotContact, 0, len(found))
		for _, ct := range found {
			res = append(res, s.present(ctx, hc, integ, ct))
		}
		return res, 0, nil
	})
	if err != nil {
		code, msg := describe(err)
		s.cfg.Logger.WarnContext(ctx, "contactcard: hubspot search failed", "workspace_id", p.WorkspaceID, "code", code, "error", err)
		return nil, convrs.Errorf(code, "%s", msg)
	}
	return out, nil
}

// searchable returns the integration if outbound search may run now.
func (s *Service) searchable(ctx context.Context, ws string) (*convrs.HubspotIntegration, error) {
	integ, err := s.cfg.Store.HubspotIntegration(ctx, ws)
	if err != nil {
		return nil, err
	}
	switch integ.State {
	case convrs.IntegrationEnabled, convrs.IntegrationConnected:
	case convrs.IntegrationError:
		return nil, convrs.Errorf(convrs.EUNAVAILABLE, "HubSpot needs reconnecting: %s", integ.ErrorReason)
	default:
		return nil, convrs.Errorf(convrs.ECONFLICT, "HubSpot is not connected.")
	}
	if !integ.Options.AllowOutboundSearch {
		return nil, convrs.Errorf(convrs.EFORBIDDEN, "HubSpot search in outbound is turned off for this workspace (Allow HubSpot searching in outbound).")
	}
	return integ, nil
}

// phoneLike returns the query as an E.164 number if it is written like a phone number (digits and the usual
// separators only) and is a valid number in region, else "".
func phoneLike(q, region string) string {
	digits := 0
	for _, r := range q {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune("+-(). /", r):
		default:
			return ""
		}
	}
	if digits < 6 {
		return ""
	}
	e164, err := phone.ParseValid(q, region)
	if err != nil {
		return ""
	}
	return e164
}

// search runs HubSpot's full-text search; a phone number is first searched through the phone properties
// (E.164 as typed into forms, and HubSpot's calculated national numbers), the full text filling up the rest.
func search(ctx context.Context, hc *hubspot.Client, q, e164 string) ([]*hubspot.Contact, error) {
	var out []*hubspot.Contact
	seen := map[string]bool{}
	add := func(cs []*hubspot.Contact) {
		for _, c := range cs {
			if c != nil && !seen[c.ID] && len(out) < SearchLimit {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	if e164 != "" {
		b := hubspot.NewSearch().Where("phone", hubspot.OpEQ, e164).Or().Where("mobilephone", hubspot.OpEQ, e164)
		if national := phone.National(e164); national != "" {
			b.Or().Where("hs_searchable_calculated_phone_number", hubspot.OpEQ, national).
				Or().Where("hs_searchable_calculated_mobile_number", hubspot.OpEQ, national)
		}
		sr := b.Sort("createdate", hubspot.Ascending).Properties(searchProperties...).Limit(SearchLimit).Request()
		res, _, err := hc.Contacts.Search(ctx, sr)
		if err != nil {
			return nil, err
		}
		add(res.Results)
		if len(out) >= SearchLimit {
			return out, nil
		}
	}
	res, _, err := hc.Contacts.Search(ctx, &hubspot.SearchRequest{Query: q, Properties: searchProperties, Limit: SearchLimit})
	if err != nil {
		return nil, err
	}
	add(res.Results)
	return out, nil
}
