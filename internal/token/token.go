// Package token makes and recognizes merchant API tokens.
//
// A token is "vgt_" followed by 32 base62 characters (about 190 bits from
// crypto/rand). The prefix makes a leaked token easy to recognize (secret
// scanners, logs) and guarantees a non-digit, which is how the router tells a
// token from a record id in a path. Only the SHA-256 of a token is stored:
// tokens are random and long, so a fast hash is enough; a slow password hash
// would only slow every request down.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Prefix starts every token vatgate issues.
const Prefix = "vgt_"

const (
	alphabet   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	randomLen  = 32
	tokenLen   = len(Prefix) + randomLen
	redactKeep = 4
)

// New returns a fresh random token.
func New() string {
	b := make([]byte, randomLen)
	buf := make([]byte, 1)
	for i := 0; i < randomLen; {
		if _, err := rand.Read(buf); err != nil {
			panic("token: crypto/rand failed: " + err.Error()) // never happens on supported platforms
		}
		if buf[0] >= 248 { // 248 = 4*62: reject to keep the distribution uniform
			continue
		}
		b[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return Prefix + string(b)
}

// Hash is what the store keeps and looks tokens up by.
func Hash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Redact shows a token the way logs and listings may: its prefix and last
// four characters ("vgt_…a1B2"). Anything shorter than a real token is
// shown as "…" so that no guess of a short token leaks either.
func Redact(tok string) string {
	if len(tok) < 12 {
		return "…"
	}
	head := tok[:len(Prefix)]
	if !strings.HasPrefix(tok, Prefix) {
		head = ""
	}
	return head + "…" + tok[len(tok)-redactKeep:]
}

// LooksLikeToken reports whether s could be a token vatgate issued. It is a
// cheap filter, not an authentication.
func LooksLikeToken(s string) bool {
	if len(s) != tokenLen || !strings.HasPrefix(s, Prefix) {
		return false
	}
	for i := len(Prefix); i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
