package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const noteJSON = `{
  "id": "9001",
  "properties": {
    "hs_createdate": "2021-11-12T15:48:23.000Z",
    "hs_lastmodifieddate": "2021-11-12T15:48:23.000Z",
    "hs_note_body": "Hello<br>world",
    "hs_object_id": "9001",
    "hs_timestamp": "2021-11-12T15:48:22.000Z",
    "hubspot_owner_id": "41629779"
  },
  "createdAt": "2021-11-12T15:48:23.000Z",
  "updatedAt": "2021-11-12T15:48:23.000Z",
  "archived": false
}`

func TestNotesCreate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{
		  "properties":{"hs_timestamp":"2021-11-12T15:48:22.000Z","hs_note_body":"<p>Hi & bye</p>","hubspot_owner_id":"41629779","convrs_marker":"m1"},
		  "associations":[
		    {"to":{"id":"301"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]},
		    {"to":{"id":"302"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]}
		  ]}`)
		writeJSON(w, 201, noteJSON)
	})
	paris := time.FixedZone("CET", 3600)
	got, resp, err := client.Notes.Create(context.Background(), NoteInput{
		Body:       "<p>Hi & bye</p>",
		Timestamp:  time.Date(2021, 11, 12, 16, 48, 22, 0, paris),
		OwnerID:    "41629779",
		ContactIDs: []string{"301", "302"},
		Properties: map[string]string{"convrs_marker": "m1", PropNoteBody: "ignored"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || got.ID != "9001" || got.Body() != "Hello<br>world" || got.OwnerID() != "41629779" {
		t.Errorf("got %+v", got)
	}
	if want := time.Date(2021, 11, 12, 15, 48, 22, 0, time.UTC); !got.Timestamp().Equal(want) {
		t.Errorf("Timestamp = %v", got.Timestamp())
	}
}

func TestNotesCreateValidation(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, noteJSON)
	})
	now := time.Now()
	tests := []struct {
		name string
		in   NoteInput
		ok   bool
	}{
		{"max body", NoteInput{Body: strings.Repeat("a", MaxNoteBodyLength), Timestamp: now}, true},
		{"body too long", NoteInput{Body: strings.Repeat("a", MaxNoteBodyLength+1), Timestamp: now}, false},
		// An emoji is two UTF-16 code units.
		{"astral chars count double", NoteInput{Body: strings.Repeat("😀", MaxNoteBodyLength/2+1), Timestamp: now}, false},
		{"no timestamp", NoteInput{Body: "x"}, false},
		{"empty contact id", NoteInput{Body: "x", Timestamp: now, ContactIDs: []string{""}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := client.Notes.Create(context.Background(), tt.in)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestNotesBatchCreate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes/batch/create", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{"inputs":[
		  {"properties":{"hs_timestamp":"2024-01-01T00:00:00.000Z","hs_note_body":"a"},
		   "associations":[{"to":{"id":"301"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]}],
		   "objectWriteTraceId":"conv-1"},
		  {"properties":{"hs_timestamp":"2024-01-01T00:00:00.000Z","hs_note_body":"b"},
		   "associations":[{"to":{"id":"999"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]}],
		   "objectWriteTraceId":"conv-2"}
		]}`)
		writeJSON(w, 207, `{
		  "status":"COMPLETE",
		  "results":[`+noteJSON+`],
		  "numErrors":1,
		  "errors":[{"status":"error","category":"VALIDATION_ERROR","message":"No contact with ID 999 exists","context":{"objectWriteTraceId":["conv-2"]},"subCategory":{"kind":"x"}}],
		  "startedAt":"2024-01-01T00:00:00Z","completedAt":"2024-01-01T00:00:01Z"
		}`)
	})
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	got, resp, err := client.Notes.BatchCreate(context.Background(), []NoteInput{
		{Body: "a", Timestamp: ts, ContactIDs: []string{"301"}, ObjectWriteTraceID: "conv-1"},
		{Body: "b", Timestamp: ts, ContactIDs: []string{"999"}, ObjectWriteTraceID: "conv-2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 207 || len(got.Results) != 1 {
		t.Errorf("got %+v", got)
	}
	byTrace := got.ErrorsByTraceID()
	if len(byTrace) != 1 || byTrace["conv-2"] == nil || byTrace["conv-2"].Message != "No contact with ID 999 exists" {
		t.Errorf("ErrorsByTraceID = %+v", byTrace)
	}
}

func TestNotesBatchCreateRejects(t *testing.T) {
	t.Parallel()
	client := mustNewClient(t, nil, WithBaseURL("http://127.0.0.1:1/"))
	ts := time.Now()
	dup := []NoteInput{{Body: "a", Timestamp: ts, ObjectWriteTraceID: "x"}, {Body: "b", Timestamp: ts, ObjectWriteTraceID: "x"}}
	if _, _, err := client.Notes.BatchCreate(context.Background(), dup); err == nil {
		t.Error("duplicate trace IDs accepted")
	}
	if _, _, err := client.Notes.BatchCreate(context.Background(), make([]NoteInput, 101)); err == nil {
		t.Error("101 inputs accepted")
	}
	if _, _, err := client.Notes.BatchCreate(context.Background(), []NoteInput{{Body: "a"}}); err == nil {
		t.Error("input without timestamp accepted")
	}
}

func TestNotesGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes/9001", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testQuery(t, r, map[string]string{"properties": "hs_note_body,hs_timestamp,hubspot_owner_id,convrs_marker", "associations": "contacts"})
		body := strings.TrimSuffix(strings.TrimSpace(noteJSON), "}") +
			`,"associations":{"contacts":{"results":[{"id":"301","type":"note_to_contact"},{"id":"301","type":"note_to_contact_unlabeled"}]}}}`
		writeJSON(w, 200, body)
	})
	got, _, err := client.Notes.Get(context.Background(), "9001", "convrs_marker", PropNoteBody)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"301"}, got.ContactIDs()); diff != "" {
		t.Error(diff)
	}
}

