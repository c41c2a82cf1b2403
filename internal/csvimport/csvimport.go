// Package csvimport holds what apnet's streaming CSV imports share (postcodes,
// qualifications, schools): the counts they report, a csv.Reader set up for
// published files (BOM, CRLF, ragged rows), header lookup by name, row
// streaming that skips a malformed row instead of stopping, and reading a
// file as UTF-8 or Windows-1252 (Encoding). It imports nothing of apnet's, so every loader can use it.
package csvimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reasons shared by the loaders; each loader adds its own.
const (
	ReasonMalformedCSV = "malformed CSV"
	ReasonLongRow      = "more columns than the header"
	// ReasonBadUTF8: a row with bytes that are not UTF-8 in a file whose
	// text is UTF-8 (see Encoding).
	ReasonBadUTF8 = "invalid UTF-8 in a UTF-8 file"
	// ReasonBadWindows1252: a row with a byte Windows-1252 leaves undefined
	// (0x81, 0x8D, 0x8F, 0x90, 0x9D) in a Windows-1252 file.
	ReasonBadWindows1252 = "byte undefined in Windows-1252"
)

// Stats counts what a parse saw. Read counts data rows (not the header or
// blank lines); Read == Accepted + Rejected + Skipped. Rejects breaks
// Rejected (bad rows) down by reason; Skips breaks Skipped (good rows the
// import leaves out on purpose, e.g. other local authorities' schools or
// qualifications no longer awarded) down by reason. RejectedRows lists the
// first MaxListed rejected rows, in file order, for the summary.
type Stats struct {
	Read, Accepted, Rejected, Skipped int
	Rejects, Skips                    map[string]int
	RejectedRows                      []RejectedRow
}

// MaxListed is how many rejected rows Stats keeps to list by line.
const MaxListed = 20

// RejectedRow is one rejected row as the summary lists it: "line 7
// (NG7 2QQ): invalid postcode". Key is the row's key (qualification number,
// URN or postcode) when the row has a valid one, else ""; never anything
// else from the row, so the list cannot leak a cell the import was not
// meant to show.
type RejectedRow struct {
	Line   int
	Key    string
	Reason string
}

func (r RejectedRow) String() string {
	if r.Key == "" {
		return fmt.Sprintf("line %d: %s", r.Line, r.Reason)
	}
	return fmt.Sprintf("line %d (%s): %s", r.Line, r.Key, r.Reason)
}

// NewStats returns zero counts ready for Reject and Skip.
func NewStats() Stats { return Stats{Rejects: map[string]int{}, Skips: map[string]int{}} }

// Accept counts a row read and accepted.
func (s *Stats) Accept() { s.Read++; s.Accepted++ }

// Reject counts the row at line (key as RejectedRow says, or "") read and
// rejected for reason.
func (s *Stats) Reject(line int, key, reason string) { s.reject(line, key, reason, reason) }

// ReasonDuplicate counts the rows rejected by RejectDuplicate; each is
// listed as "duplicate of line N".
const ReasonDuplicate = "duplicate key"

// RejectDuplicate counts the row at line rejected because an earlier row,
// at line first, had the same key (see Seen).
func (s *Stats) RejectDuplicate(line int, key string, first int) {
	s.reject(line, key, ReasonDuplicate, fmt.Sprintf("duplicate of line %d", first))
}

func (s *Stats) reject(line int, key, reason, listed string) {
	s.Read++
	s.Rejected++
	if s.Rejects == nil {
		s.Rejects = map[string]int{}
	}
	s.Rejects[reason]++
	if len(s.RejectedRows) < MaxListed {
		s.RejectedRows = append(s.RejectedRows, RejectedRow{line, key, listed})
	}
}

// Skip counts a row read and left out on purpose: not a bad row. reason
// says why, e.g. "no longer awarded" or "other local authority".
func (s *Stats) Skip(reason string) {
	s.Read++
	s.Skipped++
	if s.Skips == nil {
		s.Skips = map[string]int{}
	}
	s.Skips[reason]++
}

// Snapshot is a copy the caller may keep while parsing goes on (progress
// callbacks get one, since the loader keeps updating Rejects and Skips).
func (s Stats) Snapshot() Stats {
	s.Rejects = maps.Clone(s.Rejects)
	s.Skips = maps.Clone(s.Skips)
	s.RejectedRows = slices.Clone(s.RejectedRows)
	return s
}

// Seen remembers the line on which each key was first accepted in one run
// of an import, so that a later row with the same key is rejected
// (Stats.RejectDuplicate) instead of overwriting it: two rows for one key
// with different data would otherwise take turns in the table, and every
// re-run would report them updated. The first row wins.
//
// Memory: one map entry per accepted row, a key and a uint32 line number.
// A qualification file (~10k rows) or GIAS extract (~50k) costs a few MB
// with string keys (40–50 bytes an entry); postcodes pack their key into a
// uint64 (see internal/postcodes), about 23 bytes an entry, so all ~1.7M
// Code-Point postcodes cost some 40 MB for the length of the import.
type Seen[K comparable] struct{ lines map[K]uint32 }

