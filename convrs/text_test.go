package convrs_test

import (
	"strings"
	"testing"

	"github.com/convrs/gateway/convrs"
)

func TestValidText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		want     string // "" for valid, else a part of the message
	}{
		{"plain", "Hello", 5, ""},
		{"runes not bytes", strings.Repeat("é", 5), 5, ""},
		{"empty", "", 5, ""},
		{"one too many", "Hello!", 5, "too long: 6 characters, 5 at most"},
		{"NUL", "a\x00b", 10, "NUL"},
		{"invalid UTF-8", "a\xffb", 10, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := convrs.ValidText("subject", tc.in, tc.max)
			switch {
			case tc.want == "" && e != nil:
				t.Errorf("ValidText(%q) = %v, want nil", tc.in, e)
			case tc.want != "" && (e == nil || e.Code != convrs.EINVALID || e.Field != "subject" || !strings.Contains(e.Message, tc.want)):
				t.Errorf("ValidText(%q) = %+v, want EINVALID for subject saying %q", tc.in, e, tc.want)
			}
		})
	}
}
