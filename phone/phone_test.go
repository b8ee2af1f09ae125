package phone

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, region, want string
	}{
		{"+44 7911 123456", "US", "+447911123456"},
		{"07700 900123", "GB", "+447700900123"},
		{"+1 (415) 555-0134", "GB", "+14155550134"},
		{"(415) 555-0134", "US", "+14155550134"},
		{"0044 20 7946 0958", "US", "+442079460958"},
		{"020 7946 0958", "gb", "+442079460958"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.raw, tt.region)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "   ", "hello", "123", "+44 12", "07911 123456 999999"} {
		if got, err := Parse(raw, "GB"); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %q, %v; want ErrInvalid", raw, got, err)
		}
	}
}

func TestNationalAndRegion(t *testing.T) {
	t.Parallel()
	if got := National("+447911123456"); got != "7911123456" {
		t.Errorf("National = %q", got)
	}
	if got := National("+14155550134"); got != "4155550134" {
		t.Errorf("National = %q", got)
	}
	if got := Region("+442079460958"); got != "GB" {
		t.Errorf("Region = %q", got)
	}
	if !ValidRegion("gb") || ValidRegion("XX") {
		t.Error("ValidRegion wrong")
	}
}
