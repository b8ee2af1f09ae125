package convrs

import "testing"

func TestCanonicalTimeZone(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Europe/London", "Europe/London", true},
		{"europe/london", "Europe/London", true},
		{" EUROPE/LONDON ", "Europe/London", true},
		{"america/new_york", "America/New_York", true},
		{"asia/kolkata", "Asia/Kolkata", true},
		{"utc", "UTC", true},
		{"Mars/Olympus", "", false},
		{"", "", false},
		{"Local", "", false},
		{"../etc/passwd", "", false},
	} {
		got, ok := CanonicalTimeZone(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CanonicalTimeZone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
