// Package ident validates and normalises the identifiers apnet stores: UPNs,
// Ofqual qualification numbers, UK postcodes, DfE URNs, Ofsted URNs and UKPRNs. Every
// function returns the one canonical form we store, so equality checks and
// unique indexes work however the user typed the value. Errors are
// *apierr.Error (BAD_USER_INPUT) naming the input field.
package ident

import (
	"strings"
	"unicode/utf8"

	"github.com/apnet/apnet/internal/apierr"
)

// upnAlphabet maps check values 0..22 to letters; I, O and S are never used
// (DfE UPN specification).
const upnAlphabet = "ABCDEFGHJKLMNPQRTUVWXYZ"

// upperASCII uppercases a-z only. strings.ToUpper would turn some non-ASCII
// runes into ASCII letters (e.g. 'ſ' → 'S'), letting odd input validate.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

const upnForm = "expected 13 characters: a check letter, 11 digits, then a digit or letter, e.g. B801200005001"

// upnCheck computes the check letter for UPN characters 2..13.
// ok is false when body is not 11 digits followed by a digit or an
// alphabet letter.
func upnCheck(body string) (letter byte, ok bool) {
	if len(body) != 12 || !allDigits(body[:11]) {
		return 0, false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		c := body[i]
		var v int
		switch {
		case isDigit(c):
			v = int(c - '0')
		case i == 11:
			// Temporary UPN: the letter's value is its index in the alphabet.
			v = strings.IndexByte(upnAlphabet, c)
			if v < 0 {
				return 0, false
			}
		default:
			return 0, false
		}
		sum += v * (i + 2) // character n (2..13) has weight n
	}
	return upnAlphabet[sum%23], true
}

// UPNCheckLetter returns the check letter for the last 12 characters of a
// UPN (LA code, establishment number, year and serial), e.g. "801200005001"
// gives 'B'. Demo data uses it to generate valid UPNs.
func UPNCheckLetter(body12 string) (byte, error) {
	body := upperASCII(strings.TrimSpace(body12))
	c, ok := upnCheck(body)
	if !ok {
		return 0, apierr.Invalid("upn", "%q is not the body of a UPN (expected 12 characters: 11 digits, then a digit or letter, e.g. 801200005001)", body12)
	}
	return c, nil
}

// NormalizeUPN returns the UPN trimmed and uppercased, after checking its
// form and check letter.
func NormalizeUPN(s string) (string, error) {
	in := strings.TrimSpace(s)
	u := upperASCII(in)
	if n := utf8.RuneCountInString(u); n != 13 {
		return "", apierr.Invalid("upn", "%q is not a UPN: it has %d characters (%s)", in, n, upnForm)
	}
	if len(u) != 13 {
		return "", apierr.Invalid("upn", "%q is not a UPN: it may contain only the letters A–Z and digits (%s)", in, upnForm)
	}
	if !isLetter(u[0]) {
		return "", apierr.Invalid("upn", "%q is not a UPN: the first character must be the check letter (%s)", in, upnForm)
	}
	for i := 1; i < 12; i++ {
		if !isDigit(u[i]) {
			return "", apierr.Invalid("upn", "%q is not a UPN: character %d must be a digit (%s)", in, i+1, upnForm)
		}
	}
	want, ok := upnCheck(u[1:])
	if !ok {
		return "", apierr.Invalid("upn", "%q is not a UPN: the last character must be a digit, or a letter other than I, O or S for a temporary UPN (%s)", in, upnForm)
	}
	if u[0] != want {
		// Deliberately not revealing the right letter: a mismatch usually
		// means a mistyped digit, and "fixing" the letter would hide that.
		return "", apierr.Invalid("upn", "%q is not a valid UPN: the check letter %c does not match the rest of the number; check it was copied correctly", in, u[0])
	}
	return u, nil
}

// NormalizeQualificationNumber accepts an Ofqual qualification number as
// 603/2476/0 or 60324760 (final character a digit or X) and returns the
// slashed form.
func NormalizeQualificationNumber(s string) (string, error) {
	in := strings.TrimSpace(s)
	u := upperASCII(in)
	var flat string
	switch {
	case len(u) == 10 && u[3] == '/' && u[8] == '/':
		flat = u[:3] + u[4:8] + u[9:]
	case len(u) == 8:
		flat = u
	}
	if flat == "" || !allDigits(flat[:7]) || !(isDigit(flat[7]) || flat[7] == 'X') {
		return "", apierr.Invalid("qualificationNumber", "%q is not an Ofqual qualification number (expected e.g. 603/2476/0 or 60324760; the last character may be X)", in)
	}
	return flat[:3] + "/" + flat[3:7] + "/" + flat[7:], nil
}

