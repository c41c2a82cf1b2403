package apierr

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for name, tc := range map[string]struct {
		s    string
		ok   bool
		want string
	}{
		"at the limit":                {strings.Repeat("é", 10), true, ""}, // characters, not bytes
		"over the limit":              {strings.Repeat("a", 11), false, "title may be at most 10 characters (11 given)"},
		"newline, tab and CRLF":       {"a\nb\tc\r\nd", true, ""},
		"lone carriage return":        {"a\rb", false, "control characters (U+000D)"},
		"NUL":                         {"a\x00", false, "control characters (U+0000)"},
		"escape":                      {"\x1b[31m", false, "U+001B"},
		"DEL":                         {"a\x7f", false, "U+007F"},
		"C1 control":                  {"a\u0085", false, "U+0085"},
		"invalid UTF-8":               {"a\xffb", false, "not valid UTF-8"},
		"markup is text, not refused": {"<b>x</b>", true, ""},
	} {
		t.Run(name, func(t *testing.T) {
			err := Text("title", tc.s, 10)
			if tc.ok != (err == nil) {
				t.Fatalf("Text(%q) = %v", tc.s, err)
			}
			if err != nil && (err.Code != BadUserInput || err.Field != "title" || !strings.Contains(err.Message, tc.want)) {
				t.Fatalf("Text(%q) = %+v", tc.s, err)
			}
		})
	}
}
