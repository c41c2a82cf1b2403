// Package password hashes and checks account passwords with argon2id, stored
// as PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so the cost can be
// raised later without breaking existing hashes: Verify reads the parameters
// from the stored string, and NeedsRehash says when to re-hash on sign-in.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/apnet/apnet/internal/apierr"
)

// Length rules for new passwords. The minimum counts characters (runes), so
// a passphrase in any script is judged by what the user typed, not by its
// UTF-8 size; the maximum is in bytes because it bounds work and storage.
const (
	MinRunes = 12
	MaxBytes = 1024
)

// ErrMalformed means a stored hash could not be parsed or has parameters out
// of range. It points at a corrupt record, not a wrong password.
var ErrMalformed = errors.New("password: malformed hash")

// params are argon2id's cost and size settings.
type params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
	saltLen uint32
	keyLen  uint32
}

// production is OWASP's recommended argon2id setting (19 MiB, t=2, p=1):
// on a 2-core server a sign-in then costs tens of milliseconds, not a second
// and 64 MiB, so a burst of sign-ins cannot exhaust the machine.
var production = params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// current is what Hash uses and NeedsRehash compares with. Only tests change
// it, to keep the suite fast; production code never writes it.
var current = production

// Bounds on parameters read from a stored hash. A corrupt or hostile record
// must not make Verify allocate gigabytes, spin for minutes or panic inside
// argon2 (which panics on t=0 or p=0).
const (
	maxMemory  = 1 << 20 // KiB, i.e. 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

var b64 = base64.RawStdEncoding // PHC strings use unpadded standard base64.

// Validate checks a new password: long enough not counting surrounding
// spaces, and not a trivially guessable pattern (NIST SP 800-63B asks for
// length and a check against predictable values, not composition rules). It
// returns an apierr BAD_USER_INPUT error on the "password" field.
func Validate(pw string) error {
	if len(pw) > MaxBytes {
		return apierr.Invalid("password", "password must be at most %d bytes long", MaxBytes)
	}
	if utf8.RuneCountInString(strings.TrimSpace(pw)) < MinRunes {
		return apierr.Invalid("password", "password must be at least %d characters long, not counting spaces at either end", MinRunes)
	}
	if predictable(pw) {
		return apierr.Invalid("password", "password is too easy to guess: it repeats a short pattern or is a common password")
	}
	return nil
}

// predictable catches passwords made of a short repeated unit ("aaaaaaaaaaaa",
// "passwordpassword", "abcabcabcabc") and a few common long choices.
func predictable(pw string) bool {
	lower := strings.ToLower(strings.TrimSpace(pw))
	r := []rune(lower)
	for unit := 1; unit <= len(r)/2; unit++ {
		if len(r)%unit != 0 {
			continue
		}
		if strings.Repeat(string(r[:unit]), len(r)/unit) == lower {
			return true
		}
	}
	switch lower {
	case "123456789012", "qwertyuiopas", "password1234", "passw0rd1234", "letmein12345", "iloveyou1234", "welcome12345", "administrator":
		return true
	}
	return false
}

// Hash returns the PHC-format argon2id hash of pw with a fresh random salt.
// It does not apply Validate: call that first for passwords users choose.
func Hash(pw string) (string, error) {
	p := current
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	return encode(p, salt, key), nil
}

// Verify reports whether pw matches encoded. A wrong password is (false,
// nil); an unparseable or out-of-range hash is (false, ErrMalformed).
func Verify(pw, encoded string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// DummyVerify does the work of a Verify against a hash with the current
// parameters and discards the result. Call it when the account does not
// exist, so the response takes as long as a wrong password would and its
// timing does not reveal which emails have accounts.
func DummyVerify(pw string) {
	// Verifying a real string (rather than calling argon2 directly) keeps the
	// code path, and so the cost, the same as Verify's.
	_, _ = Verify(pw, dummyHash())
}

// dummyHash is a well-formed hash with the current parameters that no
// password matches in practice (an all-zero key).
func dummyHash() string {
	return encode(current, make([]byte, current.saltLen), make([]byte, current.keyLen))
}

// NeedsRehash reports whether encoded was made with other parameters than
// Hash uses now (or cannot be parsed), so the caller should re-hash the
// password it has just verified and store the new hash. Parameters that
// differ in either direction count, so lowering the cost also takes effect.
func NeedsRehash(encoded string) bool {
	p, _, _, err := decode(encoded)
	return err != nil || p != current
}

func encode(p params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses $argon2id$v=19$m=M,t=T,p=P$salt$key strictly: the fields in
// that order, decimal numbers, unpadded base64.
func decode(encoded string) (p params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrMalformed
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, ErrMalformed
	}
	m, okM := uintParam(kv[0], "m=", maxMemory)
	t, okT := uintParam(kv[1], "t=", maxTime)
	th, okP := uintParam(kv[2], "p=", 255)
	if !okM || !okT || !okP || t < 1 || th < 1 || m < 8*th {
		return p, nil, nil, ErrMalformed
	}
	salt, err1 := b64.Strict().DecodeString(parts[4])
	key, err2 := b64.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil ||
		len(salt) < minSaltLen || len(salt) > maxSaltLen || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, ErrMalformed
	}
	p = params{memory: m, time: t, threads: uint8(th), saltLen: uint32(len(salt)), keyLen: uint32(len(key))}
	return p, salt, key, nil
}

func uintParam(s, prefix string, limit uint64) (uint32, bool) {
	v, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > limit {
		return 0, false
	}
	return uint32(n), true
}
