package phone

import "testing"

// BenchmarkParse measures reading a typed number (every customer write and every phone match does it).
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("07911 123456", "GB"); err != nil {
			b.Fatal(err)
		}
	}
}
