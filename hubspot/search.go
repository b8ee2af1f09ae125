package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Operator is a CRM search filter operator.
type Operator string

// The CRM search operators. IN and NOT_IN take Values (lowercase for string properties), BETWEEN takes
// Value and HighValue, HAS_PROPERTY and NOT_HAS_PROPERTY take no value, the others take Value.
const (
	OpEQ               Operator = "EQ"
	OpNEQ              Operator = "NEQ"
	OpLT               Operator = "LT"
	OpLTE              Operator = "LTE"
	OpGT               Operator = "GT"
	OpGTE              Operator = "GTE"
	OpBetween          Operator = "BETWEEN"
	OpIn               Operator = "IN"
	OpNotIn            Operator = "NOT_IN"
	OpHasProperty      Operator = "HAS_PROPERTY"
	OpNotHasProperty   Operator = "NOT_HAS_PROPERTY"
	OpContainsToken    Operator = "CONTAINS_TOKEN"
	OpNotContainsToken Operator = "NOT_CONTAINS_TOKEN"
)

// SortDirection orders search results.
type SortDirection string

// Sort directions.
const (
	Ascending  SortDirection = "ASCENDING"
	Descending SortDirection = "DESCENDING"
)

// HubSpot's documented CRM search limits; Validate enforces them so a bad request costs no search budget.
const (
	MaxSearchFilterGroups     = 5
	MaxSearchFiltersPerGroup  = 6
	MaxSearchFilters          = 18
	MaxSearchLimit            = 200
	MaxSearchSorts            = 1
	MaxSearchRequestBodyChars = 3000
)

// Filter is one condition of a search; see Operator for which value fields apply.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     Operator `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
	HighValue    string   `json:"highValue,omitempty"`
}

// FilterGroup holds filters that must all match (AND). Groups of a request are ORed.
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// Sort orders results by one property.
type Sort struct {
	PropertyName string        `json:"propertyName"`
	Direction    SortDirection `json:"direction"`
}

// DefaultSearchPageSize is the limit sent when a SearchRequest sets none (HubSpot's own default).
const DefaultSearchPageSize = 10

// SearchRequest is the body of POST /crm/objects/{version}/{type}/search. It is always sent complete (see the
// package doc): empty filterGroups, sorts and properties as [], a zero Limit as DefaultSearchPageSize and an
// empty After as "0".
type SearchRequest struct {
	FilterGroups []FilterGroup `json:"filterGroups"`
	Sorts        []Sort        `json:"sorts"`
	// Query is a full-text search over the default searchable properties.
	Query      string   `json:"query,omitempty"`
	Properties []string `json:"properties"`
	// Limit is the page size, at most 200 (0 sends DefaultSearchPageSize).
	Limit int `json:"limit"`
	// After is the paging cursor from a previous result's NextAfter ("" sends "0", the first page).
	After string `json:"after"`
}

