package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph/model"
)

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// nilIfNotFound turns ENOTFOUND into a null result, as nullable single-object queries promise.
func nilIfNotFound[T any](v *T, err error) (*T, error) {
	if convrs.ErrorCode(err) == convrs.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// nullIfEmpty maps the domain's "unknown" (an empty string) to GraphQL's null.
// adminDetail is HubSpot's own answer for admins, null for everyone else (agents read the words only).
func adminDetail(ctx context.Context, detail string) *string {
	if p, err := convrs.RequireAdmin(ctx); err != nil || p == nil {
		return nil
	}
	return nullIfEmpty(detail)
}

// adminAttemptErrors is a sync record's attempt history for admins, empty for everyone else, as adminDetail.
func adminAttemptErrors(ctx context.Context, errs []convrs.HubspotSyncAttemptError) []*convrs.HubspotSyncAttemptError {
	out := []*convrs.HubspotSyncAttemptError{}
	if p, err := convrs.RequireAdmin(ctx); err != nil || p == nil {
		return out
	}
	for i := range errs {
		out = append(out, &errs[i])
	}
	return out
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullIfZero maps a zero value (an unset enum) to GraphQL's null.
func nullIfZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// maxFirst is the largest page of conversations or customers (the store's limit too).
const maxFirst = 200

// pageFirst reads a list's first argument: 1 to maxFirst, so that the complexity estimate is what is loaded.
func pageFirst(first *int) (int, error) {
	if first == nil {
		return maxFirst, nil
	}
	if *first < 1 || *first > maxFirst {
		return 0, convrs.Invalidf("first", "Ask for 1 to %d items.", maxFirst)
	}
	return *first, nil
}

// messagePage reads the messages field's arguments: a page of 1 to MaxMessagePage messages.
func messagePage(last *int, before *string) (convrs.MessagePage, error) {
	n := convrs.DefaultMessagePage
	if last != nil {
		n = *last
	}
	if n < 1 || n > convrs.MaxMessagePage {
		return convrs.MessagePage{}, convrs.Invalidf("last", "Ask for 1 to %d messages.", convrs.MaxMessagePage)
	}
	return convrs.MessagePage{Last: n, Before: deref(before)}, nil
}

func startInput(in model.StartConversationInput) convrs.StartConversationInput {
	out := convrs.StartConversationInput{CustomerID: deref(in.CustomerID), Channel: in.Channel, Subject: deref(in.Subject), Message: in.Message,
		HubspotContactID: deref(in.HubspotContactID), LinkCustomer: deref(in.LinkCustomer)}
	if in.Customer != nil {
		out.Customer = *in.Customer
	}
	return out
}

// hubspotIntegrationChanged streams the caller's workspace's HubSpot integration each time any gateway process
// announces a change on the workspace's HubSpot topic.
func (r *Resolver) hubspotIntegrationChanged(ctx context.Context) (<-chan *convrs.HubspotIntegration, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in, err := r.PubSub.Subscribe(ctx, convrs.TopicHubspot(p.WorkspaceID))
	if err != nil {
		return nil, err
	}
	out := make(chan *convrs.HubspotIntegration, 1)
	go func() {
		defer close(out)
		for range in {
			integ, err := r.HubspotService.Integration(ctx)
			if err != nil {
				if errors.Is(ctx.Err(), context.Canceled) {
					return
				}
				continue
			}
			select {
			case out <- integ:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// SearchesPerStaff is how many HubSpot searches (searchHubspotContacts) one staff member may start per
// SearchWindow: a typing agent's debounced searches fit, a script looping on the API does not.
const (
	SearchesPerStaff = 10
	SearchWindow     = 10 * time.Second
)

// paceSearch takes one of the caller's search slots, or answers ERATELIMITED. Queries too short to reach
// HubSpot (under two characters) are free.
func (r *Resolver) paceSearch(ctx context.Context, query string) error {
	p, err := convrs.Authenticated(ctx)
	if err != nil || r.Limiter == nil || utf8.RuneCountInString(strings.Join(strings.Fields(query), " ")) < 2 {
		return err
	}
	wait, err := r.Limiter.Take(ctx, "search:staff:"+p.WorkspaceID+":"+p.StaffID, SearchesPerStaff, SearchWindow)
	if err != nil {
		return fmt.Errorf("graph: pace search: %w", err)
	}
	if wait > 0 {
		return convrs.Errorf(convrs.ERATELIMITED, "Too many HubSpot searches: try again in %d s.", int(wait.Round(time.Second)/time.Second)+1)
	}
	return nil
}

// location is the caller's workspace's time zone (UTC when it cannot be read), for dates said in words.
func (r *Resolver) location(ctx context.Context) *time.Location {
	p := convrs.PrincipalFromContext(ctx)
	if p == nil || r.WorkspaceService == nil {
		return time.UTC
	}
	ws, err := r.WorkspaceService.FindWorkspace(ctx, p.WorkspaceID)
	if err != nil {
		return time.UTC
	}
	if loc, err := time.LoadLocation(ws.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// hubspotContactUpdated streams the customer's card; with conversationID, as that conversation's card shows
// it (the contact picked for the chat, when there is one).
func (r *Resolver) hubspotContactUpdated(ctx context.Context, customerID, conversationID string) (<-chan *convrs.HubspotContactLookup, error) {
	if conversationID == "" {
		return r.HubspotContactService.SubscribeContact(ctx, customerID)
	}
	if _, err := r.HubspotLinkService.ConversationContact(ctx, customerID, conversationID); err != nil {
		return nil, err
	}
	in, err := r.HubspotContactService.SubscribeContact(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make(chan *convrs.HubspotContactLookup, 1)
	go func() {
		defer close(out)
		for range in {
			lk, err := r.HubspotLinkService.ConversationContact(ctx, customerID, conversationID)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				continue
			}
			select {
			case out <- lk:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