// First records key as accepted at line unless it was already, and returns
// the line it was first accepted at and whether that was an earlier row.
func (s *Seen[K]) First(key K, line int) (int, bool) {
	if s.lines == nil {
		s.lines = map[K]uint32{}
	}
	if first, ok := s.lines[key]; ok {
		return int(first), true
	}
	s.lines[key] = uint32(line)
	return line, false
}

// byCount lists m's keys, most frequent first, then alphabetically.
func byCount(m map[string]int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if n := m[b] - m[a]; n != 0 {
			return n
		}
		return strings.Compare(a, b)
	})
	return keys
}

// countsString lists m's reasons, most frequent first, e.g. "invalid URN:
// 3, duplicate key: 1" (the colon keeps a count apart from a reason ending
// in a number, "not teaching ages 14–16: 3").
func countsString(m map[string]int) string {
	reasons := byCount(m)
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s: %d", r, m[r])
	}
	return strings.Join(parts, ", ")
}

// RejectsString lists the reject reasons, most frequent first, e.g.
// "invalid URN: 3, duplicate key: 1".
func (s Stats) RejectsString() string { return countsString(s.Rejects) }

// SkipsString lists the skip reasons, most frequent first, e.g. "no longer
// awarded: 5, withdrawn: 1".
func (s Stats) SkipsString() string { return countsString(s.Skips) }

// RejectedList is the rejected rows listed one a line ("  line 7 (NG7 2QQ):
// invalid postcode"), at most MaxListed, then how many more there were; ""
// when none was rejected. Each line starts with a newline, so it follows a
// summary line directly.
func (s Stats) RejectedList() string {
	if s.Rejected == 0 {
		return ""
	}
	var b strings.Builder
	if s.Rejected > len(s.RejectedRows) {
		fmt.Fprintf(&b, "\nrejected rows (the first %d of %d):", len(s.RejectedRows), s.Rejected)
	} else {
		b.WriteString("\nrejected rows:")
	}
	for _, r := range s.RejectedRows {
		b.WriteString("\n  " + r.String())
	}
	if more := s.Rejected - len(s.RejectedRows); more > 0 {
		fmt.Fprintf(&b, "\n  and %d more", more)
	}
	return b.String()
}

// Summary is what a load did: the parse counts and, for the accepted rows,
// how each compared with the table. Added+Updated+Unchanged == Accepted once
// the load returns without error; after an error they count only the batches
// committed.
type Summary struct {
	Stats
	Added     int // not in the table before
	Updated   int // in the table with different values
	Unchanged int // already in the table exactly so; not written
}

// Headline is the summary's first line: the counts, with the reasons for
// rejected and skipped rows.
func (s Summary) Headline() string {
	out := fmt.Sprintf("read %d rows: %d added, %d updated, %d unchanged, %d rejected",
		s.Read, s.Added, s.Updated, s.Unchanged, s.Rejected)
	if s.Rejected > 0 {
		out += " (" + s.RejectsString() + ")"
	}
	out += fmt.Sprintf(", %d skipped", s.Skipped)
	if s.Skipped > 0 {
		out += " (" + s.SkipsString() + ")"
	}
	return out
}

// String is the closing summary printed by `apnet import`: Headline, then
// RejectedList.
func (s Summary) String() string { return s.Headline() + s.RejectedList() }

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// NewReader returns a csv.Reader over r with a leading UTF-8 BOM dropped
// (Excel and DfE exports start with one, and it would otherwise stick to the
// first header name). encoding/csv already accepts CRLF. Rows may vary in
// width; the caller checks what it needs. The record slice is reused, so
// copy a row to keep it.
func NewReader(r io.Reader) *csv.Reader {
	cr, _ := NewReaderBOM(r)
	return cr
}

// NewReaderBOM is NewReader, also saying whether the input started with a
// UTF-8 BOM (which settles its Encoding).
func NewReaderBOM(r io.Reader) (*csv.Reader, bool) {
	br := bufio.NewReaderSize(r, 64<<10)
	bom := false
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // cannot fail: the bytes are buffered
		bom = true
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr, bom
}

// Blank reports a row with nothing but whitespace, e.g. a stray "  " line or
// a row of empty cells Excel leaves at the end (encoding/csv already skips
// truly empty lines).
func Blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// First returns the first non-blank row: the header, for files that have one.
// It returns io.EOF for an input with no rows, and encoding/csv's error
// (a *csv.ParseError when the line is not CSV) otherwise.
func First(cr *csv.Reader) ([]string, error) {
	for {
		rec, err := cr.Read()
		if err != nil {
			return nil, err
		}
		if !Blank(rec) {
			return rec, nil
		}
	}
}

