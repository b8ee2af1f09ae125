package hubspot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// A note whose create answer was lost is found by reading the contact's note associations and the notes'
// bodies, while search, far behind, still sees nothing.
func TestNoteIDsByContactAndBatchReadSeeWhatSearchDoesNot(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{IndexDelay: 24 * time.Hour})
	ctx := context.Background()
	c := env.client
	a := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "a@example.com"}, time.Time{})
	b := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "b@example.com"}, time.Time{})
	none := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "none@example.com"}, time.Time{})
	var inputs []NoteInput
	for i := range 3 {
		inputs = append(inputs, NoteInput{Body: "<p>note " + string(rune('x'+i)) + " marker" + string(rune('x'+i)) + "</p>", Timestamp: time.Unix(int64(1000+i), 0),
			ContactIDs: []string{a}, ObjectWriteTraceID: "t" + string(rune('x'+i))})
	}
	inputs[2].ContactIDs = []string{b}
	env.sim.LoseNext(1, hubspotsim.LostAs502)
	if _, _, err := c.Notes.BatchCreate(ctx, inputs); err == nil {
		t.Fatal("the create's answer was not lost")
	}
	found, _, err := c.Notes.SearchByContact(ctx, a, nil)
	if err != nil || len(found.Results) != 0 {
		t.Fatalf("search = %v, %v: want nothing yet (index delay)", found, err)
	}
	ids, _, err := c.Notes.NoteIDsByContact(ctx, []string{a, b, none, a})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids[a]) != 2 || len(ids[b]) != 1 || len(ids[none]) != 0 {
		t.Fatalf("associations = %v", ids)
	}
	notes, _, err := c.Notes.BatchRead(ctx, append(slices.Clone(ids[a]), "999999999"), []string{PropNoteBody, PropTimestamp})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes.Results) != 2 || !slices.Equal(notes.NotFoundIDs(), []string{"999999999"}) {
		t.Fatalf("batch read = %d notes, missing %v", len(notes.Results), notes.NotFoundIDs())
	}
	for _, n := range notes.Results {
		if !strings.Contains(n.Body(), "markerx") && !strings.Contains(n.Body(), "markery") || n.Timestamp().IsZero() {
			t.Errorf("note %s: body %q, timestamp %v", n.ID, n.Body(), n.Timestamp())
		}
	}
}

// Pages of associations are followed to the end.
func TestNoteIDsByContactFollowsPages(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{})
	ctx := context.Background()
	a := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "many@example.com"}, time.Time{})
	var inputs []NoteInput
	for i := range 100 {
		inputs = append(inputs, NoteInput{Body: "n", Timestamp: time.Unix(int64(i+1), 0), ContactIDs: []string{a}})
	}
	for range 6 {
		if _, _, err := env.client.Notes.BatchCreate(ctx, inputs); err != nil {
			t.Fatal(err)
		}
	}
	ids, _, err := env.client.Notes.NoteIDsByContact(ctx, []string{a})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids[a]) != 600 {
		t.Fatalf("%d note IDs, want 600 (two pages)", len(ids[a]))
	}
}

// A contact created with its note names itself through the note's associations, even when its answer is lost.
func TestCreateWithNotesIsFoundThroughTheNote(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{IndexDelay: 24 * time.Hour})
	ctx := context.Background()
	c := env.client
	n, _, err := c.Notes.Create(ctx, NoteInput{Body: "anchor", Timestamp: time.Unix(5, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := c.Notes.ContactIDsByNote(ctx, []string{n.ID}); err != nil || len(got[n.ID]) != 0 {
		t.Fatalf("before: %v, %v", got, err)
	}
	env.sim.LoseNext(1, hubspotsim.LostAs502)
	if _, _, err := c.Contacts.CreateWithNotes(ctx, map[string]string{"phone": "+442079460333"}, []string{n.ID}); err == nil {
		t.Fatal("the answer was not lost")
	}
	got, _, err := c.Notes.ContactIDsByNote(ctx, []string{n.ID})
	if err != nil || len(got[n.ID]) != 1 {
		t.Fatalf("contacts of the note = %v, %v", got, err)
	}
	ct, _, err := c.Contacts.Get(ctx, got[n.ID][0], []string{"phone"})
	if err != nil || ct.Prop("phone") != "+442079460333" {
		t.Fatalf("contact = %+v, %v", ct, err)
	}
	if ids, _, _ := c.Notes.NoteIDsByContact(ctx, []string{ct.ID}); !slices.Equal(ids[ct.ID], []string{n.ID}) {
		t.Errorf("notes of the contact = %v", ids)
	}
}
