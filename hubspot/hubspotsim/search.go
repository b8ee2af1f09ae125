package hubspotsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Search limits, as documented by HubSpot.
const (
	searchMaxGroups          = 5
	searchMaxFiltersPerGroup = 6
	searchMaxFilters         = 18
	searchMaxLimit           = 200
	searchDefaultLimit       = 10
	searchMaxResults         = 10000
	searchMaxBodyChars       = 3000
)

var searchOperators = []string{"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
	"HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}

// contactQueryProps are the properties the full-text query searches.
var contactQueryProps = []string{"firstname", "lastname", "email", "phone", "mobilephone", "hs_additional_emails", "fax", "company",
	"hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number"}

var noteQueryProps = []string{"hs_note_body"}

// flexString is a JSON value HubSpot reads as a string: a string, number or boolean.
type flexString struct {
	s   string
	set bool
}

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*f = flexString{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString{s: s, set: true}
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*f = flexString{s: n.String(), set: true}
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err == nil {
		*f = flexString{s: strconv.FormatBool(v), set: true}
		return nil
	}
	return fmt.Errorf("cannot read %s as a string", b)
}

type searchFilter struct {
	PropertyName string       `json:"propertyName"`
	Operator     string       `json:"operator"`
	Value        flexString   `json:"value"`
	HighValue    flexString   `json:"highValue"`
	Values       []flexString `json:"values"`
}

type searchGroup struct {
	Filters []searchFilter `json:"filters"`
}

type searchRequest struct {
	FilterGroups []searchGroup     `json:"filterGroups"`
	Filters      []searchFilter    `json:"filters"`
	Sorts        []json.RawMessage `json:"sorts"`
	Properties   []string          `json:"properties"`
	Limit        flexString        `json:"limit"`
	After        flexString        `json:"after"`
	Query        string            `json:"query"`
}

type searchSort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// parsedSearch is a validated search request.
type parsedSearch struct {
	groups [][]searchFilter
	sort   *searchSort
	props  []string
	limit  int
	offset int
	query  string
}

func searchValidation(msg, code string, ctx map[string][]string) *apiError {
	return validationError(msg, errorDetail{Message: msg, Code: code, Context: ctx})
}

// parseSearch reads and validates a search body against HubSpot's limits.
func parseSearch(r *http.Request) (*parsedSearch, *apiError) {
	var req searchRequest
	raw, e := readJSON(r, maxBodyBytes, &req)
	if e != nil {
		return nil, e
	}
	if n := len([]rune(string(raw))); n > searchMaxBodyChars {
		return nil, searchValidation(fmt.Sprintf("The request body is %d characters long; the maximum is %d.", n, searchMaxBodyChars),
			"TOO_LARGE", map[string][]string{"maxLength": {strconv.Itoa(searchMaxBodyChars)}})
	}
	ps := &parsedSearch{limit: searchDefaultLimit, query: strings.TrimSpace(req.Query), props: req.Properties}
	for _, g := range req.FilterGroups {
		ps.groups = append(ps.groups, g.Filters)
	}
	if len(req.Filters) > 0 {
		// Top-level filters (an older form HubSpot still accepts) are one more ANDed group.
		ps.groups = append(ps.groups, req.Filters)
	}
	if len(ps.groups) > searchMaxGroups {
		return nil, searchValidation(fmt.Sprintf("Too many filter groups: %d. The maximum is %d.", len(ps.groups), searchMaxGroups),
			"TOO_MANY_FILTER_GROUPS", map[string][]string{"maxFilterGroups": {strconv.Itoa(searchMaxGroups)}})
	}
	total := 0
	for _, g := range ps.groups {
		if len(g) > searchMaxFiltersPerGroup {
			return nil, searchValidation(fmt.Sprintf("Too many filters in a filter group: %d. The maximum is %d.", len(g), searchMaxFiltersPerGroup),
				"TOO_MANY_FILTERS_IN_GROUP", map[string][]string{"maxFiltersPerGroup": {strconv.Itoa(searchMaxFiltersPerGroup)}})
		}
		total += len(g)
		for _, f := range g {
			if e := validateFilter(f); e != nil {
				return nil, e
			}
		}
	}
	if total > searchMaxFilters {
		return nil, searchValidation(fmt.Sprintf("Too many filters: %d. The maximum is %d across all filter groups.", total, searchMaxFilters),
			"TOO_MANY_FILTERS", map[string][]string{"maxFilters": {strconv.Itoa(searchMaxFilters)}})
	}
	if len(req.Sorts) > 1 {
		return nil, searchValidation(fmt.Sprintf("Too many sorts: %d. Only one sort is allowed.", len(req.Sorts)),
			"TOO_MANY_SORTS", map[string][]string{"maxSorts": {"1"}})
	}
	if len(req.Sorts) == 1 {
		srt, e := parseSort(req.Sorts[0])
		if e != nil {
			return nil, e
		}
		ps.sort = srt
	}
	if req.Limit.set {
		n, err := strconv.Atoi(req.Limit.s)
		if err != nil || n < 0 {
			return nil, searchValidation("limit must be a positive integer", "INVALID_LIMIT", map[string][]string{"limit": {req.Limit.s}})
		}
		if n > searchMaxLimit {
			return nil, searchValidation(fmt.Sprintf("The limit %d is too large. The maximum limit is %d.", n, searchMaxLimit),
				"INVALID_LIMIT", map[string][]string{"limit": {req.Limit.s}, "maxLimit": {strconv.Itoa(searchMaxLimit)}})
		}
		if n > 0 {
			ps.limit = n
		}
	}
	if req.After.set && req.After.s != "" {
		n, err := strconv.Atoi(req.After.s)
		if err != nil || n < 0 {
			return nil, searchValidation("after must be a paging cursor returned by a previous search", "INVALID_AFTER",
				map[string][]string{"after": {req.After.s}})
		}
		ps.offset = n
	}
	if ps.offset >= searchMaxResults {
		return nil, searchValidation(fmt.Sprintf("Search results are limited to %d. Narrow the search instead of paging further.", searchMaxResults),
			"TOO_MANY_RESULTS", map[string][]string{"after": {req.After.s}, "maxResults": {strconv.Itoa(searchMaxResults)}})
	}
	return ps, nil
}

func validateFilter(f searchFilter) *apiError {
	if f.PropertyName == "" {
		return validationError("Invalid input JSON on line 1: Cannot build Filter, some of required attributes are not set [propertyName]")
	}
	if !slices.Contains(searchOperators, f.Operator) {
		return searchValidation(fmt.Sprintf("Invalid input JSON on line 1: Cannot deserialize value of type `FilterOperator` from String %q: not one of the values accepted for Enum class: [%s]",
			f.Operator, strings.Join(searchOperators, ", ")), "INVALID_OPERATOR", map[string][]string{"operator": {f.Operator}})
	}
	switch f.Operator {
	case "BETWEEN":
		if !f.Value.set || !f.HighValue.set {
			return validationError("Invalid input JSON on line 1: Cannot construct instance of `Filter`, problem: operator BETWEEN requires a value and a highValue")
		}
	case "IN", "NOT_IN":
		if len(f.Values) == 0 {
			return validationError(fmt.Sprintf("Invalid input JSON on line 1: Cannot construct instance of `Filter`, problem: operator %s requires values", f.Operator))
		}
	case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
	default:
		if !f.Value.set {
			return validationError(fmt.Sprintf("Invalid input JSON on line 1: Cannot construct instance of `Filter`, problem: operator %s requires a value", f.Operator))
		}
	}
	return nil
}

// parseSort reads {"propertyName","direction"}, "prop", "-prop", or that object encoded as a string (the Node
// SDK types sorts as strings).
func parseSort(raw json.RawMessage) (*searchSort, *apiError) {
	var srt searchSort
	if err := json.Unmarshal(raw, &srt); err != nil {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return nil, validationError("Invalid input JSON: a sort must be an object with propertyName and direction")
		}
		str = strings.TrimSpace(str)
		if strings.HasPrefix(str, "{") {
			if err := json.Unmarshal([]byte(str), &srt); err != nil {
				return nil, validationError("Invalid input JSON: a sort must be an object with propertyName and direction")
			}
		} else if name, ok := strings.CutPrefix(str, "-"); ok {
			srt = searchSort{PropertyName: name, Direction: "DESCENDING"}
		} else {
			srt = searchSort{PropertyName: str, Direction: "ASCENDING"}
		}
	}
	if srt.Direction == "" {
		srt.Direction = "ASCENDING"
	}
	if srt.PropertyName == "" || (srt.Direction != "ASCENDING" && srt.Direction != "DESCENDING") {
		return nil, validationError("Invalid input JSON: a sort needs a propertyName and a direction of ASCENDING or DESCENDING")
	}
	return &srt, nil
}

