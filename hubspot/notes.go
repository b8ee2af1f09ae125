package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// MaxNoteBodyLength is HubSpot's limit on hs_note_body, in characters. It is checked in UTF-16 code units
// (what HubSpot's Java stack counts), which is never less than the number of Unicode characters.
const MaxNoteBodyLength = 65536

// AssociationTypeNoteToContact is the HUBSPOT_DEFINED association type from a note to a contact.
const AssociationTypeNoteToContact = 202

// Note properties the client reads and writes.
const (
	PropNoteBody       = "hs_note_body"
	PropTimestamp      = "hs_timestamp"
	PropHubspotOwnerID = "hubspot_owner_id"
)

// noteTimestampLayout is UTC ISO-8601 with milliseconds, as HubSpot returns it.
const noteTimestampLayout = "2006-01-02T15:04:05.000Z"

// NotesService handles CRM notes (they use the contacts scopes).
type NotesService service

// Note is a CRM note.
type Note struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  time.Time          `json:"createdAt"`
	UpdatedAt  time.Time          `json:"updatedAt"`
	Archived   bool               `json:"archived"`
	// Associations is filled by Get: "contacts" lists the associated contacts.
	Associations map[string]AssociationList `json:"associations,omitempty"`
	// ObjectWriteTraceID is the input's trace ID in a batch create's answer, when HubSpot echoes it (see
	// BatchCreate).
	ObjectWriteTraceID string `json:"objectWriteTraceId,omitempty"`
}

// AssociationList is the associated objects of one type.
type AssociationList struct {
	Results []AssociatedObject `json:"results"`
	Paging  *Paging            `json:"paging,omitempty"`
}

// AssociatedObject is one associated object; Type is e.g. "note_to_contact".
type AssociatedObject struct {
	ID   string `json:"id"`
	Type string `json:"type,omitempty"`
}

// Prop returns a property's value, "" if it is null or absent.
func (n *Note) Prop(name string) string {
	v, _ := n.Lookup(name)
	return v
}

// Lookup returns a property's value and whether it has one (present and not null).
func (n *Note) Lookup(name string) (string, bool) {
	if n == nil || n.Properties[name] == nil {
		return "", false
	}
	return *n.Properties[name], true
}

// Body is hs_note_body (HTML).
func (n *Note) Body() string { return n.Prop(PropNoteBody) }

// OwnerID is hubspot_owner_id.
func (n *Note) OwnerID() string { return n.Prop(PropHubspotOwnerID) }

