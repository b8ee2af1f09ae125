package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// What a run left: the sync records as the admin reads them, and HubSpot's own state read from the simulator —
// never from our database — for every closed conversation.

type syncState struct {
	Status, ReasonCode, Reason string
	Attempts                   int
}

// drain waits until no sync record is QUEUED, RUNNING or WAITING (the whole workspace's summary), or until
// the deadline; it returns how long that took.
func drain(ctx context.Context, c *cluster, deadline time.Duration) (time.Duration, error) {
	t0 := time.Now()
	for {
		var out struct {
			S struct{ Queued, Running, Waiting, Synced, Failed int } `json:"hubspotSyncSummary"`
		}
		err := c.gql(`{ hubspotSyncSummary { queued running waiting synced failed } }`, nil, &out)
		if err == nil && out.S.Queued+out.S.Running+out.S.Waiting == 0 {
			return time.Since(t0), nil
		}
		if time.Since(t0) > deadline {
			return time.Since(t0), fmt.Errorf("queue not drained within %v: %+v (%v)", deadline, out.S, err)
		}
		select {
		case <-ctx.Done():
			return time.Since(t0), ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// syncStates reads each conversation's sync record through GraphQL, as the admin's card does.
func syncStates(ctx context.Context, c *cluster, convIDs []string) map[string]syncState {
	out := make(map[string]syncState, len(convIDs))
	var mu sync.Mutex
	each(ctx, 6, convIDs, func(id string) {
		var r struct {
			Conversation struct {
				HubspotSync *syncState `json:"hubspotSync"`
			} `json:"conversation"`
		}
		st := syncState{Status: "NO RECORD"}
		for try := 0; try < 5; try++ {
			err := c.gql(`query($id: ID!) { conversation(id: $id) { hubspotSync { status reasonCode reason attempts } } }`, map[string]any{"id": id}, &r)
			if err == nil {
				if r.Conversation.HubspotSync != nil {
					st = *r.Conversation.HubspotSync
				}
				break
			}
			st = syncState{Status: "UNREAD", Reason: err.Error()}
			sleep(ctx, time.Second)
		}
		mu.Lock()
		out[id] = st
		mu.Unlock()
	})
	return out
}

var (
	chatLink = regexp.MustCompile(`#/chat/([A-Za-z0-9_-]+)`)
	// The marker is one token, convrs<sync ID>c<close>p<part>; the sync ID may itself hold "c2p6", so the close
	// and part are the token's last ones.
	marker = regexp.MustCompile(`Convrs reference (convrs[A-Za-z0-9]*c(\d+)p(\d+))\b`)
	partOf = regexp.MustCompile(`part (\d+) of (\d+)`)
)

// hubspotState is the simulator's contacts and, per conversation, its notes.
type hubspotState struct {
	contacts []simContact
	// notes by conversation ID, then by part: the IDs of the distinct notes with that part's marker, and
	// the contacts they are on.
	notes map[string]map[int]*notePart
	parts map[string]int // parts a conversation's transcript has ("part i of n"), 1 when not split
}

type notePart struct {
	ids      map[string]bool
	contacts map[string]bool
}

func readHubspot(sim *simControl) (*hubspotState, error) {
	cs, err := sim.contacts()
	if err != nil {
		return nil, err
	}
	h := &hubspotState{contacts: cs, notes: map[string]map[int]*notePart{}, parts: map[string]int{}}
	for _, ct := range cs {
		ns, err := sim.notes(ct.ID)
		if err != nil {
			return nil, err
		}
		h.add(ct.ID, ns)
	}
	return h, nil
}

// add indexes the transcript notes on one contact by conversation and part.
func (h *hubspotState) add(contactID string, ns []simNote) {
	for _, n := range ns {
		link, mk := chatLink.FindStringSubmatch(n.Body), marker.FindStringSubmatch(n.Body)
		if link == nil || mk == nil {
			continue // not a transcript of the soak (the demo's, a connection check's)
		}
		conv := link[1]
		part, _ := strconv.Atoi(mk[3])
		byPart := h.notes[conv]
		if byPart == nil {
			byPart = map[int]*notePart{}
			h.notes[conv] = byPart
		}
		np := byPart[part]
		if np == nil {
			np = &notePart{ids: map[string]bool{}, contacts: map[string]bool{}}
			byPart[part] = np
		}
		np.ids[n.ID] = true
		np.contacts[contactID] = true
		h.parts[conv] = max(h.parts[conv], 1)
		if m := partOf.FindStringSubmatch(n.Body); m != nil {
			total, _ := strconv.Atoi(m[2])
			h.parts[conv] = max(h.parts[conv], total)
		}
	}
}

// contactsOf lists the simulator contacts that are this customer: by email (primary or additional), by phone,
// or, for a customer known by name only, by first and last name on a contact with neither.
func (h *hubspotState) contactsOf(c *customer) []string {
	var ids []string
	for _, ct := range h.contacts {
		p := ct.Properties
		var is bool
		switch {
		case c.email != "":
			is = strings.EqualFold(p["email"], c.email) || containsFold(strings.Split(p["hs_additional_emails"], ";"), c.email)
		case c.kind == kindName:
			is = p["firstname"] == c.first && p["lastname"] == c.last && p["email"] == "" && p["phone"] == "" && p["mobilephone"] == ""
		default:
			is = onlyDigits(p["phone"]) == onlyDigits(c.phone) || onlyDigits(p["mobilephone"]) == onlyDigits(c.phone)
		}
		if is {
			ids = append(ids, ct.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "-" // no number is nobody's number
	}
	return b.String()
}

// tally is what the simulator holds for a run's customers.
type tally struct {
	conversations, rightNotes, lost, duplicateNotes, wrongContact, duplicateContacts int
	examples                                                                         []string
}

func (t *tally) example(format string, args ...any) {
	if len(t.examples) < 8 {
		t.examples = append(t.examples, fmt.Sprintf(format, args...))
	}
}

// check counts, for every closed conversation, whether HubSpot has exactly one note per transcript part on the
// customer's one contact, and whether any customer has two contacts.
func (h *hubspotState) check(custs []*customer) tally {
	var t tally
	for _, c := range custs {
		contacts := h.contactsOf(c)
		if len(contacts) > 1 {
			t.duplicateContacts += len(contacts) - 1
			t.example("customer %s (%s) has %d contacts %v", c.last, c.kind, len(contacts), contacts)
		}
		want := c.seeded
		if want == "" && len(contacts) > 0 {
			want = contacts[0]
		}
		for _, conv := range c.closedIDs {
			t.conversations++
			byPart := h.notes[conv]
			ok := len(byPart) > 0
			if !ok {
				t.lost++
				t.example("conversation %s of %s (%s): no note", conv, c.last, c.kind)
				continue
			}
			dup, wrong := false, false
			for part := 1; part <= h.parts[conv]; part++ {
				np := byPart[part]
				switch {
				case np == nil:
					ok = false
				case len(np.ids) > 1:
					dup = true
				}
				if np != nil && (len(np.contacts) != 1 || !np.contacts[want]) {
					wrong = true
				}
			}
			if !ok {
				t.lost++
				t.example("conversation %s of %s: a part has no note", conv, c.last)
			}
			if dup {
				t.duplicateNotes++
				t.example("conversation %s of %s (%s): duplicate notes", conv, c.last, c.kind)
			}
			if wrong {
				t.wrongContact++
				t.example("conversation %s of %s (%s): note not (only) on contact %s", conv, c.last, c.kind, want)
			}
			if ok && !dup && !wrong {
				t.rightNotes++
			}
		}
	}
	return t
}
