package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAPIVersionOption(t *testing.T) {
	t.Parallel()
	if c := mustNewClient(t, nil); c.APIVersion() != DefaultAPIVersion || DefaultAPIVersion != "2026-03" {
		t.Errorf("default version %q, want %q", c.APIVersion(), "2026-03")
	}
	for _, v := range []string{"2026-03", "2026-09", "2027-03"} {
		if c, err := NewClient(nil, WithAPIVersion(v)); err != nil || c.APIVersion() != v {
			t.Errorf("WithAPIVersion(%q): %v", v, err)
		}
	}
	for _, v := range []string{"", "v3", "2026-04", "2026-09-beta", "26-03", "2026-3"} {
		if _, err := NewClient(nil, WithAPIVersion(v)); err == nil {
			t.Errorf("WithAPIVersion(%q) accepted", v)
		}
	}
}

// Every service builds its path from the one version.
func TestServicesUseTheVersion(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithAPIVersion("2026-09"))
	var paths []string
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		writeJSON(w, 200, `{"id":"1","properties":{},"results":[]}`)
	})
	ctx := context.Background()
	client.Contacts.Get(ctx, "1", nil)
	client.Notes.Get(ctx, "2")
	client.Owners.Get(ctx, "3")
	client.Owners.List(ctx, nil)
	client.Properties.Get(ctx, ObjectTypeContacts, PropLifecycleStage)
	client.Account.Details(ctx)
	want := []string{
		"GET /crm/objects/2026-09/contacts/1", "GET /crm/objects/2026-09/notes/2", "GET /crm/owners/2026-09/3", "GET /crm/owners/2026-09",
		"GET /crm/properties/2026-09/contacts/lifecyclestage", "GET /account-info/2026-09/details",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func TestMigrationInProgress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, retryAfter string
		want             time.Duration
	}{
		{"seconds", "3600", time.Hour},
		{"a day at most", "172800", 24 * time.Hour},
		{"none named", "", DefaultMigrationWait},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, mux, fs := setup(t)
			seq := &sequence{handlers: []http.HandlerFunc{
				reply(477, `{"status":"error","message":"Portal migration in progress","category":"MIGRATION_IN_PROGRESS"}`, "Retry-After", tc.retryAfter),
				reply(200, ownerJSON),
			}}
			mux.Handle("/crm/owners/2026-03/41629779", seq)
			before := time.Now()
			_, _, err := client.Owners.Get(context.Background(), "41629779")
			var mig *MigrationError
			if !errors.As(err, &mig) || !errors.Is(err, ErrMigrationInProgress) {
				t.Fatalf("err = %v, want a *MigrationError", err)
			}
			if mig.RetryAfter != tc.want || mig.RetryAt.Before(before.Add(tc.want)) || mig.RetryAt.After(time.Now().Add(tc.want)) {
				t.Errorf("RetryAfter %v, RetryAt %v; want %v from now", mig.RetryAfter, mig.RetryAt, tc.want)
			}
			if !IsRetryable(err) {
				t.Error("IsRetryable = false: the call may succeed once the migration is over")
			}
			// The client does not wait a day inside one call: the caller decides.
			if seq.Count() != 1 || len(fs.Waits()) != 0 {
				t.Errorf("%d requests and waits %v, want one request and no wait", seq.Count(), fs.Waits())
			}
		})
	}
}

// A portal's validation rule refusing a create (2026-09): the error is not retried and names the property in
// HubSpot's words.
func TestValidationErrorNamesTheProperty(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seq := &sequence{handlers: []http.HandlerFunc{reply(400, `{"status":"error","message":"Property values were not valid","correlationId":"c-7",
		"category":"VALIDATION_ERROR","errors":[{"message":"A value is required","code":"REQUIRED","context":{"propertyName":["jobtitle"]}}]}`)}}
	mux.Handle("/crm/objects/2026-03/contacts", seq)
	_, _, err := client.Contacts.Create(context.Background(), map[string]string{"email": "a@b.test"})
	var er *ErrorResponse
	if !errors.As(err, &er) || !errors.Is(err, ErrValidation) || IsRetryable(err) {
		t.Fatalf("err = %v, want a validation error that is not retryable", err)
	}
	if got, want := er.Detail(), "Property values were not valid; jobtitle: A value is required"; got != want {
		t.Errorf("Detail() = %q, want %q", got, want)
	}
	if !strings.Contains(err.Error(), "jobtitle: A value is required") || !cmp.Equal(er.PropertyNames(), []string{"jobtitle"}) {
		t.Errorf("error %q / properties %v do not name jobtitle", err, er.PropertyNames())
	}
	if seq.Count() != 1 {
		t.Errorf("%d requests, want 1", seq.Count())
	}
}

func TestBatchCreateResultsCarryTraceIDs(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/objects/2026-03/notes/batch/create", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, `{"status":"COMPLETE","results":[{"id":"2","objectWriteTraceId":"t2","properties":{"hs_note_body":"<p>b</p>"}},
			{"id":"1","objectWriteTraceId":"t1","properties":{"hs_note_body":"<p>a</p>"}}],"startedAt":"2026-01-01T00:00:00Z","completedAt":"2026-01-01T00:00:01Z"}`)
	})
	res, _, err := client.Notes.BatchCreate(context.Background(), []NoteInput{
		{Body: "a", Timestamp: time.Unix(1, 0), ObjectWriteTraceID: "t1"}, {Body: "b", Timestamp: time.Unix(1, 0), ObjectWriteTraceID: "t2"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range res.Results {
		got[n.ObjectWriteTraceID] = n.ID
	}
	if diff := cmp.Diff(map[string]string{"t1": "1", "t2": "2"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
