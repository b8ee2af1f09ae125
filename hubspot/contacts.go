package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxBatchInputs is HubSpot's limit on the inputs of one batch call.
const MaxBatchInputs = 100

// ContactsService handles CRM contacts (scopes crm.objects.contacts.read / .write).
type ContactsService service

// Contact is a CRM contact record. Every property value is a string; a requested property without a value
// is nil or absent.
type Contact struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  time.Time          `json:"createdAt"`
	UpdatedAt  time.Time          `json:"updatedAt"`
	Archived   bool               `json:"archived"`
	// ObjectWriteTraceID is the trace ID of the batch input that created the contact, when HubSpot echoes it.
	ObjectWriteTraceID string `json:"objectWriteTraceId,omitempty"`
}

// Prop returns a property's value, "" if it is null or absent.
func (c *Contact) Prop(name string) string {
	v, _ := c.Lookup(name)
	return v
}

// Lookup returns a property's value and whether it has one (present and not null).
func (c *Contact) Lookup(name string) (string, bool) {
	if c == nil || c.Properties[name] == nil {
		return "", false
	}
	return *c.Properties[name], true
}

// UpsertedContact is a result of BatchUpsert; New tells whether the contact was created.
type UpsertedContact struct {
	Contact
	New bool `json:"new"`
}

// ContactInput is one contact of BatchCreate.
type ContactInput struct {
	Properties map[string]string `json:"properties"`
	// ObjectWriteTraceID names this input in the errors of a 207 answer. HubSpot answers 207 (errors input by
	// input) only when every input of the batch carries a unique one; otherwise one failed input fails the
	// whole call and nothing is created.
	ObjectWriteTraceID string `json:"objectWriteTraceId,omitempty"`
}

// UpsertInput is one contact of BatchUpsert: the contact whose IDProperty (e.g. "email") equals ID is
// updated, or created if there is none.
type UpsertInput struct {
	ID                 string            `json:"id"`
	IDProperty         string            `json:"idProperty,omitempty"`
	Properties         map[string]string `json:"properties"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
}

// BatchResult is the answer of a batch call: 200/201 when every input succeeded, 207 with Errors otherwise.
// Results are not guaranteed to be in input order.
type BatchResult[T any] struct {
	Status      string       `json:"status"`
	Results     []T          `json:"results"`
	Errors      []BatchError `json:"errors,omitempty"`
	NumErrors   int          `json:"numErrors,omitempty"`
	RequestedAt time.Time    `json:"requestedAt"`
	StartedAt   time.Time    `json:"startedAt"`
	CompletedAt time.Time    `json:"completedAt"`
}

// ErrorsByTraceID maps each objectWriteTraceId named in the errors' context to its error.
func (r *BatchResult[T]) ErrorsByTraceID() map[string]*BatchError {
	out := map[string]*BatchError{}
	for i := range r.Errors {
		for _, id := range r.Errors[i].Context["objectWriteTraceId"] {
			out[id] = &r.Errors[i]
		}
	}
	return out
}

// NotFoundIDs lists the input IDs (emails for BatchReadByEmail) that errors report as not found.
func (r *BatchResult[T]) NotFoundIDs() []string {
	var ids []string
	for _, e := range r.Errors {
		if e.Category == CategoryObjectNotFound {
			ids = append(ids, e.Context["ids"]...)
		}
	}
	return ids
}

// BatchError is one error of a 207 batch answer.
type BatchError struct {
	Status      string          `json:"status"`
	Category    string          `json:"category"`
	SubCategory json.RawMessage `json:"subCategory,omitempty"`
	Message     string          `json:"message"`
	Context     ErrorContext    `json:"context,omitempty"`
	Errors      []ErrorDetail   `json:"errors,omitempty"`
	// Links are HubSpot's documentation links for the error, when it gives any.
	Links map[string]string `json:"links,omitempty"`
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("%s: %s", e.Category, e.Detail())
}

// Detail is HubSpot's words for the failed input: the message and what its errors list adds, naming the
// property when it names one (see ErrorResponse.Detail).
func (e *BatchError) Detail() string { return describe(e.Message, e.Errors) }

// contactsPath is crm/objects/{version}/contacts.
func (s *ContactsService) contactsPath() string { return s.client.objectsPath(ObjectTypeContacts) }

// Get fetches a contact by ID with the given properties (HubSpot's defaults if none).
func (s *ContactsService) Get(ctx context.Context, id string, props []string) (*Contact, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("hubspot: get contact: empty id")
	}
	c, resp, err := s.get(ctx, id, "", props)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: get contact: %w", err)
	}
	return c, resp, nil
}

// GetByEmail fetches the contact whose primary email is email. Unlike search it is strongly consistent,
// so it sees a contact created a moment ago.
func (s *ContactsService) GetByEmail(ctx context.Context, email string, props []string) (*Contact, *Response, error) {
	if email == "" {
		return nil, nil, errors.New("hubspot: get contact by email: empty email")
	}
	c, resp, err := s.get(ctx, email, "email", props)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: get contact by email: %w", err)
	}
	return c, resp, nil
}

func (s *ContactsService) get(ctx context.Context, id, idProperty string, props []string) (*Contact, *Response, error) {
	q := url.Values{}
	if len(props) > 0 {
		q.Set("properties", strings.Join(props, ","))
	}
	if idProperty != "" {
		q.Set("idProperty", idProperty)
	}
	req, err := s.client.NewRequest(http.MethodGet, addQuery(s.contactsPath()+"/"+url.PathEscape(id), q), nil)
	if err != nil {
		return nil, nil, err
	}
	c := new(Contact)
	resp, err := s.client.Do(ctx, req, c)
	if err != nil {
		return nil, resp, err
	}
	return c, resp, nil
}

type propertiesBody struct {
	Properties map[string]string `json:"properties"`
}

// contactCreateBody is HubSpot's SimplePublicObjectInputForCreate: associations is required, so it is sent
// as [] when there are none (as HubSpot's SDKs do).
type contactCreateBody struct {
	Properties         map[string]string  `json:"properties"`
	Associations       []associationInput `json:"associations"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId,omitempty"`
}

