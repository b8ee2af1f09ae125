package hubspotsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBodyBytes bounds request bodies; HubSpot's own limits are far below this.
const maxBodyBytes = 8 << 20

// batchLimit is the most inputs a batch call takes.
const batchLimit = 100

var (
	contactDefaultProps = []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
	contactSearchProps  = []string{"createdate", "hs_object_id", "lastmodifieddate"}
	noteDefaultProps    = []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
	contactReadOnly     = []string{"hs_object_id", "lastmodifieddate", "hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number"}
	noteReadOnly        = []string{"hs_object_id", "hs_createdate", "hs_lastmodifieddate"}
)

// objectJSON is a CRM record on the wire.
type objectJSON struct {
	ID           string                `json:"id"`
	Properties   map[string]*string    `json:"properties"`
	CreatedAt    string                `json:"createdAt"`
	UpdatedAt    string                `json:"updatedAt"`
	Archived     bool                  `json:"archived"`
	ArchivedAt   string                `json:"archivedAt,omitempty"`
	Associations map[string]assocsJSON `json:"associations,omitempty"`
	New          *bool                 `json:"new,omitempty"`
	// ObjectWriteTraceID echoes a batch input's objectWriteTraceId, so answers can be matched to inputs.
	ObjectWriteTraceID string `json:"objectWriteTraceId,omitempty"`
}

type assocsJSON struct {
	Results []assocJSON `json:"results"`
}

type assocJSON struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func renderObject(id string, props map[string]string, names []string, createdAt, updatedAt time.Time, archived bool) objectJSON {
	o := objectJSON{
		ID:         id,
		Properties: map[string]*string{},
		CreatedAt:  formatTime(createdAt),
		UpdatedAt:  formatTime(updatedAt),
		Archived:   archived,
	}
	if archived {
		o.ArchivedAt = formatTime(updatedAt)
	}
	for _, n := range names {
		if v, ok := props[n]; ok && v != "" {
			o.Properties[n] = &v
		} else {
			o.Properties[n] = nil
		}
	}
	return o
}

// union returns a followed by the names of b not in a.
func union(a []string, b ...string) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// queryList reads a list query parameter given repeated and/or comma-separated.
func queryList(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// propsInput reads a properties object; JSON null and "" clear a property.
func propsInput(raw map[string]any) (map[string]string, *apiError) {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = v
		case json.Number:
			out[k] = v.String()
		case bool:
			out[k] = fmt.Sprint(v)
		default:
			return nil, validationError(fmt.Sprintf("Invalid input JSON: the value of property %q must be a string", k))
		}
	}
	return out, nil
}

func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(e, " ,;<>") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validateProps checks values as HubSpot's property validation does. Caller holds s.mu.
func validateProps(p *portal, props map[string]string, readOnly []string) *apiError {
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := props[k]
		switch {
		case slices.Contains(readOnly, k):
			return propertyError(k, "READ_ONLY_VALUE", k+" is a read only property; its value cannot be set.")
		case k == "email" && v != "" && !validEmail(v):
			return propertyError(k, "INVALID_EMAIL", "Email address "+v+" is invalid")
		case k == "lifecyclestage" && v != "" && !p.validStage(v):
			return propertyError(k, "INVALID_OPTION", v+" was not one of the allowed options: lifecyclestage has no option "+v)
		case k == "hubspot_owner_id" && v != "" && p.owners[v] == nil:
			return propertyError(k, "INVALID_OWNER_ID", v+" is not a valid owner id")
		case (k == "createdate" || k == "hs_timestamp") && v != "":
			if _, ok := parseTimeValue(v); !ok {
				return propertyError(k, "INVALID_DATETIME", v+" is not a valid datetime: use epoch milliseconds or an ISO 8601 timestamp")
			}
		}
	}
	return nil
}

// apply writes changes to a record and queues it for the search index. Caller holds s.mu.
func (s *Simulator) apply(p *portal, rec *record, changes map[string]string, modifiedKey string) {
	now := s.now()
	for k, v := range changes {
		if k == "createdate" || k == "hs_timestamp" {
			if t, ok := parseTimeValue(v); ok {
				v = formatTime(t)
			}
		}
		if v == "" {
			delete(rec.props, k)
		} else {
			rec.props[k] = v
		}
	}
	rec.props[modifiedKey] = formatTime(now)
	rec.updatedAt = now
	if modifiedKey == "lastmodifieddate" {
		computePhones(rec.props, p.info.Country)
	}
	rec.reindex(now.Add(s.opts.IndexDelay))
}

// batchResponse is the body of batch calls.
type batchResponse struct {
	Status      string       `json:"status"`
	Results     []objectJSON `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	RequestedAt string       `json:"requestedAt,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context,omitempty"`
	// Errors and Links are always present, as in HubSpot's StandardError: [] and {} when empty.
	Errors []errorDetail     `json:"errors"`
	Links  map[string]string `json:"links"`
}

// newBatchError fills the fields HubSpot always sends.
func newBatchError(be batchError) batchError {
	if be.Errors == nil {
		be.Errors = []errorDetail{}
	}
	if be.Links == nil {
		be.Links = map[string]string{}
	}
	return be
}

func toBatchError(e *apiError, traceID string) batchError {
	be := newBatchError(batchError{Status: "error", Category: e.Category, Message: e.Message, Errors: e.Errors, Links: e.Links})
	if e.Category == "" {
		be.Category = "VALIDATION_ERROR"
	}
	if traceID != "" {
		be.Context = map[string][]string{"objectWriteTraceId": {traceID}}
	}
	return be
}

// writeBatch answers okStatus, or 207 when any input failed.
func (s *Simulator) writeBatch(w http.ResponseWriter, okStatus int, results []objectJSON, errs []batchError) {
	now := formatTime(s.now())
	resp := batchResponse{Status: "COMPLETE", Results: results, StartedAt: now, CompletedAt: now}
	if resp.Results == nil {
		resp.Results = []objectJSON{}
	}
	status := okStatus
	if len(errs) > 0 {
		resp.NumErrors, resp.Errors = len(errs), errs
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, resp)
}

func batchTooLarge(n int) *apiError {
	return validationError(fmt.Sprintf("Too many inputs: %d. The maximum is %d.", n, batchLimit), errorDetail{
		Message: fmt.Sprintf("size must be between 1 and %d", batchLimit),
		Code:    "INVALID_SIZE",
		Context: map[string][]string{"inputs": {fmt.Sprint(n)}},
	})
}

// listQuery reads a list call's `limit` (def when absent, 1 to max), `properties` (defaults when absent) and
// `after`; ok is false when it answered 400.
func listQuery(c *call, def, max int, defaults []string) (limit int, names []string, after string, ok bool) {
	q := c.r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			writeAPIError(c.w, http.StatusBadRequest, validationError(fmt.Sprintf("limit must be between 1 and %d", max)))
			return 0, nil, "", false
		}
		limit = n
	}
	if names = queryList(q, "properties"); len(names) == 0 {
		names = defaults
	}
	return limit, names, q.Get("after"), true
}

// missingObjects is a batch read's error for the IDs it did not find (none when all were found).
func missingObjects(objectName string, missing []string) []batchError {
	if len(missing) == 0 {
		return nil
	}
	return []batchError{newBatchError(batchError{
		Status:   "error",
		Category: "OBJECT_NOT_FOUND",
		Message:  "Could not get some " + objectName + " objects, they may be deleted or not exist. Check that ids are valid.",
		Context:  map[string][]string{"ids": missing},
	})}
}
