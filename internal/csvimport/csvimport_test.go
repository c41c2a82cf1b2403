package csvimport

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDecodeWindows1252(t *testing.T) {
	for in, want := range map[string]string{
		"Nottingham Girls\x92 Academy":                 "Nottingham Girls’ Academy",
		"\x80 \x85 \x91a\x92 \x93b\x94 \x96 \x97 \x9f": "€ … ‘a’ “b” – — Ÿ",
		"St Ren\xe9e\xa3\xff":                          "St Renée£ÿ", // Latin-1 half: byte value is the code point
		"\x81\x8d\x8f\x90\x9d":                         "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD",
		"plain ASCII, 123":                             "plain ASCII, 123",
	} {
		if got := DecodeWindows1252(in); got != want {
			t.Errorf("DecodeWindows1252(%q) = %q; want %q", in, got, want)
		}
	}
}

// One encoding per file: the first row with non-ASCII text decides, and
// every later row is read the same way, never guessed row by row.
func TestEncodingIsPerFile(t *testing.T) {
	type row struct{ in, want, reason string }
	for name, c := range map[string]struct {
		bom  bool
		rows []row
	}{
		"Windows-1252 (GIAS)": {false, []row{
			{"plain ASCII", "plain ASCII", ""}, // ASCII decides nothing
			{"Nottingham Girls\x92 Academy", "Nottingham Girls’ Academy", ""},
			// Valid UTF-8 by accident, still read as Windows-1252.
			{"Caf\xc3\xa9", "CafÃ©", ""},
			{"St Ren\xe9e", "St Renée", ""},
			{"bad \x81 byte", "", ReasonBadWindows1252},
		}},
		"UTF-8": {false, []row{
			{"Café", "Café", ""},
			{"Caf\xe9", "", ReasonBadUTF8}, // not decoded as Windows-1252
			{"Nottingham Girls’ Academy", "Nottingham Girls’ Academy", ""},
		}},
		"UTF-8 with a BOM": {true, []row{
			{"Caf\xe9", "", ReasonBadUTF8},
			{"Café", "Café", ""},
		}},
	} {
		enc := NewEncoding(c.bom)
		for _, r := range c.rows {
			rec := []string{"123", r.in}
			reason := enc.Fix(rec)
			if reason != r.reason || (reason == "" && rec[1] != r.want) {
				t.Errorf("%s: Fix(%q) = %q, %q; want %q, %q", name, r.in, rec[1], reason, r.want, r.reason)
			}
		}
	}
}

func TestHeader(t *testing.T) {
	h := NewHeader([]string{"\"URN\"", "LA (code)", "Qualification Number", "qualification_title", "Level"})
	for _, c := range []struct {
		names []string
		want  int
	}{
		{[]string{"URN"}, 0},
		{[]string{"LA (code)"}, 1},
		{[]string{"lacode"}, 1},
		{[]string{"QualificationNumber"}, 2},
		{[]string{"Qualification Title", "QualificationName"}, 3},
		{[]string{"Qualification Level", "Level"}, 4},
		{[]string{"Status"}, -1},
	} {
		if got := h.Col(c.names...); got != c.want {
			t.Errorf("Col(%q) = %d; want %d", c.names, got, c.want)
		}
	}
	if got := Field([]string{" a "}, 0) + Field([]string{"a"}, 3) + Field([]string{"a"}, -1); got != "a" {
		t.Errorf("Field = %q", got)
	}
}