// Create creates a contact (201). If the email is taken the error is a *ConflictError whose ExistingID is
// the existing contact; callers that want "create or find" treat it as success.
func (s *ContactsService) Create(ctx context.Context, props map[string]string) (*Contact, *Response, error) {
	req, err := s.client.NewRequest(http.MethodPost, s.contactsPath(), contactCreateBody{Properties: nonNil(props), Associations: []associationInput{}})
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: create contact: %w", err)
	}
	// With an email the create is idempotent: a duplicate attempt gets 409 with the existing ID.
	co := callOptions{budget: burstBudget, idempotent: props["email"] != ""}
	c := new(Contact)
	resp, err := s.client.do(ctx, req, c, co)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: create contact: %w", err)
	}
	return c, resp, nil
}

// Update sets properties of a contact (PATCH; an empty string clears a property).
func (s *ContactsService) Update(ctx context.Context, id string, props map[string]string) (*Contact, *Response, error) {
	if id == "" {
		return nil, nil, errors.New("hubspot: update contact: empty id")
	}
	req, err := s.client.NewRequest(http.MethodPatch, s.contactsPath()+"/"+url.PathEscape(id), propertiesBody{Properties: nonNil(props)})
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: update contact: %w", err)
	}
	c := new(Contact)
	resp, err := s.client.Do(ctx, req, c)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: update contact: %w", err)
	}
	return c, resp, nil
}

// PropMergedObjectIDs lists, separated by ";", the contact IDs merged into a contact.
const PropMergedObjectIDs = "hs_merged_object_ids"

type mergeBody struct {
	PrimaryObjectID string `json:"primaryObjectId"`
	ObjectIDToMerge string `json:"objectIdToMerge"`
}

// Merge merges objectIDToMerge into primaryID and returns the merged contact. HubSpot gives it a new ID;
// reads by either old ID return it afterwards, and PropMergedObjectIDs on it lists the old IDs. A merge is
// not idempotent (the second attempt finds the contacts gone), so it is not re-sent after an ambiguous
// failure: read primaryID to see whether it happened.
func (s *ContactsService) Merge(ctx context.Context, primaryID, objectIDToMerge string) (*Contact, *Response, error) {
	if primaryID == "" || objectIDToMerge == "" {
		return nil, nil, errors.New("hubspot: merge contacts: empty id")
	}
	req, err := s.client.NewRequest(http.MethodPost, s.contactsPath()+"/merge", mergeBody{PrimaryObjectID: primaryID, ObjectIDToMerge: objectIDToMerge})
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: merge contacts: %w", err)
	}
	c := new(Contact)
	resp, err := s.client.do(ctx, req, c, callOptions{budget: burstBudget, idempotent: false})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: merge contacts: %w", err)
	}
	return c, resp, nil
}

// MergedIDs lists the IDs merged into the contact (PropMergedObjectIDs; requested explicitly by Get).
func (c *Contact) MergedIDs() []string {
	var out []string
	for _, id := range strings.Split(c.Prop(PropMergedObjectIDs), ";") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// Search runs a CRM search over contacts. It counts against the search budget (5 per second), and its
// results are eventually consistent: a contact created seconds ago may be missing.
func (s *ContactsService) Search(ctx context.Context, sr *SearchRequest) (*SearchResult[*Contact], *Response, error) {
	out := new(SearchResult[*Contact])
	resp, err := s.client.search(ctx, s.contactsPath()+"/search", sr, out)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: search contacts: %w", err)
	}
	return out, resp, nil
}

func (c *Client) search(ctx context.Context, path string, sr *SearchRequest, out any) (*Response, error) {
	if err := sr.Validate(); err != nil {
		return nil, fmt.Errorf("invalid search: %w", err)
	}
	req, err := c.NewRequest(http.MethodPost, path, sr)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, req, out, callOptions{budget: searchBudget, idempotent: true})
}