// Stream calls fn with every non-blank row left in cr and the line it
// starts on, in order, holding one row in memory at a time. A row
// encoding/csv cannot parse is counted in st as rejected
// (ReasonMalformedCSV) and skipped: the reader has consumed it, so the rest
// still load. Stream returns nil at the end of the input, and stops early
// only when the input cannot be read or fn returns an error, which it
// returns with the row's line number.
func Stream(cr *csv.Reader, st *Stats, fn func(line int, rec []string) error) error {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("read: %w", err)
			}
			st.Reject(pe.StartLine, "", ReasonMalformedCSV)
			continue
		}
		if Blank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		if err := fn(line, rec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// Header finds columns by name in a header row. Names are compared by
// letters and digits only, case-insensitively, so "Qualification Number",
// "QualificationNumber" and "qualification_number" are one column, and
// "LA (code)" is "lacode".
type Header struct {
	index map[string]int
	width int
}

// NewHeader indexes a header row; the first of two same-named columns wins.
func NewHeader(rec []string) Header {
	h := Header{index: make(map[string]int, len(rec)), width: len(rec)}
	for i, name := range rec {
		k := Key(name)
		if _, dup := h.index[k]; !dup && k != "" {
			h.index[k] = i
		}
	}
	return h
}

// Key is the form Header compares names in.
func Key(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Col returns the index of the first of names present, or -1.
func (h Header) Col(names ...string) int {
	for _, n := range names {
		if i, ok := h.index[Key(n)]; ok {
			return i
		}
	}
	return -1
}

// Width is the number of columns in the header.
func (h Header) Width() int { return h.width }

// CheckWidth says why a row of a file whose header has width columns cannot
// be loaded, or "" when it can. need is one past the last column the loader
// reads. A row wider than the header is ReasonLongRow: an unquoted comma has
// shifted its cells, so none can be trusted. A row that stops before column
// need-1 is ShortRowReason: reading its missing cells as blank would clear
// what the table holds. Cells after the last column read may be missing:
// published exports drop trailing empty cells (four rows of the Ofqual
// register sample have 32 of 33, all the columns a loader reads intact).
func CheckWidth(rec []string, width, need int) string {
	switch {
	case len(rec) > width:
		return ReasonLongRow
	case len(rec) < need:
		return ShortRowReason(len(rec), width)
	}
	return ""
}

// ShortRowReason is the reject reason for a row that stops before a column
// the loader reads, e.g. "row has 7 fields, header has 12".
func ShortRowReason(fields, width int) string {
	return fmt.Sprintf("row has %d fields, header has %d", fields, width)
}

// Field returns column i of rec trimmed, or "" when the column is absent
// (i < 0) or the row stops short of it (CheckWidth rejects such a row first
// when the column is one the loader reads).
func Field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Windows-1252's 0x80–0x9F, where it differs from Latin-1 (the rest of its
// upper half is Latin-1, i.e. byte value == code point). The five bytes
// Windows-1252 leaves undefined decode to U+FFFD.
var cp1252High = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// Encoding reads a file's text as one encoding, UTF-8 or Windows-1252,
// decided once for the whole file. GIAS establishment extracts are
// Windows-1252 (and so are CSVs saved from Excel), while the Ofqual and DfE
// exports are UTF-8, and nothing in the files says which: the fallback to
// Windows-1252 is deliberate, for GIAS.
//
// The file's first row with any non-ASCII text decides, so the import still
// streams: a file with a UTF-8 BOM is UTF-8; otherwise, if that row is valid
// UTF-8 the file is UTF-8, and if not it is Windows-1252 (Windows-1252 text
// that happens to be valid UTF-8 needs two or more accented capitals and
// symbols in a row, which names do not have). After that every row is read
// the same way, never mixing the two: in a UTF-8 file a row that is not
// valid UTF-8 is rejected (ReasonBadUTF8) rather than guessed at, and in a
// Windows-1252 file every non-ASCII cell is decoded as Windows-1252, and a
// row with one of the five bytes it leaves undefined is rejected
// (ReasonBadWindows1252). Decoding after CSV parsing is safe because
// Windows-1252 bytes ≥ 0x80 are never a comma, quote or newline.
type Encoding struct {
	decided, cp1252 bool
}

// NewEncoding returns an Encoding for a file; bom says it started with a
// UTF-8 BOM (NewReaderBOM), which makes it UTF-8.
func NewEncoding(bom bool) *Encoding { return &Encoding{decided: bom} }

// Fix rewrites the cells of rec, in place, as UTF-8 in the file's encoding,
// deciding it on the first row with non-ASCII text. It returns the reason
// the row cannot be read, or "" (rec is then all valid UTF-8).
func (e *Encoding) Fix(rec []string) string {
	if !e.decided {
		ascii, valid := true, true
		for _, f := range rec {
			if !isASCII(f) {
				ascii = false
				valid = valid && utf8.ValidString(f)
			}
		}
		if ascii {
			return ""
		}
		e.decided, e.cp1252 = true, !valid
	}
	for i, f := range rec {
		if isASCII(f) {
			continue
		}
		if !e.cp1252 {
			if !utf8.ValidString(f) {
				return ReasonBadUTF8
			}
			continue
		}
		for j := 0; j < len(f); j++ {
			if c := f[j]; c >= 0x80 && c < 0xA0 && cp1252High[c-0x80] == '\uFFFD' {
				return ReasonBadWindows1252
			}
		}
		rec[i] = DecodeWindows1252(f)
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// DecodeWindows1252 decodes s, taken as Windows-1252 bytes, to UTF-8.
func DecodeWindows1252(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252High[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}