// BOM and CRLF are dropped, blank rows skipped, and a row encoding/csv
// cannot parse is counted and skipped without stopping the rest.
func TestStream(t *testing.T) {
	in := "\uFEFFcode,name\r\nA,one\r\n  ,  \r\nB,two \"bad\" quote\r\n\r\nC,three\r\n"
	cr := NewReader(strings.NewReader(in))
	head, err := First(cr)
	if err != nil || !slices.Equal(head, []string{"code", "name"}) {
		t.Fatalf("First = %q, %v", head, err)
	}
	st := NewStats()
	var got []string
	err = Stream(cr, &st, func(line int, rec []string) error {
		st.Accept()
		got = append(got, fmt.Sprintf("%d:%s=%s", line, rec[0], rec[1]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"2:A=one", "6:C=three"}) {
		t.Fatalf("rows = %q", got)
	}
	if st.Read != 3 || st.Accepted != 2 || !maps.Equal(st.Rejects, map[string]int{ReasonMalformedCSV: 1}) {
		t.Fatalf("stats = %+v", st)
	}
	if want := []RejectedRow{{4, "", ReasonMalformedCSV}}; !slices.Equal(st.RejectedRows, want) {
		t.Fatalf("rejected rows = %v; want %v", st.RejectedRows, want)
	}
}

func TestStreamStops(t *testing.T) {
	stop := errors.New("stop")
	cr := NewReader(strings.NewReader("h\nA\nB\n"))
	_, _ = First(cr)
	st := NewStats()
	err := Stream(cr, &st, func(int, []string) error { return stop })
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v; want stop at line 2", err)
	}
	cr = NewReader(iotest.ErrReader(stop))
	if _, err := First(cr); !errors.Is(err, stop) {
		t.Fatalf("First err = %v", err)
	}
}

func TestSummaryString(t *testing.T) {
	s := Summary{Stats: NewStats(), Added: 4, Updated: 1, Unchanged: 2}
	for range 7 {
		s.Accept()
	}
	s.Reject(3, "100001", "closed")
	s.Reject(5, "", "invalid URN")
	s.Reject(9, "100001", "closed")
	want := "read 10 rows: 4 added, 1 updated, 2 unchanged, 3 rejected (closed: 2, invalid URN: 1), 0 skipped" +
		"\nrejected rows:\n  line 3 (100001): closed\n  line 5: invalid URN\n  line 9 (100001): closed"
	if got := s.String(); got != want {
		t.Fatalf("String = %q\nwant %q", got, want)
	}
	// Skipped rows are not bad rows: counted apart from the rejects, and
	// not listed.
	s.Skip("other local authority")
	s.Skip("other local authority")
	s.Skip("not teaching ages 14–16")
	want = "read 13 rows: 4 added, 1 updated, 2 unchanged, 3 rejected (closed: 2, invalid URN: 1), " +
		"3 skipped (other local authority: 2, not teaching ages 14–16: 1)"
	if got := s.Headline(); got != want || s.Read != 13 || s.Rejected != 3 {
		t.Fatalf("Headline = %q (read %d, rejected %d)\nwant %q", got, s.Read, s.Rejected, want)
	}
	snap := s.Snapshot()
	snap.Rejects["closed"]++
	snap.Skips["other local authority"]++
	snap.RejectedRows[0].Line = 99
	if s.Rejects["closed"] != 2 || s.Skips["other local authority"] != 2 || s.RejectedRows[0].Line != 3 {
		t.Fatal("Snapshot shares Rejects, Skips or RejectedRows with the original")
	}
	if got := (Summary{Stats: NewStats()}).String(); got != "read 0 rows: 0 added, 0 updated, 0 unchanged, 0 rejected, 0 skipped" {
		t.Fatalf("empty String = %q", got)
	}
}

// The summary lists the first MaxListed rejected rows by line and key, then
// says how many more there were; a duplicate is listed with the line it
// repeats.
func TestRejectedList(t *testing.T) {
	s := NewStats()
	s.RejectDuplicate(2, "NG7 2QQ", 1)
	for i := range 24 {
		s.Reject(3+i, "", "invalid postcode")
	}
	if s.Rejected != 25 || len(s.RejectedRows) != MaxListed || !maps.Equal(s.Rejects, map[string]int{ReasonDuplicate: 1, "invalid postcode": 24}) {
		t.Fatalf("stats = %+v", s)
	}
	got := strings.Split(s.RejectedList(), "\n")
	if len(got) != 1+1+MaxListed+1 || got[0] != "" ||
		got[1] != "rejected rows (the first 20 of 25):" ||
		got[2] != "  line 2 (NG7 2QQ): duplicate of line 1" ||
		got[3] != "  line 3: invalid postcode" ||
		got[21] != "  line 21: invalid postcode" ||
		got[22] != "  and 5 more" {
		t.Fatalf("RejectedList = %q", got)
	}
}

// The first row with a key wins; later rows with it are told its line.
func TestSeen(t *testing.T) {
	var s Seen[string]
	if first, dup := s.First("A", 2); dup || first != 2 {
		t.Fatalf("First(A, 2) = %d, %v", first, dup)
	}
	s.First("B", 3)
	for _, line := range []int{4, 9} {
		if first, dup := s.First("A", line); !dup || first != 2 {
			t.Fatalf("First(A, %d) = %d, %v; want 2, true", line, first, dup)
		}
	}
}

// Rows wider than the header, or stopping before the last column read, are
// refused; trailing cells past the last column read may be missing.
func TestCheckWidth(t *testing.T) {
	for _, c := range []struct {
		fields, width, need int
		want                string
	}{
		{12, 12, 10, ""},
		{10, 12, 10, ""}, // only unread trailing cells missing
		{9, 12, 10, "row has 9 fields, header has 12"},
		{7, 12, 12, "row has 7 fields, header has 12"},
		{13, 12, 10, ReasonLongRow},
	} {
		if got := CheckWidth(make([]string, c.fields), c.width, c.need); got != c.want {
			t.Errorf("CheckWidth(%d fields, width %d, need %d) = %q; want %q", c.fields, c.width, c.need, got, c.want)
		}
	}
}