type batchReadInput struct {
	ID string `json:"id"`
}

type batchReadBody struct {
	IDProperty            string           `json:"idProperty,omitempty"`
	Properties            []string         `json:"properties"`
	PropertiesWithHistory []string         `json:"propertiesWithHistory"`
	Inputs                []batchReadInput `json:"inputs"`
}

// BatchReadByEmail reads up to 100 contacts by primary email in one call (strongly consistent). Emails
// without a contact are listed by the result's NotFoundIDs (a 207 answer). "email" is added to props if
// missing, so results can be matched to inputs. Duplicate emails are sent once.
func (s *ContactsService) BatchReadByEmail(ctx context.Context, emails []string, props []string) (*BatchResult[*Contact], *Response, error) {
	body := batchReadBody{IDProperty: "email", Properties: withProp(props, "email"), PropertiesWithHistory: []string{}}
	seen := map[string]bool{}
	for _, e := range emails {
		if k := strings.ToLower(e); e != "" && !seen[k] {
			seen[k] = true
			body.Inputs = append(body.Inputs, batchReadInput{ID: e})
		}
	}
	if len(body.Inputs) == 0 {
		return &BatchResult[*Contact]{}, nil, nil
	}
	if len(body.Inputs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch read contacts: %d inputs, at most %d allowed", len(body.Inputs), MaxBatchInputs)
	}
	req, err := s.client.NewRequest(http.MethodPost, s.contactsPath()+"/batch/read", body)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: batch read contacts: %w", err)
	}
	out := new(BatchResult[*Contact])
	resp, err := s.client.do(ctx, req, out, callOptions{budget: burstBudget, idempotent: true})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: batch read contacts: %w", err)
	}
	return out, resp, nil
}

type batchInputs[T any] struct {
	Inputs []T `json:"inputs"`
}

// BatchCreate creates up to 100 contacts (201, or 207 with per-input errors). It is not re-sent after an
// ambiguous failure (see retry.go).
func (s *ContactsService) BatchCreate(ctx context.Context, inputs []ContactInput) (*BatchResult[*Contact], *Response, error) {
	if len(inputs) == 0 {
		return &BatchResult[*Contact]{}, nil, nil
	}
	if len(inputs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch create contacts: %d inputs, at most %d allowed", len(inputs), MaxBatchInputs)
	}
	body := batchInputs[contactCreateBody]{Inputs: make([]contactCreateBody, 0, len(inputs))}
	for _, in := range inputs {
		body.Inputs = append(body.Inputs, contactCreateBody{
			Properties: nonNil(in.Properties), Associations: []associationInput{}, ObjectWriteTraceID: in.ObjectWriteTraceID,
		})
	}
	req, err := s.client.NewRequest(http.MethodPost, s.contactsPath()+"/batch/create", body)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: batch create contacts: %w", err)
	}
	out := new(BatchResult[*Contact])
	resp, err := s.client.do(ctx, req, out, callOptions{budget: burstBudget, idempotent: false})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: batch create contacts: %w", err)
	}
	return out, resp, nil
}

// BatchUpsert creates or updates up to 100 contacts keyed by a unique property (200, or 207). Upserts are
// idempotent, so they are retried like reads.
func (s *ContactsService) BatchUpsert(ctx context.Context, inputs []UpsertInput) (*BatchResult[*UpsertedContact], *Response, error) {
	if len(inputs) == 0 {
		return &BatchResult[*UpsertedContact]{}, nil, nil
	}
	if len(inputs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch upsert contacts: %d inputs, at most %d allowed", len(inputs), MaxBatchInputs)
	}
	inputs = append([]UpsertInput(nil), inputs...) // not the caller's slice
	for i := range inputs {
		if inputs[i].ID == "" {
			return nil, nil, fmt.Errorf("hubspot: batch upsert contacts: input %d has no id", i)
		}
		inputs[i].Properties = nonNil(inputs[i].Properties)
	}
	req, err := s.client.NewRequest(http.MethodPost, s.contactsPath()+"/batch/upsert", batchInputs[UpsertInput]{Inputs: inputs})
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: batch upsert contacts: %w", err)
	}
	out := new(BatchResult[*UpsertedContact])
	resp, err := s.client.do(ctx, req, out, callOptions{budget: burstBudget, idempotent: true})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: batch upsert contacts: %w", err)
	}
	return out, resp, nil
}

// nonNil makes a nil map encode as {} rather than null.
func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// withProp returns props with name added if missing (a new slice; props is not modified). An empty list
// stays empty: HubSpot then returns its default properties, which include email.
func withProp(props []string, name string) []string {
	out := append([]string{}, props...)
	if len(props) == 0 {
		return out
	}
	for _, p := range props {
		if p == name {
			return out
		}
	}
	return append(out, name)
}
