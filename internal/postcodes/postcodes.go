// Package postcodes streams records out of the published UK postcode files
// (OS Code-Point Open and the ONS Postcode Directory) so a loader can put
// postcode locations into the database without holding a file in memory.
package postcodes

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/ident"
)

// Record is one postcode with its location.
type Record struct {
	Postcode string // normalised, e.g. "NG7 2QQ"
	// Easting and Northing are British National Grid (OSGB36) metres. They
	// come from the file or, when the file gives only lat/long (including
	// all Northern Ireland rows, see onspd.go), from geo.LatLonToGrid;
	// 0,0 when neither is available (such rows are skipped, so an
	// accepted Record always has HasGrid).
	Easting, Northing int
	HasGrid           bool
	Lat, Lon          float64 // WGS84, when the file gives them
	HasLatLon         bool
	Terminated        bool // the file gives an end/termination date
}

// Stats counts what Parse saw: Read counts data rows (not the header or blank
// lines); Read == Accepted + Rejected + Skipped, Rejects breaks Rejected
// down by reason (one of the Reason constants) and Skips breaks Skipped down
// (SkipNoCoordinates…). It is the type every import shares.
type Stats = csvimport.Stats

// Reasons a row is rejected; these are the keys of Stats.Rejects.
const (
	ReasonMalformedCSV = csvimport.ReasonMalformedCSV
	ReasonShortRow     = "missing columns"
	ReasonBadPostcode  = "invalid postcode"
	ReasonBadNumber    = "unparseable number"
	// ReasonNoLocation: a Code-Point row at 0,0 whose quality indicator
	// does not say it has no coordinates: the file contradicts itself.
	ReasonNoLocation = "no location"
	ReasonOutOfRange = "coordinates out of range"
)

// Reasons a valid postcode is skipped (keys of Stats.Skips): the file says
// it has no location for it, so there is nothing to measure a distance
// from. It is not a bad row, so it is not counted as rejected.
const (
	// SkipNoCoordinatesQ90: Code-Point positional quality 90, "no
	// coordinates available" (the row carries 0,0).
	SkipNoCoordinatesQ90 = "no coordinates (quality 90)"
	// SkipNoCoordinates: ONSPD grid indicator 9, a blank or 0,0 grid with
	// no lat/long (or lat 99.999999), or only an unusable location (Irish
	// Grid with no lat/long).
	SkipNoCoordinates = "no coordinates"
)

// ErrUnknownFormat is returned when the first line matches no supported
// layout (or the input is empty); nothing is parsed.
var ErrUnknownFormat = errors.New("postcodes: unrecognised file format")

// rowParser turns one data row into a Record, or names why it cannot:
// reason is a reject reason, or with skip true a skip reason.
type rowParser interface {
	parse(fields []string) (rec Record, reason string, skip bool)
	// key is the row's postcode, normalised, or "" when it has none that
	// is valid: what names a rejected row in the summary.
	key(fields []string) string
}

// postcodeKey normalises a postcode cell for rowParser.key.
func postcodeKey(f []string, i int) string {
	if i < 0 || i >= len(f) {
		return ""
	}
	pc, err := ident.NormalizePostcode(f[i])
	if err != nil {
		return ""
	}
	return pc
}

// Parse detects the format from the first non-blank line and calls fn for each
// accepted record, in file order, reading the input as it goes (memory use is
// one row, whatever the file size).
//
// A bad row is counted in Stats and skipped; it never stops the rest. Parse
// stops early only when the input cannot be read, the format is unknown
// (ErrUnknownFormat), or fn returns an error, which Parse returns wrapped
// with the line number (errors.Is/As still see it).
func Parse(r io.Reader, fn func(Record) error) (Stats, error) {
	return parse(r, func(rec Record, _ *Stats) error { return fn(rec) })
}

// parse is Parse, also handing fn the counts so far (Load reports them as
// progress mid-file).
func parse(r io.Reader, fn func(Record, *Stats) error) (Stats, error) {
	st := csvimport.NewStats()
	cr := csvimport.NewReader(r)

	first, err := csvimport.First(cr)
	if err == io.EOF {
		return st, fmt.Errorf("%w: no data", ErrUnknownFormat)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return st, fmt.Errorf("%w: first line: %v", ErrUnknownFormat, err)
		}
		return st, fmt.Errorf("postcodes: read: %w", err)
	}
	p, isHeader, err := detect(first)
	if err != nil {
		return st, err
	}

	// A postcode an accepted row earlier in the file had is rejected as its
	// duplicate, the first row winning: two rows for one postcode with
	// different coordinates would otherwise take turns in the table, and
	// every re-run would report them updated. See packPostcode for the
	// memory this costs.
	var seen csvimport.Seen[uint64]
	handle := func(line int, rec []string) error {
		rr, reason, skip := p.parse(rec)
		switch {
		case skip:
			st.Skip(reason)
			return nil
		case reason != "":
			st.Reject(line, p.key(rec), reason)
			return nil
		}
		if first, dup := seen.First(packPostcode(rr.Postcode), line); dup {
			st.RejectDuplicate(line, rr.Postcode, first)
			return nil
		}
		st.Accept()
		return fn(rr, &st)
	}
	if !isHeader {
		// The first line is already a data row (headerless Code-Point).
		line, _ := cr.FieldPos(0)
		if err := handle(line, first); err != nil {
			return st, fmt.Errorf("postcodes: line %d: %w", line, err)
		}
	}
	if err := csvimport.Stream(cr, &st, handle); err != nil {
		return st, fmt.Errorf("postcodes: %w", err)
	}
	return st, nil
}

// packPostcode packs a normalised postcode ("NG7 2QQ", "SW1A 1AA": at most
// 8 ASCII bytes, none of them 0, so distinct postcodes pack to distinct
// numbers) into a uint64, the key parse remembers postcodes seen by: in a
// map[uint64]uint32 an entry costs about 23 bytes (measured, Go 1.26),
// against 40–50 for a string key with its bytes, so the whole of Code-Point
// (~1.7M postcodes) costs about 40 MB while the import runs.
func packPostcode(pc string) uint64 {
	var k uint64
	for i := 0; i < len(pc) && i < 8; i++ {
		k = k<<8 | uint64(pc[i])
	}
	return k
}

// detect picks the parser for a file from its first non-blank row, and says
// whether that row is a header (true) or already data (false).
func detect(first []string) (rowParser, bool, error) {
	cols := make([]string, len(first))
	for i, f := range first {
		cols[i] = strings.ToLower(strings.TrimSpace(f))
	}

	if p, ok, err := onspdFromHeader(cols); ok {
		return p, true, err
	}
	if isCodePointHeader(cols) {
		return codePoint{}, true, nil
	}
	if isCodePointRow(first) {
		return codePoint{}, false, nil
	}

	sample := strings.Join(first, ",")
	if len(sample) > 80 {
		sample = sample[:80] + "…"
	}
	return nil, false, fmt.Errorf("%w: first line %q", ErrUnknownFormat, sample)
}
