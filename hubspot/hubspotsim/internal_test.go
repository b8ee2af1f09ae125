package hubspotsim

import (
	"testing"
	"time"
)

func TestSanitizeHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain &amp; text<br>next", "plain &amp; text<br>next"},
		{`<p class="x">Hi <b>there</b></p>`, `<p class="x">Hi <b>there</b></p>`},
		{`a<script>alert(1)</script>b`, `ab`},
		{`a<SCRIPT type="text/javascript">x()</SCRIPT >b`, `ab`},
		{`<img src=x onerror=alert(1)>`, `<img src="x">`},
		{`<a href="javascript:alert(1)" title='t'>x</a>`, `<a title="t">x</a>`},
		{`<a href=" jav&#x09;ascript:alert(1)">x</a>`, `<a>x</a>`},
		{`<a href="https://example.com/?a=1&amp;b=2">x</a>`, `<a href="https://example.com/?a=1&amp;b=2">x</a>`},
		{`<div onclick="x()" ONMOUSEOVER='y()'>d</div>`, `<div>d</div>`},
		{`<iframe src="https://evil"></iframe>ok`, `ok`},
		{`<style>body{}</style><p style="color:red">r</p>`, `<p style="color:red">r</p>`},
		{`1 < 2 and 3 > 2`, `1 &lt; 2 and 3 > 2`},
		{`<!-- c --><br/>`, `<br />`},
		{`<svg onload="x()"><script>y()</script></svg>`, `<svg></svg>`},
		{`unterminated <b`, `unterminated &lt;b`},
	} {
		if got := sanitizeHTML(tc.in); got != tc.want {
			t.Errorf("sanitizeHTML(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchableNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ raw, region, want string }{
		{"+447911123456", "US", "7911123456"},
		{"+44 (0)7911 123456", "US", "7911123456"},
		{"07911 123456", "GB", "7911123456"},
		{"+1 415 555 0134", "GB", "4155550134"},
		{"(415) 555-0134", "US", "4155550134"},
		{"020 7946 0958", "GB", "2079460958"},
		{"020 7946 0958", "US", "2079460958"}, // not a US number: best effort without the trunk 0
		{"+447700900123", "US", "7700900123"},
		{"+46701234567", "US", "701234567"},
		{"+390612345678", "US", "0612345678"}, // Italy keeps its leading 0: it is part of the national number
		{"", "US", ""},
		{"n/a", "US", ""},
	} {
		if got := searchableNumber(tc.raw, tc.region); got != tc.want {
			t.Errorf("searchableNumber(%q, %s) = %q, want %q", tc.raw, tc.region, got, tc.want)
		}
	}
}

func TestParseTimeValue(t *testing.T) {
	t.Parallel()
	want := time.Date(2021, 11, 12, 15, 48, 22, 0, time.UTC)
	for _, in := range []string{"2021-11-12T15:48:22Z", "2021-11-12T15:48:22.000Z", "2021-11-12T16:48:22+01:00", "1636732102000"} {
		if got, ok := parseTimeValue(in); !ok || !got.Equal(want) {
			t.Errorf("parseTimeValue(%q) = %v, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "yesterday", "12/11/2021"} {
		if _, ok := parseTimeValue(in); ok {
			t.Errorf("parseTimeValue(%q) accepted", in)
		}
	}
}

func TestContainsToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stored, pattern string
		want            bool
	}{
		{"alice@example.com", "*@example.com", true},
		{"alice@example.com", "alice", true},
		{"alice@example.com", "ali*", true},
		{"alice@example.com", "lice", false},
		{"Mary-Jane Watson", "jane", true},
		{"Mary-Jane Watson", "WATSON", true},
		{"a/b", "a/*", true},
		{"x", "", false},
	} {
		if got := containsToken(tc.stored, tc.pattern); got != tc.want {
			t.Errorf("containsToken(%q, %q) = %v", tc.stored, tc.pattern, got)
		}
	}
}