func TestNotesSearchByContact(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{
		  "filterGroups":[{"filters":[
		    {"propertyName":"associations.contact","operator":"EQ","value":"301"},
		    {"propertyName":"convrs_marker","operator":"EQ","value":"m1"}
		  ]}],
		  "sorts":[{"propertyName":"hs_timestamp","direction":"DESCENDING"}],
		  "properties":["hs_note_body","hs_timestamp","hubspot_owner_id","convrs_marker"],
		  "limit":10,
		  "after":"0"
		}`)
		writeJSON(w, 200, `{"total":1,"results":[`+noteJSON+`]}`)
	})
	got, _, err := client.Notes.SearchByContact(context.Background(), "301", &NoteSearchOptions{
		Properties: []string{"convrs_marker"},
		Filters:    []Filter{{PropertyName: "convrs_marker", Operator: OpEQ, Value: "m1"}},
		Sort:       &Sort{PropertyName: PropTimestamp, Direction: Descending},
		Limit:      10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 1 || got.Results[0].ID != "9001" || got.NextAfter() != "" {
		t.Errorf("got %+v", got)
	}
}

func TestNotesCreateNotRetriedOn5xx(t *testing.T) {
	t.Parallel()
	client, mux, fs := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/crm/objects/2026-03/notes", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 502, `<html>Bad Gateway</html>`)
	})
	_, _, err := client.Notes.Create(context.Background(), NoteInput{Body: "x", Timestamp: time.Now()})
	var er *ErrorResponse
	if !errors.As(err, &er) || er.StatusCode() != 502 {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 1 || len(fs.Waits()) != 0 {
		t.Errorf("calls = %d, waits = %v: a non-idempotent create was re-sent", calls.Load(), fs.Waits())
	}
	if !IsRetryable(err) {
		t.Error("5xx on a create should be retryable by the caller")
	}
	if er.Message != "<html>Bad Gateway</html>" {
		t.Errorf("Message = %q", er.Message)
	}
}

func TestNotesUpdate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes/9001", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "PATCH")
		testQuery(t, r, nil)
		testJSONBody(t, r, `{"properties":{"hs_note_body":"Reopened<br>and closed again"}}`)
		writeJSON(w, 200, noteJSON)
	})
	got, _, err := client.Notes.Update(context.Background(), "9001", map[string]string{PropNoteBody: "Reopened<br>and closed again"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "9001" {
		t.Errorf("got %+v", got)
	}
}

func TestNotesUpdateRejectsBadInputWithoutCalling(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	ctx := context.Background()
	if _, _, err := client.Notes.Update(ctx, "", map[string]string{"a": "b"}); err == nil || !strings.Contains(err.Error(), "empty id") {
		t.Errorf("empty id: err = %v", err)
	}
	if _, _, err := client.Notes.Update(ctx, "1", map[string]string{PropNoteBody: strings.Repeat("x", MaxNoteBodyLength+1)}); err == nil ||
		!strings.Contains(err.Error(), "65537 characters") {
		t.Errorf("long body: err = %v", err)
	}
	if _, _, err := client.Notes.Update(ctx, "1", map[string]string{PropTimestamp: ""}); err == nil || !strings.Contains(err.Error(), "timestamp") {
		t.Errorf("cleared timestamp: err = %v", err)
	}
	if _, err := client.Notes.Archive(ctx, ""); err == nil {
		t.Error("Archive with an empty id succeeded")
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}

func TestNotesArchive(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes/9001", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "DELETE")
		testQuery(t, r, nil)
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := client.Notes.Archive(context.Background(), "9001")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

func TestNotesCreateWithoutContactsSendsEmptyAssociations(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"properties":{"hs_timestamp":"2021-11-12T15:48:22.000Z","hs_note_body":"x"},"associations":[]}`)
		writeJSON(w, 201, noteJSON)
	})
	if _, _, err := client.Notes.Create(context.Background(), NoteInput{Body: "x", Timestamp: time.Date(2021, 11, 12, 15, 48, 22, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}