// searchDoc is one indexed record as search sees it.
type searchDoc struct {
	id        string
	props     map[string]string
	assoc     []string
	createdAt time.Time
	updatedAt time.Time
}

func (d *searchDoc) values(name string) []string {
	switch name {
	case "hs_object_id", "id":
		return []string{d.id}
	case "associations.contact":
		return d.assoc
	case "hs_additional_emails":
		// A multi-value property: each email is a value of its own, so EQ matches one of them.
		return splitMulti(d.props[name])
	}
	if v := d.props[name]; v != "" {
		return []string{v}
	}
	return nil
}

// indexedDocsLocked returns what search sees of records now. Caller holds s.mu.
func indexedDocsLocked(recs map[string]*record, order []string, now time.Time) []*searchDoc {
	var docs []*searchDoc
	for _, id := range order {
		rec := recs[id]
		v := rec.indexed(now)
		if v == nil || v.archived {
			continue
		}
		docs = append(docs, &searchDoc{id: id, props: v.props, assoc: rec.assoc, createdAt: rec.createdAt, updatedAt: v.updatedAt})
	}
	return docs
}

// run filters, sorts and pages docs.
func (ps *parsedSearch) run(docs []*searchDoc, queryProps []string, createdKey string) (page []*searchDoc, total int, next int) {
	var hits []*searchDoc
	for _, d := range docs {
		if ps.matches(d, queryProps) {
			hits = append(hits, d)
		}
	}
	slices.SortStableFunc(hits, func(a, b *searchDoc) int {
		if ps.sort != nil {
			c := compareForSort(a.values(ps.sort.PropertyName), b.values(ps.sort.PropertyName))
			if ps.sort.Direction == "DESCENDING" {
				c = -c
			}
			if c != 0 {
				return c
			}
		} else if c := compareForSort(a.values(createdKey), b.values(createdKey)); c != 0 {
			return c
		}
		return compareIDs(a.id, b.id)
	})
	total = len(hits)
	window := min(total, searchMaxResults)
	start := min(ps.offset, window)
	end := min(start+ps.limit, window)
	page = hits[start:end]
	if end < window {
		next = end
	}
	return page, total, next
}

