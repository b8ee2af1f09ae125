package hubspot

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// OwnersService reads CRM owners (scope crm.objects.owners.read).
type OwnersService service

// Owner is a CRM owner: a user who can own records. hubspot_owner_id properties hold an owner's ID, not
// its UserID.
type Owner struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// UserID is nil for a deactivated owner.
	UserID *int64 `json:"userId"`
	// UserIDIncludingInactive is set for deactivated owners too.
	UserIDIncludingInactive *int64      `json:"userIdIncludingInactive,omitempty"`
	Type                    string      `json:"type"`
	Teams                   []OwnerTeam `json:"teams,omitempty"`
	CreatedAt               time.Time   `json:"createdAt"`
	UpdatedAt               time.Time   `json:"updatedAt"`
	Archived                bool        `json:"archived"`
}

// OwnerTeam is a team an owner belongs to.
type OwnerTeam struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// OwnerList is one page of owners.
type OwnerList struct {
	Results []*Owner `json:"results"`
	Paging  *Paging  `json:"paging,omitempty"`
}

// NextAfter is the cursor of the next page, or "" on the last page.
func (l *OwnerList) NextAfter() string { return l.Paging.nextAfter() }

// ListOwnersOptions filters and pages List.
type ListOwnersOptions struct {
	// Email keeps only the owner with this email.
	Email string
	// Limit is the page size (HubSpot allows up to 500; default 100).
	Limit int
	// After is the cursor from a previous page's NextAfter.
	After string
	// Archived lists archived owners instead of active ones.
	Archived bool
}

// Get fetches an owner by owner ID.
func (s *OwnersService) Get(ctx context.Context, ownerID string) (*Owner, *Response, error) {
	if ownerID == "" {
		return nil, nil, errors.New("hubspot: get owner: empty id")
	}
	req, err := s.client.NewRequest(http.MethodGet, s.client.ownersPath()+"/"+url.PathEscape(ownerID), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: get owner: %w", err)
	}
	o := new(Owner)
	resp, err := s.client.Do(ctx, req, o)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: get owner: %w", err)
	}
	return o, resp, nil
}

// List returns one page of owners; pass NextAfter as After for the next page (or use All).
func (s *OwnersService) List(ctx context.Context, opts *ListOwnersOptions) (*OwnerList, *Response, error) {
	q := url.Values{}
	if opts != nil {
		if opts.Email != "" {
			q.Set("email", opts.Email)
		}
		if opts.Limit > 0 {
			q.Set("limit", strconv.Itoa(opts.Limit))
		}
		if opts.After != "" {
			q.Set("after", opts.After)
		}
		if opts.Archived {
			q.Set("archived", "true")
		}
	}
	req, err := s.client.NewRequest(http.MethodGet, addQuery(s.client.ownersPath(), q), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: list owners: %w", err)
	}
	l := new(OwnerList)
	resp, err := s.client.Do(ctx, req, l)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: list owners: %w", err)
	}
	return l, resp, nil
}

// All iterates over every owner matching opts, page by page; iteration stops at the first error.
func (s *OwnersService) All(ctx context.Context, opts *ListOwnersOptions) iter.Seq2[*Owner, error] {
	return func(yield func(*Owner, error) bool) {
		o := ListOwnersOptions{}
		if opts != nil {
			o = *opts
		}
		for {
			page, _, err := s.List(ctx, &o)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, owner := range page.Results {
				if !yield(owner, nil) {
					return
				}
			}
			next := page.NextAfter()
			if next == "" || next == o.After {
				return
			}
			o.After = next
		}
	}
}
