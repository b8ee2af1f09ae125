package transcript_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/transcript"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func closedAt(s string) *time.Time {
	t := at(s)
	return &t
}

func mustRender(t *testing.T, tr *transcript.Transcript) []string {
	t.Helper()
	parts, err := transcript.Render(tr, transcript.MaxNoteLength)
	if err != nil {
		t.Fatal(err)
	}
	return parts
}

func TestRender(t *testing.T) {
	t.Parallel()
	tr := &transcript.Transcript{
		Workspace: convrs.Workspace{Name: "Acme", TimeZone: "Europe/London"},
		Conversation: convrs.Conversation{Channel: "whatsapp", Subject: "Order #42",
			OpenedAt: at("2026-07-01T22:50:00Z"), ClosedAt: closedAt("2026-07-02T00:15:30Z")},
		Customer:  convrs.Customer{FirstName: "Alice", LastName: "Johnson", Email: "alice@example.com", Phone: "+447911123456"},
		AgentName: "Bob Smith",
		Messages: []convrs.Message{
			// Out of order on purpose: the note shows them oldest first.
			{AuthorKind: convrs.AuthorAgent, AuthorName: "Bob Smith", Text: "Fixed.\nAnything else?", CreatedAt: at("2026-07-01T23:10:00Z")},
			{AuthorKind: convrs.AuthorCustomer, Text: "Hi, my order is late", CreatedAt: at("2026-07-01T22:50:00Z")},
			{AuthorKind: convrs.AuthorSystem, Text: "Conversation closed", CreatedAt: at("2026-07-02T00:15:30Z")},
		},
		URL:         "https://convrs.example.com/c/conv_1",
		CloseNumber: 1,
	}
	want := "<p><strong>Convrs conversation transcript · Acme</strong></p>" +
		"<p>Channel: WhatsApp<br>Subject: Order #42<br>Agent: Bob Smith<br>" +
		"Customer: Alice Johnson · alice@example.com · +447911123456<br>" +
		"Opened: Wed 1 Jul 2026, 23:50 BST<br>Closed: Thu 2 Jul 2026, 01:15 BST<br>Duration: 1 h 25 min<br>" +
		`Times are in Europe/London.<br><a href="https://convrs.example.com/c/conv_1">Open this conversation in Convrs</a></p>` +
		"<strong>Alice Johnson</strong> (customer) · Wed 1 Jul 2026, 23:50 BST<br>Hi, my order is late<br><br>" +
		"<strong>Bob Smith</strong> (agent) · Thu 2 Jul 2026, 00:10 BST<br>Fixed.<br>Anything else?<br><br>" +
		"<strong>Convrs</strong> (system) · 01:15<br>Conversation closed<br><br>"
	if diff := cmp.Diff([]string{want}, mustRender(t, tr)); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}
}

