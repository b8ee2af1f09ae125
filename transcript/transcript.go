// Package transcript renders a closed conversation into the bodies of HubSpot notes: a header, then every
// message with its author and time in the workspace's time zone, HTML-escaped, split into several notes when
// it exceeds HubSpot's limit on a note body.
package transcript

import (
	"cmp"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/convrs/gateway/convrs"
)

// MaxNoteLength is HubSpot's limit on hs_note_body, in UTF-16 code units (what HubSpot counts), after escaping.
const MaxNoteLength = 65536

// minLimit is the smallest limit Render accepts: a part must hold its label, the longest atomic
// piece of the header and a message's author line.
const minLimit = 2048

// maxFieldRunes caps the header's and author lines' fields (names, subject, email), so those lines always fit
// in one part and are never split.
const maxFieldRunes = 200

// maxURLBytes caps the link back to Convrs (escaped), so its tag always fits in a part; a longer one is left
// out.
const maxURLBytes = 1000

// Transcript is what a note is made of.
type Transcript struct {
	// Workspace gives the name shown in the title and the time zone of every time shown.
	Workspace convrs.Workspace
	// Conversation gives the channel, subject and the opened and closed times; ClosedAt is required.
	Conversation convrs.Conversation
	Customer     convrs.Customer
	// AgentName is the assigned agent's name; "" shows "Unassigned".
	AgentName string
	// Messages in any order; they are shown oldest first.
	Messages []convrs.Message
	// URL links back to the conversation in Convrs; "" when no public URL is configured. Only http and https
	// URLs are linked.
	URL string
	// CloseNumber is 1 for the first close, 2 or more when the conversation was reopened and closed again.
	CloseNumber int
}

// Render returns the note bodies of t for notes of at most limit UTF-16 code units (at least 2,048; HubSpot's
// bound is MaxNoteLength): one, or several labelled "part i of n" when the transcript exceeds it. Parts are split
// between messages, inside a message only when it alone is too long, and never inside a character, a surrogate
// pair, a grapheme's combining marks, an escape sequence or a tag.
func Render(t *Transcript, limit int) ([]string, error) {
	if limit < minLimit {
		return nil, fmt.Errorf("transcript: limit %d is below %d", limit, minLimit)
	}
	blocks, err := render(t)
	if err != nil {
		return nil, err
	}
	return split(blocks, limit), nil
}

