package apierr

import (
	"unicode"
	"unicode/utf8"
)

// Text refuses free text for field that is longer than max characters (not
// bytes), is not valid UTF-8, or holds a control character other than a
// newline or a tab. A carriage return is allowed only as part of a CRLF line
// break, which is what a browser's form submission sends for a newline. The
// error is BAD_USER_INPUT naming field and, for length, the limit.
func Text(field, s string, max int) *Error {
	if !utf8.ValidString(s) {
		return Invalid(field, "%s is not valid UTF-8 text", field)
	}
	n := 0
	for i, r := range s {
		n++
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			continue
		}
		if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			continue
		}
		return Invalid(field, "%s may not contain control characters (U+%04X); only newlines and tabs", field, r)
	}
	if n > max {
		return Invalid(field, "%s may be at most %d characters (%d given)", field, max, n)
	}
	return nil
}
