package ident

import (
	"strings"
	"testing"

	"github.com/apnet/apnet/internal/apierr"
)

// checkErr asserts err is a BAD_USER_INPUT *apierr.Error on field whose
// message mentions every fragment (what is wrong and the right form).
func checkErr(t *testing.T, err error, field string, fragments ...string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *apierr.Error", err, err)
	}
	if e.Code != apierr.BadUserInput {
		t.Errorf("code = %s, want %s", e.Code, apierr.BadUserInput)
	}
	if e.Field != field {
		t.Errorf("field = %q, want %q", e.Field, field)
	}
	for _, f := range fragments {
		if !strings.Contains(e.Message, f) {
			t.Errorf("message %q does not mention %q", e.Message, f)
		}
	}
}

// Rule: UPN check letter: multiply characters 2–13 by weights 2–13, sum,
// take mod 23 and map onto ABCDEFGHJKLMNPQRTUVWXYZ; a letter in position 13
// (temporary UPN) has the value of its index in that alphabet.
func TestUPNCheckLetter(t *testing.T) {
	tests := []struct {
		name string
		body string
		want byte
	}{
		{"DOMAIN.md example: sum 93, 93 mod 23 = 1 → B", "801200005001", 'B'},
		{"Nottingham City LA 892: sum 192 mod 23 = 8 → J (I skipped)", "892123424001", 'J'},
		{"all zeros → index 0 → A", "000000000000", 'A'},
		{"all nines: sum 810 mod 23 = 5 → F", "999999999999", 'F'},
		{"temporary UPN: A in position 13 has value 0 → sum 179 → V", "89212342400A", 'V'},
		{"temporary UPN: Z in position 13 has value 22 → sum 465 → F", "89212342400Z", 'F'},
		{"temporary UPN: T in position 13 has value 16 (S skipped) → U", "89240011200T", 'U'},
		{"lowercase temporary letter is accepted", "89212342400a", 'V'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UPNCheckLetter(tt.body)
			if err != nil {
				t.Fatalf("UPNCheckLetter(%q): %v", tt.body, err)
			}
			if got != tt.want {
				t.Errorf("UPNCheckLetter(%q) = %c, want %c", tt.body, got, tt.want)
			}
		})
	}
}

func TestUPNCheckLetterRejectsBadBody(t *testing.T) {
	for _, body := range []string{
		"",
		"80120000500",   // 11 chars
		"8012000050011", // 13 chars
		"8012000X5001",  // letter before position 13
		"80120000500I",  // UPN alphabet never uses I
		"80120000500O",  // ... nor O
		"80120000500S",  // ... nor S
		"80120000500-",  // punctuation
	} {
		_, err := UPNCheckLetter(body)
		if err == nil {
			t.Errorf("UPNCheckLetter(%q) succeeded, want error", body)
			continue
		}
		checkErr(t, err, "upn", "expected 12 characters")
	}
	if c, err := UPNCheckLetter(" 801200005001 "); err != nil || c != 'B' {
		t.Errorf("UPNCheckLetter with surrounding spaces = %c, %v; want B", c, err)
	}
}

// Every generated UPN must pass NormalizeUPN: demo data relies on this.
func TestUPNCheckLetterRoundTrip(t *testing.T) {
	for _, body := range []string{"801200005001", "892123424001", "89212342400A", "89240011200T", "892400112005"} {
		c, err := UPNCheckLetter(body)
		if err != nil {
			t.Fatal(err)
		}
		upn := string(c) + body
		if got, err := NormalizeUPN(upn); err != nil || got != upn {
			t.Errorf("NormalizeUPN(%q) = %q, %v", upn, got, err)
		}
		// Rule: UPN check letter detects any single changed digit, since
		// weights 2..13 are all non-zero mod 23 (23 is prime).
		for i := 1; i < 12; i++ {
			d := (upn[i]-'0'+1)%10 + '0'
			bad := upn[:i] + string(d) + upn[i+1:]
			if _, err := NormalizeUPN(bad); err == nil {
				t.Errorf("NormalizeUPN(%q) accepted a UPN with character %d changed", bad, i+1)
			}
		}
	}
}