// Timestamp is hs_timestamp, the note's place on the timeline (zero if absent or unreadable).
func (n *Note) Timestamp() time.Time {
	v := n.Prop(PropTimestamp)
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC()
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// ContactIDs lists the associated contacts' IDs (from Get), without duplicates.
func (n *Note) ContactIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, a := range n.Associations["contacts"].Results {
		if !seen[a.ID] {
			seen[a.ID] = true
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// NoteInput describes a note to create.
type NoteInput struct {
	// Body is HTML (escape plain text), at most MaxNoteBodyLength characters.
	Body string
	// Timestamp places the note on the timeline; required.
	Timestamp time.Time
	// OwnerID is an owner ID (not a user ID); optional.
	OwnerID    string
	ContactIDs []string
	// Properties are extra properties; Body, Timestamp and OwnerID take precedence over them.
	Properties map[string]string
	// ObjectWriteTraceID names the input in the errors of a 207 batch answer (BatchCreate only); the IDs of
	// one batch must be unique. HubSpot answers 207 only when every input carries one; otherwise one failed
	// input fails the whole call and nothing is created.
	ObjectWriteTraceID string
}

// Validate checks the input before anything is sent.
func (in *NoteInput) Validate() error {
	if n := utf16Len(in.Body); n > MaxNoteBodyLength {
		return fmt.Errorf("note body has %d characters, at most %d allowed", n, MaxNoteBodyLength)
	}
	if in.Timestamp.IsZero() {
		return errors.New("note timestamp is required")
	}
	for _, id := range in.ContactIDs {
		if id == "" {
			return errors.New("empty contact id")
		}
	}
	return nil
}

type associationTo struct {
	ID string `json:"id"`
}

type associationType struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

type associationInput struct {
	To    associationTo     `json:"to"`
	Types []associationType `json:"types"`
}

type noteCreateBody struct {
	Properties         map[string]string  `json:"properties"`
	Associations       []associationInput `json:"associations"` // required by HubSpot's schema: [] when none
	ObjectWriteTraceID string             `json:"objectWriteTraceId,omitempty"`
}

func (in *NoteInput) body(withTrace bool) noteCreateBody {
	props := make(map[string]string, len(in.Properties)+3)
	for k, v := range in.Properties {
		props[k] = v
	}
	props[PropNoteBody] = in.Body
	props[PropTimestamp] = in.Timestamp.UTC().Format(noteTimestampLayout)
	if in.OwnerID != "" {
		props[PropHubspotOwnerID] = in.OwnerID
	}
	b := noteCreateBody{Properties: props, Associations: []associationInput{}}
	for _, id := range in.ContactIDs {
		b.Associations = append(b.Associations, associationInput{
			To:    associationTo{ID: id},
			Types: []associationType{{AssociationCategory: "HUBSPOT_DEFINED", AssociationTypeID: AssociationTypeNoteToContact}},
		})
	}
	if withTrace {
		b.ObjectWriteTraceID = in.ObjectWriteTraceID
	}
	return b
}

// notesPath is crm/objects/{version}/notes.
func (s *NotesService) notesPath() string { return s.client.objectsPath(ObjectTypeNotes) }

// defaultNoteProps are the properties Get and SearchByContact always ask for.
var defaultNoteProps = []string{PropNoteBody, PropTimestamp, PropHubspotOwnerID}

// Create creates a note associated with the input's contacts (201). It is not idempotent, so it is only
// re-sent when HubSpot certainly did not act on it (see retry.go); after a retryable error the caller
// must look for the note (NoteIDsByContact, then BatchRead for its marker) before creating it again.
func (s *NotesService) Create(ctx context.Context, in NoteInput) (*Note, *Response, error) {
	if err := in.Validate(); err != nil {
		return nil, nil, fmt.Errorf("hubspot: create note: %w", err)
	}
	req, err := s.client.NewRequest(http.MethodPost, s.notesPath(), in.body(false))
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: create note: %w", err)
	}
	n := new(Note)
	resp, err := s.client.do(ctx, req, n, callOptions{budget: burstBudget, idempotent: false})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: create note: %w", err)
	}
	return n, resp, nil
}

// BatchCreate creates up to 100 notes in one call (201, or 207 whose errors ErrorsByTraceID maps back to
// the inputs' ObjectWriteTraceID). Like Create, it is not re-sent after an ambiguous failure.
func (s *NotesService) BatchCreate(ctx context.Context, inputs []NoteInput) (*BatchResult[*Note], *Response, error) {
	if len(inputs) == 0 {
		return &BatchResult[*Note]{}, nil, nil
	}
	if len(inputs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch create notes: %d inputs, at most %d allowed", len(inputs), MaxBatchInputs)
	}
	body := batchInputs[noteCreateBody]{Inputs: make([]noteCreateBody, 0, len(inputs))}
	traces := map[string]bool{}
	for i := range inputs {
		in := &inputs[i]
		if err := in.Validate(); err != nil {
			return nil, nil, fmt.Errorf("hubspot: batch create notes: input %d: %w", i, err)
		}
		if t := in.ObjectWriteTraceID; t != "" {
			if traces[t] {
				return nil, nil, fmt.Errorf("hubspot: batch create notes: duplicate objectWriteTraceId %q", t)
			}
			traces[t] = true
		}
		body.Inputs = append(body.Inputs, in.body(true))
	}
	req, err := s.client.NewRequest(http.MethodPost, s.notesPath()+"/batch/create", body)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: batch create notes: %w", err)
	}
	out := new(BatchResult[*Note])
	resp, err := s.client.do(ctx, req, out, callOptions{budget: burstBudget, idempotent: false})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: batch create notes: %w", err)
	}
	return out, resp, nil
}

