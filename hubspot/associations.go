package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// MaxAssociationBatchInputs is the most records one associations batch read takes.
const MaxAssociationBatchInputs = 1000

type associationsReadInput struct {
	ID    string `json:"id"`
	After string `json:"after,omitempty"`
}

type associationsReadResult struct {
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To []struct {
		ToObjectID flexID `json:"toObjectId"`
	} `json:"to"`
	Paging *Paging `json:"paging,omitempty"`
}

// flexID reads an ID HubSpot sends as a number or a string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
		return nil
	}
	*f = flexID(b)
	return nil
}

// NoteIDsByContact reads the IDs of the notes associated with each of up to 1,000 contacts (POST
// crm/associations/{version}/contacts/notes/batch/read, every page). It is a read of the records' associations,
// not a search, so a note is listed as soon as HubSpot answered its create, however far behind the search index
// is. A contact without notes (HubSpot's NO_ASSOCIATIONS_FOUND) or unknown maps to none; the IDs of a merged
// contact's notes follow it.
func (s *NotesService) NoteIDsByContact(ctx context.Context, contactIDs []string) (map[string][]string, *Response, error) {
	out, resp, err := s.client.readAssociations(ctx, ObjectTypeContacts, ObjectTypeNotes, contactIDs)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: read note associations: %w", err)
	}
	return out, resp, nil
}

// ContactIDsByNote reads the IDs of the contacts associated with each of up to 1,000 notes (POST
// crm/associations/{version}/notes/contacts/batch/read, every page), strongly consistent as NoteIDsByContact.
func (s *NotesService) ContactIDsByNote(ctx context.Context, noteIDs []string) (map[string][]string, *Response, error) {
	out, resp, err := s.client.readAssociations(ctx, ObjectTypeNotes, ObjectTypeContacts, noteIDs)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: read contact associations: %w", err)
	}
	return out, resp, nil
}

// readAssociations reads the associated IDs of type to of each record of type from, following every page.
func (c *Client) readAssociations(ctx context.Context, from, to string, ids []string) (map[string][]string, *Response, error) {
	out := map[string][]string{}
	var inputs []associationsReadInput
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			inputs = append(inputs, associationsReadInput{ID: id})
		}
	}
	if len(inputs) > MaxAssociationBatchInputs {
		return nil, nil, fmt.Errorf("%d inputs, at most %d allowed", len(inputs), MaxAssociationBatchInputs)
	}
	var resp *Response
	for pages := 0; len(inputs) > 0; pages++ {
		if pages > 1000 {
			return nil, resp, fmt.Errorf("too many pages")
		}
		req, err := c.NewRequest(http.MethodPost, "crm/associations/"+c.apiVersion+"/"+from+"/"+to+"/batch/read",
			batchInputs[associationsReadInput]{Inputs: inputs})
		if err != nil {
			return nil, nil, err
		}
		var res BatchResult[*associationsReadResult]
		if resp, err = c.do(ctx, req, &res, callOptions{budget: burstBudget, idempotent: true}); err != nil {
			return nil, resp, err
		}
		inputs = nil
		for _, r := range res.Results {
			if r == nil {
				continue
			}
			for _, t := range r.To {
				out[r.From.ID] = append(out[r.From.ID], string(t.ToObjectID))
			}
			if r.Paging != nil && r.Paging.Next != nil && r.Paging.Next.After != "" {
				inputs = append(inputs, associationsReadInput{ID: r.From.ID, After: r.Paging.Next.After})
			}
		}
	}
	return out, resp, nil
}

// AssociationTypeContactToNote is the HUBSPOT_DEFINED association type from a contact to a note.
const AssociationTypeContactToNote = 201

// CreateWithNotes creates a contact associated with existing notes in the same call (201): a note whose ID is
// known then names the contact through ContactIDsByNote, whatever became of the create's answer. Not
// idempotent, so not re-sent after an ambiguous failure (see retry.go).
func (s *ContactsService) CreateWithNotes(ctx context.Context, props map[string]string, noteIDs []string) (*Contact, *Response, error) {
	body := contactCreateBody{Properties: nonNil(props), Associations: []associationInput{}}
	for _, id := range noteIDs {
		if id == "" {
			return nil, nil, fmt.Errorf("hubspot: create contact: empty note id")
		}
		body.Associations = append(body.Associations, associationInput{To: associationTo{ID: id},
			Types: []associationType{{AssociationCategory: "HUBSPOT_DEFINED", AssociationTypeID: AssociationTypeContactToNote}}})
	}
	req, err := s.client.NewRequest(http.MethodPost, s.contactsPath(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: create contact: %w", err)
	}
	ct := new(Contact)
	resp, err := s.client.do(ctx, req, ct, callOptions{budget: burstBudget, idempotent: false})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: create contact: %w", err)
	}
	return ct, resp, nil
}

// BatchRead reads up to 100 notes by ID in one call (strongly consistent), with the given properties (body,
// timestamp and owner when none). IDs that are not there (archived, never created) are named by the result's
// NotFoundIDs (a 207 answer).
func (s *NotesService) BatchRead(ctx context.Context, ids []string, props []string) (*BatchResult[*Note], *Response, error) {
	if len(props) == 0 {
		props = defaultNoteProps
	}
	body := batchReadBody{Properties: props, PropertiesWithHistory: []string{}}
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			body.Inputs = append(body.Inputs, batchReadInput{ID: id})
		}
	}
	if len(body.Inputs) == 0 {
		return &BatchResult[*Note]{}, nil, nil
	}
	if len(body.Inputs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch read notes: %d inputs, at most %d allowed", len(body.Inputs), MaxBatchInputs)
	}
	req, err := s.client.NewRequest(http.MethodPost, s.notesPath()+"/batch/read", body)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: batch read notes: %w", err)
	}
	out := new(BatchResult[*Note])
	resp, err := s.client.do(ctx, req, out, callOptions{budget: burstBudget, idempotent: true})
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: batch read notes: %w", err)
	}
	return out, resp, nil
}
