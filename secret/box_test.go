package secret

import (
	"bytes"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	b, err := NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	const tok = "na1-2b3c-refresh-token"
	s1, _ := b.Seal(tok, "hubspot:refresh:ws_1")
	s2, _ := b.Seal(tok, "hubspot:refresh:ws_1")
	if s1 == s2 || strings.Contains(s1, tok) {
		t.Fatalf("ciphertexts must be random and not contain the plaintext: %q %q", s1, s2)
	}
	if got, err := b.Open(s1, "hubspot:refresh:ws_1"); err != nil || got != tok {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, 32))
	for name, f := range map[string]func() (string, error){
		"wrong key":     func() (string, error) { return other.Open(s1, "hubspot:refresh:ws_1") },
		"wrong context": func() (string, error) { return b.Open(s1, "hubspot:refresh:ws_2") },
		"altered":       func() (string, error) { return b.Open(s1[:len(s1)-4]+"AAAA", "hubspot:refresh:ws_1") },
		"not sealed":    func() (string, error) { return b.Open(tok, "hubspot:refresh:ws_1") },
	} {
		if _, err := f(); err != ErrDecrypt {
			t.Errorf("%s: err = %v; want ErrDecrypt", name, err)
		}
	}
	if _, err := NewBox([]byte("short")); err == nil {
		t.Error("NewBox accepted a short key")
	}
}
