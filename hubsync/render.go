package hubsync

import (
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/transcript"
)

// Transcript is what a close's notes are rendered from.
type Transcript struct {
	Workspace    *convrs.Workspace
	Conversation *convrs.Conversation
	Customer     *convrs.Customer
	// Agent is the assigned staff member; nil when none.
	Agent    *convrs.Staff
	Messages []*convrs.Message
	// ClosedAt is the close being written; CloseNumber counts closes (2+: written again after a reopen).
	ClosedAt    time.Time
	CloseNumber int
	// Link is the conversation in Convrs ("" without a public URL).
	Link string
}

// Renderer turns a transcript into note bodies of at most limit UTF-16 code units each, in order.
type Renderer func(t *Transcript, limit int) ([]string, error)

// markerReserve is kept free in each part for the reference line the worker appends.
const markerReserve = 200

// RenderNotes is the default Renderer: package transcript's notes (header, messages in the workspace's time
// zone, escaped, "part i of n", the reopen notice), leaving room for the worker's reference line.
func RenderNotes(t *Transcript, limit int) ([]string, error) {
	conv := *t.Conversation
	closed := t.ClosedAt
	conv.ClosedAt = &closed
	msgs := make([]convrs.Message, len(t.Messages))
	for i, m := range t.Messages {
		msgs[i] = *m
	}
	tr := &transcript.Transcript{Workspace: *t.Workspace, Conversation: conv, Customer: *t.Customer, Messages: msgs,
		URL: t.Link, CloseNumber: t.CloseNumber}
	if t.Agent != nil {
		tr.AgentName = t.Agent.Name
	}
	return transcript.Render(tr, limit-markerReserve)
}
