package hubsync

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// Transcript is what a note is rendered from.
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

// Renderer turns a transcript into note bodies, each at most Budget UTF-16 code units of HTML, in order.
type Renderer func(t *Transcript, budget int) ([]string, error)

// markerReserve is kept free in each part for the reference footer the worker appends.
const markerReserve = 200

// RenderNotes is the default Renderer: a header (channel, subject, agent, customer, opened, closed, duration),
// then every message with its author and time in the workspace's time zone, HTML-escaped with line breaks
// kept. Parts break at message boundaries, inside a message only when it alone is too long, never inside a
// character or an escape, each labelled "part i of n".
func RenderNotes(t *Transcript, budget int) ([]string, error) {
	loc, err := time.LoadLocation(t.Workspace.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	at := func(x time.Time) string { return x.In(loc).Format("2 Jan 2006 15:04 MST") }
	agent := "unassigned"
	if t.Agent != nil {
		agent = t.Agent.Name
	}
	cust := t.Customer.Name()
	for _, s := range []string{t.Customer.Email, t.Customer.Phone} {
		if s != "" {
			if cust == "" {
				cust = s
			} else {
				cust += " · " + s
			}
		}
	}
	if cust == "" {
		cust = "Visitor"
	}
	subject := t.Conversation.Subject
	if subject == "" {
		subject = "(none)"
	}
	head := func(i, n int) string {
		var b strings.Builder
		b.WriteString("<p><strong>Convrs conversation transcript</strong>")
		if n > 1 {
			fmt.Fprintf(&b, " — part %d of %d", i, n)
		}
		b.WriteString("</p>")
		if t.CloseNumber > 1 {
			fmt.Fprintf(&b, "<p><strong>Updated after reopening:</strong> this conversation was reopened and closed again (close %d, %s); this note now holds the whole conversation.</p>",
				t.CloseNumber, esc(at(t.ClosedAt)))
		}
		fmt.Fprintf(&b, "<p>Channel: %s<br>Subject: %s<br>Agent: %s<br>Customer: %s<br>Opened: %s<br>Closed: %s<br>Duration: %s</p>",
			esc(t.Conversation.Channel), esc(subject), esc(agent), esc(cust), esc(at(t.Conversation.OpenedAt)), esc(at(t.ClosedAt)),
			esc(duration(t.ClosedAt.Sub(t.Conversation.OpenedAt))))
		if t.Link != "" {
			fmt.Fprintf(&b, `<p><a href="%s">Open the conversation in Convrs</a></p>`, esc(t.Link))
		}
		return b.String()
	}
	// The header's length does not depend on i and n beyond a few digits: reserve for the longest.
	room := budget - utf16Len(head(999, 999)) - markerReserve
	if room < 1000 {
		return nil, fmt.Errorf("hubsync: render: budget %d too small", budget)
	}
	var bodies []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			bodies = append(bodies, cur.String())
			cur.Reset()
		}
	}
	for _, m := range t.Messages {
		block := fmt.Sprintf("<p><strong>%s</strong> · %s<br>%s</p>", esc(m.AuthorName), esc(at(m.CreatedAt)), textHTML(m.Text))
		if utf16Len(cur.String())+utf16Len(block) <= room {
			cur.WriteString(block)
			continue
		}
		flush()
		for _, piece := range splitHTML(block, room) {
			if utf16Len(cur.String())+utf16Len(piece) > room {
				flush()
			}
			cur.WriteString(piece)
		}
	}
	flush()
	if len(bodies) == 0 {
		bodies = []string{"<p>(no messages)</p>"}
	}
	out := make([]string, len(bodies))
	for i, b := range bodies {
		out[i] = head(i+1, len(bodies)) + b
	}
	return out, nil
}

func esc(s string) string { return html.EscapeString(s) }

// textHTML is a message's text as HTML: escaped, line breaks kept.
func textHTML(s string) string { return hubspot.NoteBodyFromText(s) }

// splitHTML cuts s into pieces of at most room UTF-16 units, never inside a character, an entity (&…;) or a
// tag (<…>).
func splitHTML(s string, room int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	inEntity, inTag := false, false
	lastSafe := 0 // byte offset in cur where a cut is safe
	for _, r := range s {
		w := len(utf16.Encode([]rune{r}))
		if n+w > room && lastSafe > 0 {
			str := cur.String()
			out = append(out, str[:lastSafe])
			rest := str[lastSafe:]
			cur.Reset()
			cur.WriteString(rest)
			n = utf16Len(rest)
			lastSafe = 0
			if !inEntity && !inTag {
				lastSafe = cur.Len()
			}
		}
		cur.WriteRune(r)
		n += w
		switch {
		case r == '&':
			inEntity = true
		case r == ';' && inEntity:
			inEntity = false
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag = false
		}
		if !inEntity && !inTag {
			lastSafe = cur.Len()
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func duration(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
