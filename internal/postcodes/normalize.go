package postcodes

import (
	"regexp"
	"strings"
)

// postcodeRE is the UK unit postcode shape after normalisation: outward code
// A9, A9A, A99, AA9, AA9A or AA99, one space, then an inward code of a digit
// and two letters other than C I K M O V (Royal Mail never uses those there).
// Kept identical to internal/ident's rule so the two can be merged.
var postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$`)

// normalize returns s as a canonical postcode ("NG7 2QQ") and whether it is
// one. Published files write postcodes unspaced ("NG72QQ"), padded to seven
// characters ("B1  1AA") or in lower case; since the inward code is always
// the last three characters, dropping all spaces and re-inserting one before
// them recovers the canonical form.
func normalize(s string) (string, bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 5 || len(s) > 7 {
		return "", false
	}
	s = s[:len(s)-3] + " " + s[len(s)-3:]
	if !postcodeRE.MatchString(s) {
		return "", false
	}
	return s, true
}
