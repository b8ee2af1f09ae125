package phone

import (
	"strings"
	"testing"
)

// FuzzParse: any text in any region is refused or read as E.164 without panicking; what is read is "+" and
// digits, reads back as itself, has a region and its national number among its digits; a valid number is a
// possible one.
func FuzzParse(f *testing.F) {
	for _, s := range [][2]string{{"+44 7911 123456", ""}, {"07911 123456", "GB"}, {"(415) 555-0134", "us"}, {"0044 20 7946 0958", "FR"},
		{"12345", "GB"}, {"+1 (800) FLOWERS", "US"}, {"٠٧٩١١١٢٣٤٥٦", "GB"}, {"+999 1", "ZZ"}, {"", ""}, {"00", "XX"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		e164, err := Parse(raw, region)
		valid, verr := ParseValid(raw, region)
		if verr == nil && (err != nil || valid != e164) {
			t.Fatalf("ParseValid(%q, %q) = %q but Parse = %q, %v", raw, region, valid, e164, err)
		}
		if err != nil {
			return
		}
		if len(e164) < 2 || e164[0] != '+' || strings.Trim(e164[1:], "0123456789") != "" {
			t.Fatalf("Parse(%q, %q) = %q: not E.164", raw, region, e164)
		}
		if again, err := Parse(e164, ""); err != nil || again != e164 {
			t.Fatalf("Parse(%q) = %q, %v: not stable", e164, again, err)
		}
		if n := National(e164); n == "" || !strings.HasSuffix(e164, n) {
			t.Fatalf("National(%q) = %q", e164, n)
		}
		if Region(e164) == "" {
			t.Fatalf("Region(%q) is empty", e164)
		}
	})
}
