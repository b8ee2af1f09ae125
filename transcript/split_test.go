package transcript

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/convrs/gateway/convrs"
)

// checkParts asserts the splitting properties: every part within limit, labelled "part i of n" when there are
// several, the parts (labels removed) joining back into the whole transcript, no part cutting a character, a
// grapheme, an escape sequence or a tag, and no message split that would have fitted in a part of its own.
func checkParts(t *testing.T, blocks, parts []string, limit int) {
	t.Helper()
	whole := strings.Join(blocks, "")
	if len(parts) == 0 {
		t.Fatal("no parts")
	}
	bodies := make([]string, len(parts))
	for i, p := range parts {
		if n := Length(p); n > limit {
			t.Errorf("part %d has %d UTF-16 units; limit %d", i+1, n, limit)
		}
		if len(parts) == 1 {
			bodies[i] = p
			continue
		}
		l := label(i+1, len(parts))
		if !strings.HasPrefix(p, l) {
			t.Fatalf("part %d does not start with %q: %.80q", i+1, l, p)
		}
		bodies[i] = strings.TrimPrefix(p, l)
		if bodies[i] == "" {
			t.Errorf("part %d is empty", i+1)
		}
	}
	if got := strings.Join(bodies, ""); got != whole {
		t.Fatalf("parts join into %d bytes; whole transcript has %d (first difference at byte %d)", len(got), len(whole), firstDiff(got, whole))
	}
	for i, b := range bodies {
		if !utf8.ValidString(b) {
			t.Errorf("part %d is not valid UTF-8", i+1)
		}
		if j := brokenMarkup(b); j >= 0 {
			t.Errorf("part %d has a broken tag or escape near %q", i+1, b[max(j-20, 0):min(j+20, len(b))])
		}
		if i == 0 {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(bodies[i-1])
		first, _ := utf8.DecodeRuneInString(b)
		if splitsGrapheme(last, first) {
			t.Errorf("parts %d and %d split a character between %U and %U", i, i+1, last, first)
		}
	}
	capacity := limit - len(label(len(parts), len(parts)))
	for j, b := range blocks {
		if Length(b) > capacity {
			continue
		}
		found := false
		for _, body := range bodies {
			if strings.Contains(body, b) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("block %d (%d units) fits in a part but was split", j, Length(b))
		}
	}
}

// brokenMarkup returns the offset of the first '<', '>' or '&' in s that does not belong to a whole tag or
// entity the renderer writes, or -1.
func brokenMarkup(s string) int {
	whole := []string{"<p>", "</p>", "<strong>", "</strong>", "<em>", "</em>", "<br>", "</a>", "&amp;", "&lt;", "&gt;", "&#34;", "&#39;"}
next:
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '>':
			return i
		case '<', '&':
			for _, w := range whole {
				if strings.HasPrefix(s[i:], w) {
					i += len(w) - 1
					continue next
				}
			}
			if rest, ok := strings.CutPrefix(s[i:], `<a href="`); ok {
				if j := strings.Index(rest, `">`); j >= 0 && !strings.ContainsAny(rest[:j], `<>"`) {
					i += len(`<a href="`) + j + 1
					continue next
				}
			}
			return i
		}
	}
	return -1
}

// splitsGrapheme is written apart from breakBefore so the test does not trust the code it checks.
func splitsGrapheme(last, first rune) bool {
	return unicode.Is(unicode.Mn, first) || unicode.Is(unicode.Me, first) || unicode.Is(unicode.Mc, first) ||
		first == 0x200D || last == 0x200D || (first >= 0x1F3FB && first <= 0x1F3FF) ||
		(last >= 0x1F1E6 && last <= 0x1F1FF && first >= 0x1F1E6 && first <= 0x1F1FF)
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// pieces are the hostile bits random messages are made of: surrogate pairs, combining marks, ZWJ sequences,
// flags, skin tones, HTML, quotes, line breaks, controls and invalid UTF-8.
var pieces = []string{
	"a", "b", " ", "  ", "é", "e\u0301", "n\u0303\u0308", "😀", "👍🏽", "👨‍👩‍👧", "🇬🇧", "🇫🇷🇩🇪", "&", "&amp;", "<", ">",
	"<script>alert('x')</script>", "\n", "\r\n", "\r", "'", `"`, "漢字", "\x00", "\x7f", "\xff", "\t", "word ",
	"𝄞", "\u2028", "ﷺ", "<br>",
}

func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if r.IntN(10) == 0 {
			b.WriteString(strings.Repeat(pieces[r.IntN(len(pieces))], 1+r.IntN(200)))
		} else {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
	}
	return b.String()
}

