// Package secret encrypts secrets at rest (HubSpot tokens) with AES-256-GCM under the ENCRYPTION_KEY.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrDecrypt is returned for a ciphertext that was not sealed with this key and context, or was altered.
var ErrDecrypt = errors.New("secret: cannot decrypt (wrong key, wrong context or altered data)")

// Box seals and opens secrets with one key.
type Box struct {
	aead  cipher.AEAD
	keyID []byte
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(key)
	return &Box{aead: aead, keyID: sum[:]}, nil
}

// Seal encrypts plaintext bound to context (e.g. "hubspot:refresh:ws_1"): a ciphertext copied to another row
// does not open there. The result is "v1:" + base64(nonce || ciphertext). Empty plaintext seals to "".
func (b *Box) Seal(plaintext, context string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: seal: %w", err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return "v1:" + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a Seal result made with the same context.
func (b *Box) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if len(sealed) < 3 || sealed[:3] != "v1:" {
		return "", ErrDecrypt
	}
	raw, err := base64.StdEncoding.DecodeString(sealed[3:])
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrDecrypt
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(plain), nil
}

// KeyID returns a fingerprint of the key (SHA-256 of it), for deriving other keys; it reveals nothing usable.
func (b *Box) KeyID() []byte { return b.keyID }