// Get fetches a note with its body, timestamp, owner, any extra properties, and its associated contacts.
func (s *NotesService) Get(ctx context.Context, id string, props ...string) (*Note, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("hubspot: get note: empty id")
	}
	q := url.Values{}
	q.Set("properties", strings.Join(mergeProps(defaultNoteProps, props), ","))
	q.Set("associations", "contacts")
	req, err := s.client.NewRequest(http.MethodGet, addQuery(s.notesPath()+"/"+url.PathEscape(id), q), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: get note: %w", err)
	}
	n := new(Note)
	resp, err := s.client.Do(ctx, req, n)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: get note: %w", err)
	}
	return n, resp, nil
}

// Update sets properties of a note (PATCH; an empty string clears a property) and returns it with its body,
// timestamp and owner. Body length is checked as Create checks it. PATCH is idempotent, so it is retried.
func (s *NotesService) Update(ctx context.Context, id string, props map[string]string) (*Note, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("hubspot: update note: empty id")
	}
	if n := utf16Len(props[PropNoteBody]); n > MaxNoteBodyLength {
		return nil, nil, fmt.Errorf("hubspot: update note: note body has %d characters, at most %d allowed", n, MaxNoteBodyLength)
	}
	if v, ok := props[PropTimestamp]; ok && v == "" {
		return nil, nil, errors.New("hubspot: update note: the timestamp cannot be cleared")
	}
	req, err := s.client.NewRequest(http.MethodPatch, s.notesPath()+"/"+url.PathEscape(id), propertiesBody{Properties: nonNil(props)})
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: update note: %w", err)
	}
	n := new(Note)
	resp, err := s.client.Do(ctx, req, n)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: update note: %w", err)
	}
	return n, resp, nil
}

// Archive deletes a note (HubSpot keeps it archived). HubSpot answers 204 even for an unknown ID, so
// archiving twice is not an error.
func (s *NotesService) Archive(ctx context.Context, id string) (*Response, error) {
	if id == "" {
		return nil, errors.New("hubspot: archive note: empty id")
	}
	req, err := s.client.NewRequest(http.MethodDelete, s.notesPath()+"/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, fmt.Errorf("hubspot: archive note: %w", err)
	}
	resp, err := s.client.Do(ctx, req, nil)
	if err != nil {
		return resp, fmt.Errorf("hubspot: archive note: %w", err)
	}
	return resp, nil
}

// NoteSearchOptions narrows SearchByContact.
type NoteSearchOptions struct {
	// Properties are returned in addition to body, timestamp and owner.
	Properties []string
	// Filters are ANDed with the contact filter (e.g. hs_note_body CONTAINS_TOKEN a marker).
	Filters []Filter
	Sort    *Sort
	Limit   int
	After   string
}

// SearchByContact lists the notes associated with a contact (search budget; eventually consistent).
func (s *NotesService) SearchByContact(ctx context.Context, contactID string, opts *NoteSearchOptions) (*SearchResult[*Note], *Response, error) {
	if contactID == "" {
		return nil, nil, errors.New("hubspot: search notes: empty contact id")
	}
	if opts == nil {
		opts = &NoteSearchOptions{}
	}
	filters := append([]Filter{{PropertyName: "associations.contact", Operator: OpEQ, Value: contactID}}, opts.Filters...)
	sr := &SearchRequest{
		FilterGroups: []FilterGroup{{Filters: filters}},
		Properties:   mergeProps(defaultNoteProps, opts.Properties),
		Limit:        opts.Limit,
		After:        opts.After,
	}
	if opts.Sort != nil {
		sr.Sorts = []Sort{*opts.Sort}
	}
	out := new(SearchResult[*Note])
	resp, err := s.client.search(ctx, s.notesPath()+"/search", sr, out)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: search notes: %w", err)
	}
	return out, resp, nil
}

// mergeProps returns base followed by the extra names not already in it.
func mergeProps(base, extra []string) []string {
	out := append([]string{}, base...)
	for _, p := range extra {
		dup := false
		for _, q := range out {
			dup = dup || p == q
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}
