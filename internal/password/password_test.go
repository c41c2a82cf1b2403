package password

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/apnet/apnet/internal/apierr"
)

// cheap keeps the suite fast; TestProductionParameters pins the real ones.
var cheap = params{memory: 256, time: 1, threads: 1, saltLen: 16, keyLen: 32}

func TestMain(m *testing.M) {
	current = cheap
	os.Exit(m.Run())
}

// withParams runs f with Hash using p, restoring the cheap set after.
func withParams(t *testing.T, p params, f func()) {
	t.Helper()
	current = p
	defer func() { current = cheap }()
	f()
}

func TestProductionParameters(t *testing.T) {
	want := params{memory: 19456, time: 2, threads: 1, saltLen: 16, keyLen: 32}
	if production != want {
		t.Fatalf("production params = %+v, want %+v", production, want)
	}
	enc := encode(production, make([]byte, 16), make([]byte, 32))
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("encoded = %q", enc)
	}
	p, salt, key, err := decode(enc)
	if err != nil || p != production || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("decode = %+v, %d, %d, %v", p, len(salt), len(key), err)
	}
}

func TestRoundTripAndWrongPassword(t *testing.T) {
	enc, err := Hash("pässwörd-long-enough")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=256,t=1,p=1" {
		t.Fatalf("encoded = %q", enc)
	}
	if ok, err := Verify("pässwörd-long-enough", enc); !ok || err != nil {
		t.Fatalf("right password: %v, %v", ok, err)
	}
	for _, wrong := range []string{"", "pässwörd-long-enougH", "pässwörd-long-enough ", "passwörd-long-enough"} {
		if ok, err := Verify(wrong, enc); ok || err != nil {
			t.Fatalf("wrong password %q: %v, %v", wrong, ok, err)
		}
	}
	again, _ := Hash("pässwörd-long-enough")
	if again == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestTamperedHash(t *testing.T) {
	const pw = "a long enough password"
	enc, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$")
	flip := func(s string) string { // change one base64 character
		b := []byte(s)
		if b[3] == 'A' {
			b[3] = 'B'
		} else {
			b[3] = 'A'
		}
		return string(b)
	}
	join := func(p ...string) string { return strings.Join(p, "$") }

	// Well-formed but altered: a mismatch, not an error.
	for name, s := range map[string]string{
		"key":    join("", parts[1], parts[2], parts[3], parts[4], flip(parts[5])),
		"salt":   join("", parts[1], parts[2], parts[3], flip(parts[4]), parts[5]),
		"params": join("", parts[1], parts[2], "m=256,t=2,p=1", parts[4], parts[5]),
	} {
		if ok, err := Verify(pw, s); ok || err != nil {
			t.Errorf("%s tampered: %v, %v", name, ok, err)
		}
	}

	// Malformed or out of range: ErrMalformed, never a panic or a huge allocation.
	for name, s := range map[string]string{
		"empty":          "",
		"argon2i":        join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"version 16":     join("", parts[1], "v=16", parts[3], parts[4], parts[5]),
		"params order":   join("", parts[1], parts[2], "t=1,m=256,p=1", parts[4], parts[5]),
		"t=0":            join("", parts[1], parts[2], "m=256,t=0,p=1", parts[4], parts[5]),
		"p=0":            join("", parts[1], parts[2], "m=256,t=1,p=0", parts[4], parts[5]),
		"m too small":    join("", parts[1], parts[2], "m=7,t=1,p=1", parts[4], parts[5]),
		"m 4 GiB":        join("", parts[1], parts[2], "m=4194304,t=1,p=1", parts[4], parts[5]),
		"t huge":         join("", parts[1], parts[2], "m=256,t=100000,p=1", parts[4], parts[5]),
		"p 256":          join("", parts[1], parts[2], "m=4096,t=1,p=256", parts[4], parts[5]),
		"negative":       join("", parts[1], parts[2], "m=-256,t=1,p=1", parts[4], parts[5]),
		"bad base64":     join("", parts[1], parts[2], parts[3], parts[4], parts[5][:10]+"!"+parts[5][11:]),
		"padded base64":  join("", parts[1], parts[2], parts[3], parts[4], parts[5]+"="),
		"short key":      join("", parts[1], parts[2], parts[3], parts[4], parts[5][:8]),
		"short salt":     join("", parts[1], parts[2], parts[3], "AAAA", parts[5]),
		"missing field":  join("", parts[1], parts[2], parts[3], parts[5]),
		"trailing field": enc + "$",
	} {
		ok, err := Verify(pw, s)
		if ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, %v; want ErrMalformed", name, ok, err)
		}
		if !NeedsRehash(s) {
			t.Errorf("%s: NeedsRehash false for malformed hash", name)
		}
	}
}