// Outward code shapes (A = letter, 9 = digit): A9, A9A, A99, AA9, AA9A, AA99.
var outwardShapes = map[string]bool{
	"A9": true, "A9A": true, "A99": true, "AA9": true, "AA9A": true, "AA99": true,
}

func shape(s string) string {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
			b[i] = '9'
		case isLetter(s[i]):
			b[i] = 'A'
		default:
			b[i] = '?'
		}
	}
	return string(b)
}

func validOutward(s string) bool { return outwardShapes[shape(s)] }

// validInward checks 9AA; the unit letters never include C I K M O V.
func validInward(s string) bool {
	return len(s) == 3 && isDigit(s[0]) &&
		isLetter(s[1]) && isLetter(s[2]) &&
		!strings.ContainsAny(s[1:], "CIKMOV")
}

// squash removes all whitespace (including non-breaking spaces pasted from
// documents) and uppercases.
func squash(s string) string { return upperASCII(strings.Join(strings.Fields(s), "")) }

// NormalizePostcode returns a UK postcode in its written form: uppercase,
// outward and inward code separated by one space ("ng72qq" → "NG7 2QQ").
func NormalizePostcode(s string) (string, error) {
	u := squash(s)
	if len(u) >= 5 {
		out, in := u[:len(u)-3], u[len(u)-3:]
		if validOutward(out) && validInward(in) {
			return out + " " + in, nil
		}
	}
	return "", apierr.Invalid("postcode", "%q is not a UK postcode (expected e.g. NG7 2QQ)", strings.TrimSpace(s))
}

// PostcodeOutward returns the outward code (postcode district) of a
// postcode, e.g. "NG7" for "NG7 2QQ". It returns "" if s is not a valid
// postcode, so callers never index on a half-parsed value.
func PostcodeOutward(normalised string) string {
	p, err := NormalizePostcode(normalised)
	if err != nil {
		return ""
	}
	return p[:strings.IndexByte(p, ' ')]
}

// NormalizeOutward validates a postcode district on its own ("ng7" → "NG7").
// A full postcode is rejected: callers searching by district should pass
// PostcodeOutward of it instead.
func NormalizeOutward(s string) (string, error) {
	u := squash(s)
	if !validOutward(u) {
		return "", apierr.Invalid("postcode", "%q is not a UK postcode district (expected the first part of a postcode, e.g. NG7)", strings.TrimSpace(s))
	}
	return u, nil
}

// ValidateURN checks a DfE unique reference number: 6 digits.
func ValidateURN(s string) (string, error) {
	in := strings.TrimSpace(s)
	if len(in) != 6 || !allDigits(in) {
		return "", apierr.Invalid("urn", "%q is not a DfE URN (expected 6 digits, e.g. 100000)", in)
	}
	return in, nil
}

// ValidateOfstedURN checks a provider's Ofsted unique reference number and
// returns it uppercased: 6 or 7 digits (Ofsted numbers schools and further
// education and skills providers from the DfE range and its own 7-digit
// range), or a register prefix and 6 digits: EY for early years and
// childcare, SC for social care (children's homes). Not a DfE school URN,
// which is 6 digits only (ValidateURN).
func ValidateOfstedURN(s string) (string, error) {
	in := strings.TrimSpace(s)
	u := upperASCII(in)
	switch {
	case (len(u) == 6 || len(u) == 7) && allDigits(u):
		return u, nil
	case len(u) == 8 && (u[:2] == "EY" || u[:2] == "SC") && allDigits(u[2:]):
		return u, nil
	}
	return "", apierr.Invalid("urn", "%q is not an Ofsted URN (expected 6 or 7 digits, e.g. 2567890, or EY or SC and 6 digits, e.g. EY123456)", in)
}

// ValidateUKPRN checks a UK provider reference number: 8 digits starting
// with 1.
func ValidateUKPRN(s string) (string, error) {
	in := strings.TrimSpace(s)
	if len(in) != 8 || !allDigits(in) || in[0] != '1' {
		return "", apierr.Invalid("ukprn", "%q is not a UKPRN (expected 8 digits starting with 1, e.g. 10012345)", in)
	}
	return in, nil
}