func (ps *parsedSearch) matches(d *searchDoc, queryProps []string) bool {
	if ps.query != "" && !matchQuery(d, ps.query, queryProps) {
		return false
	}
	if len(ps.groups) == 0 {
		return true
	}
	for _, g := range ps.groups {
		ok := true
		for _, f := range g {
			if !matchFilter(d, f) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func matchFilter(d *searchDoc, f searchFilter) bool {
	vals := d.values(f.PropertyName)
	some := func(pred func(string) bool) bool { return slices.ContainsFunc(vals, pred) }
	switch f.Operator {
	case "HAS_PROPERTY":
		return len(vals) > 0
	case "NOT_HAS_PROPERTY":
		return len(vals) == 0
	case "EQ":
		return some(func(v string) bool { return valueEqual(v, f.Value.s) })
	case "NEQ":
		return !some(func(v string) bool { return valueEqual(v, f.Value.s) })
	case "LT":
		return some(func(v string) bool { return compareValues(v, f.Value.s) < 0 })
	case "LTE":
		return some(func(v string) bool { return compareValues(v, f.Value.s) <= 0 })
	case "GT":
		return some(func(v string) bool { return compareValues(v, f.Value.s) > 0 })
	case "GTE":
		return some(func(v string) bool { return compareValues(v, f.Value.s) >= 0 })
	case "BETWEEN":
		return some(func(v string) bool {
			return compareValues(v, f.Value.s) >= 0 && compareValues(v, f.HighValue.s) <= 0
		})
	case "IN":
		return some(func(v string) bool { return inValues(v, f.Values) })
	case "NOT_IN":
		return !some(func(v string) bool { return inValues(v, f.Values) })
	case "CONTAINS_TOKEN":
		return some(func(v string) bool { return containsToken(v, f.Value.s) })
	case "NOT_CONTAINS_TOKEN":
		return !some(func(v string) bool { return containsToken(v, f.Value.s) })
	}
	return false
}

// numeric reads a number, or a date or timestamp as epoch milliseconds.
func numeric(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	if t, ok := parseTimeValue(s); ok {
		return float64(t.UnixMilli()), true
	}
	return 0, false
}

// isTimestamp reports whether a stored value is a date or timestamp (not a bare number).
func isTimestamp(s string) bool {
	if isDigits(s) {
		return false
	}
	_, ok := parseTimeValue(s)
	return ok
}

// valueEqual is EQ: case-insensitive for strings, by instant for dates (so createdate EQ <epoch ms> works).
func valueEqual(stored, want string) bool {
	if isTimestamp(stored) {
		a, okA := numeric(stored)
		b, okB := numeric(want)
		if okA && okB {
			return a == b
		}
	}
	return strings.EqualFold(stored, want)
}

// compareValues orders numerically when both sides are numbers or dates, else by case-insensitive text.
func compareValues(stored, want string) int {
	a, okA := numeric(stored)
	b, okB := numeric(want)
	if okA && okB {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(stored), strings.ToLower(want))
}

func compareForSort(a, b []string) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return 1
	case len(b) == 0:
		return -1
	}
	return compareValues(a[0], b[0])
}

// inValues is IN: HubSpot matches string values against its lowercased index, so values must be lowercase.
func inValues(stored string, values []flexString) bool {
	lower := strings.ToLower(stored)
	for _, v := range values {
		if lower == v.s || (isTimestamp(stored) && valueEqual(stored, v.s)) {
			return true
		}
		if a, err := strconv.ParseFloat(stored, 64); err == nil {
			if b, err := strconv.ParseFloat(v.s, 64); err == nil && a == b {
				return true
			}
		}
	}
	return false
}

// tokens splits a value the way a text index would: on whitespace and punctuation.
func tokens(v string) []string {
	return strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsToken is CONTAINS_TOKEN: the pattern (with * wildcards) matches the whole value or one of its tokens.
func containsToken(stored, pattern string) bool {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	if pattern == "" {
		return false
	}
	if globMatch(pattern, strings.ToLower(stored)) {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(stored)) {
		if globMatch(pattern, w) {
			return true
		}
	}
	for _, t := range tokens(stored) {
		if globMatch(pattern, t) {
			return true
		}
	}
	return false
}

func globMatch(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	// path.Match treats only * ? [ \ specially; escape the others so they match literally.
	esc := strings.NewReplacer(`\`, `\\`, `?`, `\?`, `[`, `\[`, `/`, "\x00").Replace(pattern)
	ok, err := path.Match(esc, strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// matchQuery is the full-text query: every term must prefix a token (or, for digits, the digits) of one of the
// searchable properties.
func matchQuery(d *searchDoc, query string, props []string) bool {
	for _, term := range strings.Fields(strings.ToLower(query)) {
		if !matchTerm(d, term, props) {
			return false
		}
	}
	return true
}

func matchTerm(d *searchDoc, term string, props []string) bool {
	termDigits := onlyDigits(term)
	phoneLike := len(termDigits) >= 3 && strings.Trim(term, "0123456789+()-. ") == ""
	for _, name := range props {
		v := strings.ToLower(d.props[name])
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, term) {
			return true
		}
		for _, w := range strings.Fields(v) {
			if strings.HasPrefix(w, term) {
				return true
			}
		}
		for _, t := range tokens(v) {
			if strings.HasPrefix(t, term) {
				return true
			}
		}
		if phoneLike && strings.Contains(onlyDigits(v), strings.TrimLeft(termDigits, "0")) {
			return true
		}
	}
	return false
}

func (s *Simulator) handleContactSearch(c *call) {
	s.search(c, func(p *portal) (map[string]*record, []string) { return p.contacts, p.contactOrder },
		contactQueryProps, "createdate", contactDefaultProps, contactSearchProps)
}

func (s *Simulator) handleNoteSearch(c *call) {
	s.search(c, func(p *portal) (map[string]*record, []string) { return p.notes, p.noteOrder },
		noteQueryProps, "hs_createdate", noteDefaultProps, noteDefaultProps)
}

// search answers POST /crm/v3/objects/{type}/search from the (eventually consistent) index.
func (s *Simulator) search(c *call, recs func(*portal) (map[string]*record, []string), queryProps []string,
	createdKey string, defaultProps, alwaysProps []string) {
	ps, e := parseSearch(c.r)
	if e != nil {
		writeAPIError(c.w, http.StatusBadRequest, e)
		return
	}
	s.mu.Lock()
	m, order := recs(s.portals[c.portalID])
	docs := indexedDocsLocked(m, order, s.now())
	page, total, next := ps.run(docs, queryProps, createdKey)
	names := ps.props
	if len(names) == 0 {
		names = defaultProps
	}
	names = union(names, alwaysProps...)
	results := make([]objectJSON, 0, len(page))
	for _, d := range page {
		results = append(results, renderObject(d.id, d.props, names, d.createdAt, d.updatedAt, false))
	}
	s.mu.Unlock()
	body := map[string]any{"total": total, "results": results}
	if next > 0 {
		body["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(next)}}
	}
	writeJSON(c.w, http.StatusOK, body)
}