// Verify takes the cost from the string, so hashes made before a parameter
// change still verify.
func TestParamsParsedFromHash(t *testing.T) {
	other := params{memory: 512, time: 2, threads: 2, saltLen: 24, keyLen: 48}
	var enc string
	withParams(t, other, func() {
		var err error
		if enc, err = Hash("another long password"); err != nil {
			t.Fatal(err)
		}
	})
	p, salt, key, err := decode(enc)
	if err != nil || p != other || len(salt) != 24 || len(key) != 48 {
		t.Fatalf("decode = %+v, %d, %d, %v", p, len(salt), len(key), err)
	}
	if !strings.Contains(enc, "$m=512,t=2,p=2$") {
		t.Fatalf("encoded = %q", enc)
	}
	if ok, err := Verify("another long password", enc); !ok || err != nil {
		t.Fatalf("Verify under other current params: %v, %v", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	enc, err := Hash("rehash me if you can")
	if err != nil {
		t.Fatal(err)
	}
	if NeedsRehash(enc) {
		t.Fatal("hash with current params needs rehash")
	}
	for _, p := range []params{
		{memory: 512, time: 1, threads: 1, saltLen: 16, keyLen: 32}, // cost raised
		{memory: 256, time: 2, threads: 1, saltLen: 16, keyLen: 32},
		{memory: 256, time: 1, threads: 2, saltLen: 16, keyLen: 32},
		{memory: 256, time: 1, threads: 1, saltLen: 32, keyLen: 32},
		{memory: 256, time: 1, threads: 1, saltLen: 16, keyLen: 64},
		{memory: 128, time: 1, threads: 1, saltLen: 16, keyLen: 32}, // cost lowered
	} {
		withParams(t, p, func() {
			if !NeedsRehash(enc) {
				t.Errorf("params %+v: old hash does not need rehash", p)
			}
		})
	}
	if !NeedsRehash(encode(production, make([]byte, 16), make([]byte, 32))) {
		t.Fatal("production-param hash does not need rehash under the test params")
	}
}

func TestDummyVerifyMatchesCurrentCost(t *testing.T) {
	p, _, _, err := decode(dummyHash())
	if err != nil || p != current {
		t.Fatalf("dummy hash params = %+v, %v; want %+v", p, err, current)
	}
	withParams(t, production, func() {
		if p, _, _, _ := decode(dummyHash()); p != production {
			t.Fatalf("dummy hash under production = %+v", p)
		}
	})
	DummyVerify("whatever")

}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		pw   string
		ok   bool
	}{
		{"empty", "", false},
		{"11 ASCII", "abcdefghijk", false},
		{"12 ASCII", "abcdefghijkl", true},
		{"11 two-byte runes (22 bytes)", "éèêëàâäôöûü", false},
		{"12 two-byte runes", "éèêëàâäôöûüç", true},
		{"11 four-byte runes (44 bytes)", fruit(11), false},
		{"12 four-byte runes", fruit(12), true},
		{"only spaces", "            ", false},
		{"1024 bytes", varied(1024), true},
		{"1025 bytes", varied(1025), false},
		{"256 four-byte runes = 1024 bytes", fruit(256), true},
		{"257 four-byte runes = 1028 bytes", fruit(257), false},
	} {
		err := Validate(tc.pw)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		e, isAPI := apierr.As(err)
		if !isAPI || e.Code != apierr.BadUserInput || e.Field != "password" {
			t.Errorf("%s: err = %#v, want BAD_USER_INPUT on password", tc.name, err)
		}
	}
	if err := Validate(strings.Repeat("é", 11)); err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
		t.Errorf("short message = %v", err)
	}
	if err := Validate(strings.Repeat("a", 1025)); err == nil || !strings.Contains(err.Error(), "at most 1024 bytes") {
		t.Errorf("long message = %v", err)
	}
}

// NIST SP 800-63B: length (not counting surrounding spaces) and a check
// against predictable values.
func TestValidateRefusesPredictable(t *testing.T) {
	for _, pw := range []string{"            ", "  short one  ", "aaaaaaaaaaaa", "passwordpassword", "abcabcabcabc", "Password1234"} {
		if Validate(pw) == nil {
			t.Errorf("%q accepted", pw)
		}
	}
	for _, pw := range []string{"correct horse battery", "Trent-bridge-1838", "pass word pass"} {
		if err := Validate(pw); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
}

// fruit is n four-byte runes cycling through twelve, so no short unit repeats exactly.
func fruit(n int) string {
	r := []rune("🍎🍐🍊🍋🍌🍉🍇🍓🍈🍒🍑🥭")
	out := make([]rune, n)
	for i := range out {
		out[i] = r[i%len(r)]
	}
	return string(out)
}

// varied is n ASCII bytes of counting numbers: long, and no repeated pattern.
func varied(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()[:n]
}