// Length is the length of s as HubSpot counts it: UTF-16 code units.
func Length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// render returns the header block followed by one block per message; joined, they are the whole transcript.
func render(t *Transcript) ([]string, error) {
	if t == nil {
		return nil, errors.New("transcript: render: no transcript")
	}
	c := &t.Conversation
	if c.ClosedAt == nil {
		return nil, errors.New("transcript: render: the conversation is not closed")
	}
	loc := time.UTC
	zone := "UTC"
	if t.Workspace.TimeZone != "" {
		if l, err := time.LoadLocation(t.Workspace.TimeZone); err == nil {
			loc, zone = l, t.Workspace.TimeZone
		}
	}
	closed := c.ClosedAt.In(loc)
	opened := c.OpenedAt.In(loc)

	var h strings.Builder
	h.WriteString("<p><strong>Convrs conversation transcript")
	if ws := field(t.Workspace.Name); ws != "" {
		h.WriteString(" · " + ws)
	}
	h.WriteString("</strong></p>")
	if t.CloseNumber > 1 {
		fmt.Fprintf(&h, "<p><strong>Updated transcript: this conversation was reopened and closed again on %s "+
			"(close %d).</strong> It shows the whole conversation, including the messages of earlier closes.</p>",
			longTime(closed), t.CloseNumber)
	}
	h.WriteString("<p>")
	line := func(label, value string) {
		if value != "" {
			h.WriteString(label + ": " + value + "<br>")
		}
	}
	line("Channel", channelName(c.Channel))
	line("Subject", field(c.Subject))
	line("Agent", cmp.Or(field(t.AgentName), "Unassigned"))
	line("Customer", customerLine(&t.Customer))
	line("Opened", longTime(opened))
	line("Closed", longTime(closed))
	line("Duration", duration(c.ClosedAt.Sub(c.OpenedAt)))
	h.WriteString("Times are in " + html.EscapeString(zone) + ".")
	if u := safeURL(t.URL); u != "" {
		h.WriteString(`<br><a href="` + html.EscapeString(u) + `">Open this conversation in Convrs</a>`)
	}
	h.WriteString("</p>")

	msgs := slices.Clone(t.Messages)
	slices.SortStableFunc(msgs, func(a, b convrs.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	blocks := []string{h.String()}
	var prevDay string
	for _, m := range msgs {
		at := m.CreatedAt.In(loc)
		when := at.Format("15:04")
		if day := at.Format("2006-01-02"); day != prevDay {
			when, prevDay = at.Format("Mon 2 Jan 2006, 15:04 MST"), day
		}
		var b strings.Builder
		b.WriteString("<strong>" + authorName(&m, &t.Customer) + "</strong> (" + kindName(m.AuthorKind) + ") · " + when + "<br>")
		b.WriteString(Escape(m.Text))
		b.WriteString("<br><br>")
		blocks = append(blocks, b.String())
	}
	if len(msgs) == 0 {
		blocks = append(blocks, "<em>No messages.</em>")
	}
	return blocks, nil
}

// Escape makes user text safe HTML for a note: invalid UTF-8 and control characters dropped, &, <, >, " and '
// escaped, line breaks turned into <br>.
func Escape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteString("<br>")
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// C0 and C1 controls: invisible, and some break HubSpot's editor.
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// field is a short header value: escaped, on one line, at most maxFieldRunes characters.
func field(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if utf8.RuneCountInString(s) > maxFieldRunes {
		r := []rune(s)
		n := maxFieldRunes
		// Do not cut a combining mark from its base, or a ZWJ sequence in half.
		for n > 1 && !breakBefore(r[n-1], r[n]) {
			n--
		}
		s = string(r[:n]) + "…"
	}
	return Escape(s)
}

func customerLine(c *convrs.Customer) string {
	parts := []string{field(c.AuthorName())}
	if e := field(c.Email); e != "" {
		parts = append(parts, e)
	}
	if p := field(cmp.Or(c.Phone, c.PhoneRaw)); p != "" {
		parts = append(parts, p)
	}
	return strings.Join(parts, " · ")
}

func authorName(m *convrs.Message, c *convrs.Customer) string {
	if n := field(m.AuthorName); n != "" {
		return n
	}
	switch m.AuthorKind {
	case convrs.AuthorCustomer:
		return field(c.AuthorName())
	case convrs.AuthorAgent:
		return "Agent"
	default:
		return "Convrs"
	}
}

func kindName(k convrs.AuthorKind) string {
	switch k {
	case convrs.AuthorCustomer:
		return "customer"
	case convrs.AuthorAgent:
		return "agent"
	case convrs.AuthorSystem:
		return "system"
	}
	return cmp.Or(field(string(k)), "unknown")
}

func channelName(ch string) string {
	switch ch {
	case "web":
		return "Web chat"
	case "whatsapp":
		return "WhatsApp"
	case "sms":
		return "SMS"
	case "email":
		return "Email"
	}
	return field(ch)
}

func longTime(t time.Time) string { return t.Format("Mon 2 Jan 2006, 15:04 MST") }

// duration is d in words, rounded down to the minute once it is a minute or more ("1 h 5 min", "45 s").
func duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d/time.Second))
	}
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, d := d/time.Hour, d%time.Hour
	mins := d / time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d d", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if mins > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d min", mins))
	}
	return strings.Join(parts, " ")
}

// safeURL returns u if it is an absolute http(s) URL, else "" (a javascript: link must not reach the note).
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(html.EscapeString(p.String())) > maxURLBytes {
		return ""
	}
	return p.String()
}

// breakBefore reports whether a part may end between prev and next (0: no rune there) without splitting a
// user-perceived character: not before a combining mark, a variation selector, an emoji modifier or a tag
// character, not around a zero-width joiner, not between two regional indicators (a flag).
func breakBefore(prev, next rune) bool {
	switch {
	case next == 0 || prev == 0:
		return true
	case next == '\u200d' || prev == '\u200d':
		return false
	case unicode.In(next, unicode.Mn, unicode.Me, unicode.Mc):
		return false
	case next >= 0x1F3FB && next <= 0x1F3FF, next >= 0xE0020 && next <= 0xE007F:
		return false
	case isRegional(prev) && isRegional(next):
		return false
	}
	return true
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