func TestNormalizeUPN(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"DOMAIN.md example B801200005001 is valid", "B801200005001", "B801200005001"},
		{"trimmed and uppercased", "  b801200005001\t", "B801200005001"},
		{"Nottingham City UPN (LA 892)", "J892123424001", "J892123424001"},
		{"temporary UPN: letter in position 13", "V89212342400A", "V89212342400A"},
		{"temporary UPN lowercase", "v89212342400a", "V89212342400A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeUPN(tt.in)
			if err != nil {
				t.Fatalf("NormalizeUPN(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeUPN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeUPNRejects(t *testing.T) {
	tests := []struct {
		name, in  string
		fragments []string
	}{
		{"DOMAIN.md: A801200005001 has the wrong check letter", "A801200005001",
			[]string{`"A801200005001"`, "check letter A does not match"}},
		{"UPN alphabet never uses I, so I cannot be a check letter", "I801200005001",
			[]string{"check letter I does not match"}},
		{"empty", "", []string{"0 characters", "13 characters"}},
		{"12 characters", "B80120000500", []string{"12 characters", "B801200005001"}},
		{"14 characters", "B8012000050011", []string{"14 characters"}},
		{"internal space is not trimmed", "B8012 0005001", []string{"character 6 must be a digit"}},
		{"digit in position 1", "1801200005001", []string{"first character must be the check letter"}},
		{"letter in positions 2–12", "B80120000X001", []string{"character 10 must be a digit"}},
		{"UPN: position 13 letter O is not in the alphabet", "B80120000500O", []string{"last character", "other than I, O or S"}},
		{"UPN: position 13 letter S is not in the alphabet", "B80120000500S", []string{"other than I, O or S"}},
		{"punctuation in position 13", "B80120000500-", []string{"last character"}},
		{"non-ASCII character is counted as one", "B80120000500é", []string{"13 characters"}},
		{"long s does not uppercase to S", "ſ801200005001", []string{"only the letters A–Z and digits"}},
		{"temporary UPN with wrong check letter", "A89212342400A", []string{"check letter A does not match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeUPN(tt.in)
			if err == nil {
				t.Fatalf("NormalizeUPN(%q) = %q, want error", tt.in, got)
			}
			checkErr(t, err, "upn", tt.fragments...)
		})
	}
}

// Rule: Ofqual qualification number is written 603/2476/0 or 60324760, the
// last character can be X; accept both forms and store one (the slashed one).
func TestNormalizeQualificationNumber(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"slashed form kept", "603/2476/0", "603/2476/0"},
		{"unslashed form gains slashes", "60324760", "603/2476/0"},
		{"surrounding spaces trimmed", "  603/2476/0 ", "603/2476/0"},
		{"last character X", "500/1234/X", "500/1234/X"},
		{"last character lowercase x", "500/1234/x", "500/1234/X"},
		{"unslashed with x", "5001234x", "500/1234/X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeQualificationNumber(tt.in)
			if err != nil {
				t.Fatalf("NormalizeQualificationNumber(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeQualificationNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeQualificationNumberRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"603/2476",       // missing check character
		"6032476",        // 7 characters
		"603247601",      // 9 characters
		"603-2476-0",     // wrong separator
		"603/24760",      // half-slashed
		"6032/476/0",     // slashes in the wrong place
		"603/2476/Y",     // only X may replace the last digit
		"X03/2476/0",     // X only in the last position
		"6032476X0",      //
		"603 / 2476 / 0", // internal spaces are not a recognised form
	} {
		t.Run(in, func(t *testing.T) {
			got, err := NormalizeQualificationNumber(in)
			if err == nil {
				t.Fatalf("NormalizeQualificationNumber(%q) = %q, want error", in, got)
			}
			checkErr(t, err, "qualificationNumber", "is not an Ofqual qualification number", "603/2476/0", "60324760", "X")
		})
	}
}

// Rule: UK postcode = outward code (A9, A9A, A99, AA9, AA9A, AA99) + one
// space + inward code 9AA, whose letters exclude C I K M O V.
func TestNormalizePostcode(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"lowercase, no space", "ng72qq", "NG7 2QQ"},
		{"extra spaces everywhere", " NG7  2QQ ", "NG7 2QQ"},
		{"non-breaking space pasted from a document", "NG7\u00a02QQ", "NG7 2QQ"},
		{"tab", "NG7\t2QQ", "NG7 2QQ"},
		{"outward A9", "M1 1AE", "M1 1AE"},
		{"outward A9A", "W1A 0AX", "W1A 0AX"},
		{"outward A99", "B33 8TH", "B33 8TH"},
		{"outward AA9", "CR2 6XH", "CR2 6XH"},
		{"outward AA9A", "EC1A 1BB", "EC1A 1BB"},
		{"outward AA99", "DN55 1PT", "DN55 1PT"},
		{"Nottingham AA9", "ng1 5ds", "NG1 5DS"},
		{"inward letters may be any not in CIKMOV", "NG7 2ZZ", "NG7 2ZZ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePostcode(tt.in)
			if err != nil {
				t.Fatalf("NormalizePostcode(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizePostcode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizePostcodeRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"inward code too short", "NG7 2Q"},
		{"outward only", "NG7"},
		{"inward letter C excluded", "NG7 2CQ"},
		{"inward letter I excluded", "NG7 2QI"},
		{"inward letter K excluded", "NG7 2KQ"},
		{"inward letter M excluded", "NG7 2QM"},
		{"inward letter O excluded", "NG7 2OQ"},
		{"inward letter V excluded", "NG7 2QV"},
		{"inward must start with a digit", "NG7 QQQ"},
		{"inward digit then digit", "NG7 22Q"},
		{"outward AAA is not a shape", "NGG 2QQ"},
		{"outward 9A is not a shape", "7G 2QQ"},
		{"outward A999 is not a shape", "N777 2QQ"},
		{"outward AA9AA too long", "EC1AA 1BB"},
		{"punctuation", "NG7-2QQ"},
		{"non-ASCII letter", "NÉ7 2QQ"},
		{"long s does not uppercase to S", "ſW1A 1AA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePostcode(tt.in)
			if err == nil {
				t.Fatalf("NormalizePostcode(%q) = %q, want error", tt.in, got)
			}
			checkErr(t, err, "postcode", "is not a UK postcode", "NG7 2QQ")
		})
	}
}

func TestPostcodeErrorMessage(t *testing.T) {
	_, err := NormalizePostcode(" NG7 2Q ")
	e, _ := apierr.As(err)
	if want := `"NG7 2Q" is not a UK postcode (expected e.g. NG7 2QQ)`; e == nil || e.Message != want {
		t.Errorf("message = %v, want %q", err, want)
	}
}

// Rule: the outward code (area + district, e.g. NG7) is everything before
// the space.
func TestPostcodeOutward(t *testing.T) {
	tests := []struct{ in, want string }{
		{"NG7 2QQ", "NG7"},
		{"EC1A 1BB", "EC1A"},
		{"M1 1AE", "M1"},
		{"DN55 1PT", "DN55"},
		{"ng72qq", "NG7"}, // tolerated: normalised first
		{"NG7 2Q", ""},    // not a postcode
		{"NG7", ""},       // a district alone is not a postcode
		{"", ""},
	}
	for _, tt := range tests {
		if got := PostcodeOutward(tt.in); got != tt.want {
			t.Errorf("PostcodeOutward(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Rule: a postcode district alone is an outward code: A9, A9A, A99, AA9,
// AA9A or AA99.
func TestNormalizeOutward(t *testing.T) {
	for in, want := range map[string]string{
		"NG7": "NG7", "ng7": "NG7", " ng 7 ": "NG7", "M1": "M1", "W1A": "W1A",
		"B33": "B33", "EC1A": "EC1A", "DN55": "DN55",
	} {
		got, err := NormalizeOutward(in)
		if err != nil || got != want {
			t.Errorf("NormalizeOutward(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "NG", "7", "NGG7", "N777", "NG7 2QQ", "ng72qq", "NG-7"} {
		got, err := NormalizeOutward(in)
		if err == nil {
			t.Errorf("NormalizeOutward(%q) = %q, want error", in, got)
			continue
		}
		checkErr(t, err, "postcode", "is not a UK postcode district", "NG7")
	}
}

// Rule: a school's DfE URN is 6 digits.
func TestValidateURN(t *testing.T) {
	for in, want := range map[string]string{"100000": "100000", " 123456 ": "123456", "012345": "012345"} {
		got, err := ValidateURN(in)
		if err != nil || got != want {
			t.Errorf("ValidateURN(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "1234567", "12345A", "12 345", "-12345", "１２３４５６"} {
		got, err := ValidateURN(in)
		if err == nil {
			t.Errorf("ValidateURN(%q) = %q, want error", in, got)
			continue
		}
		checkErr(t, err, "urn", "is not a DfE URN", "6 digits")
	}
}

// Rule: a provider's Ofsted URN is 6 or 7 digits, or EY (early years and
// childcare) or SC (social care) and 6 digits; it is stored uppercase. It is
// not a DfE school URN (trial: a 7-digit Ofsted URN was refused as "not a
// DfE URN").
func TestValidateOfstedURN(t *testing.T) {
	for in, want := range map[string]string{"123456": "123456", "2567890": "2567890", " 1234567 ": "1234567",
		"EY123456": "EY123456", "ey123456": "EY123456", "SC654321": "SC654321", "sc654321\n": "SC654321"} {
		got, err := ValidateOfstedURN(in)
		if err != nil || got != want {
			t.Errorf("ValidateOfstedURN(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "12345678", "EY12345", "EY1234567", "XX123456", "E123456", "EY 123456",
		"12345A", "１２３４５６", "ＥY123456"} {
		got, err := ValidateOfstedURN(in)
		if err == nil {
			t.Errorf("ValidateOfstedURN(%q) = %q, want error", in, got)
			continue
		}
		checkErr(t, err, "urn", "is not an Ofsted URN", "EY123456")
	}
}

// Rule: a provider's UKPRN is 8 digits starting with 1.
func TestValidateUKPRN(t *testing.T) {
	for in, want := range map[string]string{"10012345": "10012345", " 10000001\n": "10000001", "19999999": "19999999"} {
		got, err := ValidateUKPRN(in)
		if err != nil || got != want {
			t.Errorf("ValidateUKPRN(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1001234", "100123456", "20012345", "00012345", "1001234A", "1001 2345"} {
		got, err := ValidateUKPRN(in)
		if err == nil {
			t.Errorf("ValidateUKPRN(%q) = %q, want error", in, got)
			continue
		}
		checkErr(t, err, "ukprn", "is not a UKPRN", "8 digits starting with 1")
	}
}