func testTranscript(texts []string) *Transcript {
	opened := time.Date(2026, 3, 28, 23, 50, 0, 0, time.UTC)
	closed := opened.Add(3 * time.Hour)
	tr := &Transcript{
		Workspace:    convrs.Workspace{Name: "Acme <Support>", TimeZone: "Europe/London"},
		Conversation: convrs.Conversation{Channel: "web", Subject: "Refund & <b>returns</b>", OpenedAt: opened, ClosedAt: &closed},
		Customer:     convrs.Customer{FirstName: "Alice", LastName: "O'Brien", Email: "alice@example.com"},
		AgentName:    "Bob",
		URL:          "https://convrs.example.com/conversations/c_1?x=1&y=2",
		CloseNumber:  1,
	}
	for i, text := range texts {
		kind := convrs.AuthorCustomer
		if i%2 == 1 {
			kind = convrs.AuthorAgent
		}
		tr.Messages = append(tr.Messages, convrs.Message{AuthorKind: kind, Text: text, CreatedAt: opened.Add(time.Duration(i) * time.Minute)})
	}
	return tr
}

func renderChecked(t *testing.T, tr *Transcript, limit int) []string {
	t.Helper()
	parts, err := Render(tr, limit)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := render(tr)
	if err != nil {
		t.Fatal(err)
	}
	checkParts(t, blocks, parts, limit)
	return parts
}

// TestSplitRandom is the seeded property test: hostile random transcripts at random limits.
func TestSplitRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(20261201, 1))
	multi := 0
	for range 200 {
		texts := make([]string, 1+r.IntN(12))
		for i := range texts {
			texts[i] = randomText(r, r.IntN(6000))
		}
		limit := minLimit + r.IntN(8000)
		if parts := renderChecked(t, testTranscript(texts), limit); len(parts) > 1 {
			multi++
		}
		if t.Failed() {
			t.Fatalf("failed with limit %d", limit)
		}
	}
	if multi < 100 {
		t.Errorf("only %d of 200 transcripts were split: the test does not exercise splitting", multi)
	}
}

// FuzzSplit checks the splitting properties on fuzzed text, repeated to reach the limit.
func FuzzSplit(f *testing.F) {
	f.Add("hello <script>alert(1)</script> & goodbye\n", uint16(0), uint16(100), uint8(3))
	f.Add("e\u0301👍🏽🇬🇧👨‍👩‍👧&amp;", uint16(1), uint16(3000), uint8(1))
	f.Add("'''\"\"\"", uint16(500), uint16(9000), uint8(2))
	f.Add("\xff\x00\r\n\r", uint16(7), uint16(700), uint8(9))
	f.Fuzz(func(t *testing.T, text string, limit, reps uint16, n uint8) {
		if text == "" {
			return
		}
		reps = min(reps, uint16(min(60000/len(text)+1, 65535)))
		texts := make([]string, 1+int(n)%10)
		for i := range texts {
			texts[i] = strings.Repeat(text, 1+int(reps)/(i+1))
		}
		renderChecked(t, testTranscript(texts), minLimit+int(limit))
	})
}

// TestHugeTranscripts: 100 messages of 20,000 characters (the longest a message may be), in plain text, in
// surrogate pairs, and in apostrophes that escaping makes five times longer (one message alone then exceeds a
// note and must be split inside).
func TestHugeTranscripts(t *testing.T) {
	t.Parallel()
	word := strings.Repeat("lorem ipsum dolor\n", 20000/18+1)[:20000]
	tests := []struct {
		name               string
		text               string
		minParts, maxParts int
	}{
		{"plain", word, 50, 50}, // 100 × ~23,400 units (<br> is 4): 2 per note
		{"surrogate pairs", strings.Repeat("😀", 20000), 100, 100},               // 40,000 units each: one per note
		{"apostrophes", strings.Repeat("'", convrs.MaxMessageLength), 154, 160}, // 100,000 units each
		{"combining marks", strings.Repeat("e\u0301\u0323", 20000/3), 33, 36},   // ~20,000 units, graphemes of 3
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			texts := make([]string, 100)
			for i := range texts {
				texts[i] = tt.text
			}
			parts := renderChecked(t, testTranscript(texts), MaxNoteLength)
			if len(parts) < tt.minParts || len(parts) > tt.maxParts {
				t.Errorf("%d parts; want %d–%d", len(parts), tt.minParts, tt.maxParts)
			}
			if !strings.HasPrefix(parts[len(parts)-1], label(len(parts), len(parts))) {
				t.Errorf("last part not labelled %d of %d", len(parts), len(parts))
			}
		})
	}
}

// BenchmarkRender1MB renders a transcript of 1 MB of message text (50 messages of 20,000 characters).
func BenchmarkRender1MB(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 50)
	for i := range texts {
		texts[i] = randomText(r, 20000)
	}
	tr := testTranscript(texts)
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(tr, MaxNoteLength); err != nil {
			b.Fatal(err)
		}
	}
}