// MarshalJSON encodes the complete body HubSpot's schema requires, as HubSpot's SDKs send it.
func (r SearchRequest) MarshalJSON() ([]byte, error) {
	type plain SearchRequest // without this method
	p := plain(r)
	// A copy: the caller's groups are not modified.
	p.FilterGroups = make([]FilterGroup, len(r.FilterGroups))
	for i, g := range r.FilterGroups {
		p.FilterGroups[i] = g
		if g.Filters == nil {
			p.FilterGroups[i].Filters = []Filter{}
		}
	}
	if p.Sorts == nil {
		p.Sorts = []Sort{}
	}
	if p.Properties == nil {
		p.Properties = []string{}
	}
	if p.Limit == 0 {
		p.Limit = DefaultSearchPageSize
	}
	if p.After == "" {
		p.After = "0"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" in a value stays one character, as Validate counts it
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Validate checks the request against HubSpot's search limits.
func (r *SearchRequest) Validate() error {
	if r == nil {
		return errors.New("nil search request")
	}
	if len(r.FilterGroups) > MaxSearchFilterGroups {
		return fmt.Errorf("%d filter groups, at most %d allowed", len(r.FilterGroups), MaxSearchFilterGroups)
	}
	total := 0
	for i, g := range r.FilterGroups {
		if len(g.Filters) > MaxSearchFiltersPerGroup {
			return fmt.Errorf("filter group %d has %d filters, at most %d allowed", i, len(g.Filters), MaxSearchFiltersPerGroup)
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if f.PropertyName == "" || f.Operator == "" {
				return fmt.Errorf("filter group %d: a filter needs a property name and an operator", i)
			}
		}
	}
	if total > MaxSearchFilters {
		return fmt.Errorf("%d filters, at most %d allowed", total, MaxSearchFilters)
	}
	if len(r.Sorts) > MaxSearchSorts {
		return fmt.Errorf("%d sorts, at most %d allowed", len(r.Sorts), MaxSearchSorts)
	}
	if r.Limit < 0 || r.Limit > MaxSearchLimit {
		return fmt.Errorf("limit %d out of range 0..%d", r.Limit, MaxSearchLimit)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	if n := utf8.RuneCount(bytes.TrimSpace(buf.Bytes())); n > MaxSearchRequestBodyChars {
		return fmt.Errorf("request body has %d characters, at most %d allowed", n, MaxSearchRequestBodyChars)
	}
	return nil
}

// SearchResult is one page of search results.
type SearchResult[T any] struct {
	Total   int     `json:"total"`
	Results []T     `json:"results"`
	Paging  *Paging `json:"paging,omitempty"`
}

// NextAfter is the cursor of the next page, or "" on the last page.
func (r *SearchResult[T]) NextAfter() string { return r.Paging.nextAfter() }

// Paging is the paging part of a list or search answer.
type Paging struct {
	Next *NextPage `json:"next,omitempty"`
}

// NextPage points to the next page of a list.
type NextPage struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

func (p *Paging) nextAfter() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return p.Next.After
}

// SearchBuilder builds a SearchRequest fluently:
//
//	req := hubspot.NewSearch().
//		Where("email", hubspot.OpEQ, "a@b.com").
//		Or().Where("phone", hubspot.OpEQ, "+447911123456").
//		Sort("createdate", hubspot.Ascending).
//		Properties("firstname", "lastname", "email").
//		Limit(5).
//		Request()
//
// Conditions added between two Or calls form one AND group.
type SearchBuilder struct {
	req SearchRequest
}

// NewSearch starts an empty search.
func NewSearch() *SearchBuilder {
	return &SearchBuilder{req: SearchRequest{FilterGroups: []FilterGroup{{}}}}
}

// Filter adds f to the current group.
func (b *SearchBuilder) Filter(f Filter) *SearchBuilder {
	g := &b.req.FilterGroups[len(b.req.FilterGroups)-1]
	g.Filters = append(g.Filters, f)
	return b
}

// Where adds "property op value" to the current group.
func (b *SearchBuilder) Where(property string, op Operator, value string) *SearchBuilder {
	return b.Filter(Filter{PropertyName: property, Operator: op, Value: value})
}

// Or starts a new group: results match any group.
func (b *SearchBuilder) Or() *SearchBuilder {
	if len(b.req.FilterGroups[len(b.req.FilterGroups)-1].Filters) > 0 {
		b.req.FilterGroups = append(b.req.FilterGroups, FilterGroup{})
	}
	return b
}

// Sort orders the results by property (HubSpot allows one sort; a second call replaces the first).
func (b *SearchBuilder) Sort(property string, dir SortDirection) *SearchBuilder {
	b.req.Sorts = []Sort{{PropertyName: property, Direction: dir}}
	return b
}

// Properties sets the properties returned for each result.
func (b *SearchBuilder) Properties(names ...string) *SearchBuilder {
	b.req.Properties = append([]string(nil), names...)
	return b
}

// Limit sets the page size.
func (b *SearchBuilder) Limit(n int) *SearchBuilder {
	b.req.Limit = n
	return b
}

// Request returns the built request (empty groups dropped). The builder can keep being used.
func (b *SearchBuilder) Request() *SearchRequest {
	r := b.req
	r.FilterGroups = nil
	for _, g := range b.req.FilterGroups {
		if len(g.Filters) > 0 {
			r.FilterGroups = append(r.FilterGroups, FilterGroup{Filters: append([]Filter(nil), g.Filters...)})
		}
	}
	r.Sorts = append([]Sort(nil), b.req.Sorts...)
	r.Properties = append([]string(nil), b.req.Properties...)
	return &r
}
