package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// note builds a transcript note's body as hubsync writes it: the conversation's link and the part's marker.
func note(id, conv, syncID, part string, extra string) simNote {
	return simNote{ID: id, Body: `<p>` + extra + `<a href="http://gw/#/chat/` + conv + `">open</a></p>` +
		`<p style="color:#7c98b6">Convrs reference convrs` + syncID + `c1p` + part + ` </p>`}
}

// TestCheckCountsWhatHubspotHolds feeds the checker HubSpot states with each kind of fault the soak must see.
func TestCheckCountsWhatHubspotHolds(t *testing.T) {
	alice := &customer{kind: kindEmail, first: "Ada", last: "A", email: "a@example.com", closedIDs: []string{"cnv_1"}}
	phoneOnly := &customer{kind: kindPhone, first: "Bea", last: "B", phone: "+12122010001", closedIDs: []string{"cnv_2"}}
	named := &customer{kind: kindName, first: "Cy", last: "C", closedIDs: []string{"cnv_3"}}
	seeded := &customer{kind: kindSecondary, first: "Dana", last: "D", email: "d@example.com", seeded: "40", closedIDs: []string{"cnv_4"}}
	custs := []*customer{alice, phoneOnly, named, seeded}
	contacts := []simContact{
		{ID: "10", Properties: map[string]string{"email": "A@example.com"}},
		{ID: "20", Properties: map[string]string{"phone": "+1 212-201-0001"}},
		{ID: "30", Properties: map[string]string{"firstname": "Cy", "lastname": "C"}},
		{ID: "40", Properties: map[string]string{"email": "primary.d@example.com", "hs_additional_emails": "x@example.com;d@example.com"}},
	}
	right := map[string][]simNote{
		"10": {note("n1", "cnv_1", "hss1", "1", "")},
		"20": {note("n2", "cnv_2", "hssekfurvw2tsfb3nuc2p6b", "1", "")}, // a sync ID holding "c2p6"
		"30": {note("n3", "cnv_3", "hss3", "1", "")},
		"40": {note("n4", "cnv_4", "hss4", "1", "")},
	}
	cases := []struct {
		name     string
		contacts []simContact
		notes    map[string][]simNote
		want     tally
	}{
		{"one note each on the right contact", contacts, right, tally{conversations: 4, rightNotes: 4}},
		{"a note written twice", contacts, with(right, "10", right["10"][0], note("n9", "cnv_1", "hss1", "1", "")),
			tally{conversations: 4, rightNotes: 3, duplicateNotes: 1}},
		{"a note missing", contacts, with(right, "30"), tally{conversations: 4, rightNotes: 3, lost: 1}},
		{"a note on another contact than the seeded one", contacts, with(with(right, "40"), "10", right["10"][0], note("n4", "cnv_4", "hss4", "1", "")),
			tally{conversations: 4, rightNotes: 3, wrongContact: 1}},
		{"part 2 of 2 missing", contacts, with(right, "20", note("n2", "cnv_2", "hss2", "1", "part 1 of 2")),
			tally{conversations: 4, rightNotes: 3, lost: 1}},
		{"a second contact for the phone-only customer", append(contacts[:4:4], simContact{ID: "50", Properties: map[string]string{"mobilephone": "+12122010001"}}), right,
			tally{conversations: 4, rightNotes: 4, duplicateContacts: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &hubspotState{contacts: tc.contacts, notes: map[string]map[int]*notePart{}, parts: map[string]int{}}
			for _, ct := range tc.contacts {
				h.add(ct.ID, tc.notes[ct.ID])
			}
			got := h.check(custs)
			got.examples = nil
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(tally{})); diff != "" {
				t.Errorf("tally (-want +got):\n%s", diff)
			}
		})
	}
}

// with returns notes with contact's list replaced by ns.
func with(notes map[string][]simNote, contact string, ns ...simNote) map[string][]simNote {
	out := map[string][]simNote{}
	for k, v := range notes {
		out[k] = v
	}
	out[contact] = ns
	return out
}
