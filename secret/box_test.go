package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
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

// Tokens sealed by earlier versions (v1: AES-GCM under the master key itself) still open.
func TestOpenV1(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	v1 := "v1:" + base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte("old-refresh"), []byte("hubspot:refresh:ws_1")))
	if got, err := b.Open(v1, "hubspot:refresh:ws_1"); err != nil || got != "old-refresh" {
		t.Fatalf("Open(v1) = %q, %v", got, err)
	}
	if _, err := b.Open(v1, "hubspot:refresh:ws_2"); err != ErrDecrypt {
		t.Errorf("a v1 value opened under another context: %v", err)
	}
	// New values are v2, under a derived key: the master key alone (as v1 used it) does not open them.
	s, _ := b.Seal("new-refresh", "hubspot:refresh:ws_1")
	if !strings.HasPrefix(s, "v2:") {
		t.Fatalf("Seal = %q, want v2:", s)
	}
	raw, _ := base64.StdEncoding.DecodeString(s[3:])
	if _, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte("hubspot:refresh:ws_1")); err == nil {
		t.Error("a v2 value opens with the master key itself")
	}
}

// Purpose keys are independent of each other and of the master key, and stable for one master key.
func TestDeriveKey(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	b, _ := NewBox(key)
	again, _ := NewBox(key)
	other, _ := NewBox(bytes.Repeat([]byte{8}, 32))
	seal, state := b.DeriveKey(PurposeSeal), b.DeriveKey(PurposeOAuthState)
	sum := sha256.Sum256(key)
	for name, k := range map[string][]byte{"master key": key, "SHA-256 of the master key": sum[:], "seal key": seal, "other master's state key": other.DeriveKey(PurposeOAuthState)} {
		if bytes.Equal(state, k) {
			t.Errorf("the OAuth state key equals the %s", name)
		}
	}
	if len(state) != 32 || !bytes.Equal(state, again.DeriveKey(PurposeOAuthState)) {
		t.Errorf("the OAuth state key is %d bytes or differs between boxes of the same master key", len(state))
	}
}