// TestRender's second message, at 00:10 BST, is on the next day in London although still 1 July in UTC: the
// first line of a new local day shows its date. These cover the zones themselves.
func TestTimeZones(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone, opened, closed string
		times                []string // the message lines' times
		duration             string
	}{
		{
			// The clocks go forward at 01:00 UTC on 29 March 2026: GMT before, BST after.
			zone: "Europe/London", opened: "Sun 29 Mar 2026, 00:30 GMT", closed: "Sun 29 Mar 2026, 03:30 BST",
			times: []string{"Sun 29 Mar 2026, 00:30 GMT", "00:59", "02:00", "03:30"}, duration: "2 h",
		},
		{
			zone: "Asia/Kolkata", opened: "Sun 29 Mar 2026, 06:00 IST", closed: "Sun 29 Mar 2026, 08:00 IST",
			times: []string{"Sun 29 Mar 2026, 06:00 IST", "06:29", "06:30", "08:00"}, duration: "2 h",
		},
		{
			zone: "", opened: "Sun 29 Mar 2026, 00:30 UTC", closed: "Sun 29 Mar 2026, 02:30 UTC",
			times: []string{"Sun 29 Mar 2026, 00:30 UTC", "00:59", "01:00", "02:30"}, duration: "2 h",
		},
		{
			zone: "Not/AZone", opened: "Sun 29 Mar 2026, 00:30 UTC", closed: "Sun 29 Mar 2026, 02:30 UTC",
			times: []string{"Sun 29 Mar 2026, 00:30 UTC", "00:59", "01:00", "02:30"}, duration: "2 h",
		},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			t.Parallel()
			tr := &transcript.Transcript{
				Workspace:    convrs.Workspace{TimeZone: tt.zone},
				Conversation: convrs.Conversation{Channel: "web", OpenedAt: at("2026-03-29T00:30:00Z"), ClosedAt: closedAt("2026-03-29T02:30:00Z")},
			}
			for _, ts := range []string{"2026-03-29T00:30:00Z", "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:30:00Z"} {
				tr.Messages = append(tr.Messages, convrs.Message{AuthorKind: convrs.AuthorCustomer, Text: "x", CreatedAt: at(ts)})
			}
			body := mustRender(t, tr)[0]
			for _, want := range []string{"Opened: " + tt.opened + "<br>", "Closed: " + tt.closed + "<br>", "Duration: " + tt.duration + "<br>"} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			var got []string
			for _, line := range strings.Split(body, "<strong>Visitor</strong> (customer) · ")[1:] {
				got = append(got, strings.SplitN(line, "<br>", 2)[0])
			}
			if diff := cmp.Diff(tt.times, got); diff != "" {
				t.Errorf("message times (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	tr := &transcript.Transcript{
		Workspace: convrs.Workspace{Name: "<i>Acme</i>"},
		Conversation: convrs.Conversation{Channel: "<b>web</b>", Subject: `"><img src=x onerror=alert(1)>`,
			OpenedAt: at("2026-01-01T10:00:00Z"), ClosedAt: closedAt("2026-01-01T10:00:45Z")},
		Customer:  convrs.Customer{FirstName: "<script>", Email: "a&b@example.com"},
		AgentName: "Eve & <Mallory>",
		Messages: []convrs.Message{
			{AuthorKind: convrs.AuthorCustomer, AuthorName: "</strong><script>x</script>", Text: "<script>alert('hi')</script>\r\nline 2 & \"3\"\x00\x07", CreatedAt: at("2026-01-01T10:00:10Z")},
		},
		URL: `javascript:alert(1)`,
	}
	body := mustRender(t, tr)[0]
	for _, bad := range []string{"<script>", "<img", "<i>", "<b>", "javascript:", "\x00", "\x07", "<Mallory>"} {
		if strings.Contains(body, bad) {
			t.Errorf("body contains %q:\n%s", bad, body)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;<br>line 2 &amp; &#34;3&#34;<br><br>",
		"<strong>&lt;/strong&gt;&lt;script&gt;x&lt;/script&gt;</strong> (customer)",
		"Subject: &#34;&gt;&lt;img src=x onerror=alert(1)&gt;<br>",
		"Agent: Eve &amp; &lt;Mallory&gt;<br>", "Customer: &lt;script&gt; · a&amp;b@example.com<br>",
		"Channel: &lt;b&gt;web&lt;/b&gt;<br>", "· &lt;i&gt;Acme&lt;/i&gt;</strong>", "Duration: 45 s<br>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<a ") {
		t.Error("a javascript: URL was linked")
	}

	tr.URL = `https://convrs.example.com/c/1?a=1&b="x"`
	if body := mustRender(t, tr)[0]; !strings.Contains(body, `<a href="https://convrs.example.com/c/1?a=1&amp;b=&#34;x&#34;">`) {
		t.Errorf("link not escaped:\n%s", body)
	}
}

func TestReopenedConversation(t *testing.T) {
	t.Parallel()
	tr := &transcript.Transcript{
		Workspace:    convrs.Workspace{TimeZone: "Europe/London"},
		Conversation: convrs.Conversation{Channel: "sms", OpenedAt: at("2026-01-05T09:00:00Z"), ClosedAt: closedAt("2026-01-06T16:20:00Z")},
		Messages:     []convrs.Message{{AuthorKind: convrs.AuthorCustomer, Text: "hello", CreatedAt: at("2026-01-05T09:00:00Z")}},
		CloseNumber:  1,
	}
	if body := mustRender(t, tr)[0]; strings.Contains(body, "Updated transcript") {
		t.Errorf("the first close says it is an update:\n%s", body)
	}
	tr.CloseNumber = 2
	want := "<p><strong>Updated transcript: this conversation was reopened and closed again on Tue 6 Jan 2026, 16:20 GMT (close 2).</strong>"
	if body := mustRender(t, tr)[0]; !strings.Contains(body, want) || !strings.Contains(body, "Duration: 1 d 7 h 20 min") {
		t.Errorf("body lacks %q:\n%s", want, body)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	if _, err := transcript.Render(&transcript.Transcript{Conversation: convrs.Conversation{OpenedAt: at("2026-01-01T00:00:00Z")}}, transcript.MaxNoteLength); err == nil ||
		err.Error() != "transcript: render: the conversation is not closed" {
		t.Errorf("open conversation: err = %v", err)
	}
	if _, err := transcript.Render(&transcript.Transcript{}, 100); err == nil || !strings.Contains(err.Error(), "below 2048") {
		t.Errorf("tiny limit: err = %v", err)
	}
	if _, err := transcript.Render(nil, transcript.MaxNoteLength); err == nil {
		t.Error("nil transcript: no error")
	}
}

func TestNoMessages(t *testing.T) {
	t.Parallel()
	tr := &transcript.Transcript{Conversation: convrs.Conversation{Channel: "web", OpenedAt: at("2026-01-01T00:00:00Z"), ClosedAt: closedAt("2026-01-01T00:00:00Z")}}
	if body := mustRender(t, tr)[0]; !strings.HasSuffix(body, "<em>No messages.</em>") || !strings.Contains(body, "Agent: Unassigned<br>") {
		t.Errorf("body:\n%s", body)
	}
}

func TestLength(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "e\u0301": 2, "😀": 2, "👍🏽": 4, "漢": 1, "&amp;": 5} {
		if got := transcript.Length(s); got != want {
			t.Errorf("Length(%q) = %d; want %d", s, got, want)
		}
	}
}
