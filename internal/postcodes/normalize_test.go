package postcodes

import (
	"testing"

	"github.com/apnet/apnet/internal/ident"
)

// The files write postcodes in forms people rarely type (unspaced, padded to
// 7 or 8 characters); Parse relies on ident.NormalizePostcode, the one
// postcode rule, accepting all of them and rejecting what is not a postcode.
func TestNormalizeFileForms(t *testing.T) {
	normalize := func(s string) (string, bool) {
		p, err := ident.NormalizePostcode(s)
		return p, err == nil
	}
	valid := map[string]string{
		"NG7 2QQ":    "NG7 2QQ",
		"ng7 2qq":    "NG7 2QQ",
		"NG72QQ":     "NG7 2QQ",
		" NG7 2QQ ":  "NG7 2QQ",
		"B1  1AA":    "B1 1AA", // Code-Point / pcd 7-character padding
		"NG101AA":    "NG10 1AA",
		"EC1A1BB":    "EC1A 1BB",
		"EC1A 1BB":   "EC1A 1BB",
		"W1A 0AX":    "W1A 0AX",
		"M1 1AE":     "M1 1AE",
		"M34 3AB":    "M34 3AB",
		"DN55 1PT":   "DN55 1PT",
		"BT1 1AA":    "BT1 1AA",
		"NG1\t1AA":   "NG1 1AA",
		"CA8  7JG":   "CA8 7JG", // ONSPD pcd8 form
		"ng1   1aa ": "NG1 1AA",
	}
	for in, want := range valid {
		got, ok := normalize(in)
		if !ok || got != want {
			t.Errorf("normalize(%q) = %q, %v; want %q, true", in, got, ok, want)
		}
	}

	invalid := []string{
		"",
		"NG7",
		"NG7 2Q",
		"NG7 2QC",     // C never used in the inward code
		"NG7 2IA",     // nor I
		"NG7 2AK",     // nor K
		"NG7 2MA",     // nor M
		"NG7 2AO",     // nor O
		"NG7 2VA",     // nor V
		"NG7 AQQ",     // inward starts with a digit
		"1G7 2QQ",     // area is letters
		"NGG7 2QQ",    // AAA9 is not an outward shape
		"N 2QQ",       // outward needs a digit
		"NG1AB 1AA",   // too long
		"NG7-2QQ",     // punctuation is not tidied away
		"NG7 2QQ X",   // trailing junk
		"GIR 0AA",     // Girobank's special code does not fit the rule
		"NG7 2QQ\x00", // control characters are not whitespace
	}
	for _, in := range invalid {
		if got, ok := normalize(in); ok {
			t.Errorf("normalize(%q) = %q, true; want invalid", in, got)
		}
	}
}
