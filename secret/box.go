// Package secret encrypts secrets at rest (HubSpot tokens) with AES-256-GCM and derives the other keys the
// gateway needs, all from the one ENCRYPTION_KEY.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrDecrypt is returned for a ciphertext that was not sealed with this key and context, or was altered.
var ErrDecrypt = errors.New("secret: cannot decrypt (wrong key, wrong context or altered data)")

// Purposes of the keys derived from the master key. Each purpose gets an independent key: knowing one (or a
// ciphertext made with one) says nothing about the master key or the others.
const (
	PurposeSeal       = "convrs/seal/v2"
	PurposeOAuthState = "convrs/oauth-state/v1"
)

// Box seals and opens secrets with one master key.
type Box struct {
	master []byte
	// v2 seals with a key derived by HKDF; v1 (the master key itself) only opens what older versions sealed.
	v2, v1 cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret: key must be 32 bytes, got %d", len(key))
	}
	b := &Box{master: append([]byte(nil), key...)}
	var err error
	if b.v1, err = newGCM(key); err != nil {
		return nil, err
	}
	if b.v2, err = newGCM(b.DeriveKey(PurposeSeal)); err != nil {
		return nil, err
	}
	return b, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return cipher.NewGCM(block)
}

// DeriveKey returns a 32-byte key for purpose, derived from the master key with HKDF-SHA256.
func (b *Box) DeriveKey(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, b.master, nil, purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce; 32 bytes of SHA-256 always works
	}
	return k
}

// Seal encrypts plaintext bound to context (e.g. "hubspot:refresh:ws_1"): a ciphertext copied to another row
// does not open there. The result is "v2:" + base64(nonce || ciphertext). Empty plaintext seals to "".
func (b *Box) Seal(plaintext, context string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, b.v2.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: seal: %w", err)
	}
	out := b.v2.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return "v2:" + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a Seal result made with the same context. "v1:" values, sealed by earlier versions with the
// master key itself, still open; they are sealed again as v2 the next time they are written (a token refresh
// or a reconnect), so no migration step is needed.
func (b *Box) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if len(sealed) < 3 {
		return "", ErrDecrypt
	}
	var aead cipher.AEAD
	switch sealed[:3] {
	case "v2:":
		aead = b.v2
	case "v1:":
		aead = b.v1
	default:
		return "", ErrDecrypt
	}
	raw, err := base64.StdEncoding.DecodeString(sealed[3:])
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrDecrypt
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(plain), nil
}
