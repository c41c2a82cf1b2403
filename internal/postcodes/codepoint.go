package postcodes

import (
	"strings"

	"github.com/apnet/apnet/internal/ident"
)

// codePoint reads OS Code-Point Open CSV. The product ships without a header;
// columns are fixed: Postcode, Positional_quality_indicator, Eastings,
// Northings, then six area codes we do not use. Coordinates are already
// British National Grid metres. Code-Point lists live postcodes only, so
// nothing is ever Terminated, and it has no lat/long.
type codePoint struct{}

// Positional quality 90 means "no coordinates available" (the row carries
// 0,0); 10–60 are all real locations of varying precision.
const codePointNoCoordinates = 90

// isCodePointHeader accepts the header line the product documents in
// Doc/Code-Point_Open_Column_Headers.csv, in its long form ("Postcode",
// "Positional_quality_indicator", …) or short form ("PC", "PQ", "EA", "NO", …),
// in case someone prepended it as in our sample.
func isCodePointHeader(cols []string) bool {
	if len(cols) < 4 {
		return false
	}
	switch {
	case cols[0] == "postcode" && strings.Contains(cols[1], "quality"):
		return true
	case cols[0] == "pc" && cols[1] == "pq":
		return true
	}
	return false
}

// isCodePointRow recognises a headerless file by its first data row: a
// postcode then three integers (quality, easting, northing). The row count
// is not checked because older releases had more area-code columns.
func isCodePointRow(f []string) bool {
	if len(f) < 4 {
		return false
	}
	if _, err := ident.NormalizePostcode(f[0]); err != nil {
		return false
	}
	for _, s := range f[1:4] {
		if _, err := atoi(s); err != nil {
			return false
		}
	}
	return true
}

func (codePoint) key(f []string) string { return postcodeKey(f, 0) }

func (codePoint) parse(f []string) (Record, string, bool) {
	if len(f) < 4 {
		return Record{}, ReasonShortRow, false
	}
	pc, err := ident.NormalizePostcode(f[0])
	if err != nil {
		return Record{}, ReasonBadPostcode, false
	}
	quality, err := atoi(f[1])
	if err != nil {
		return Record{}, ReasonBadNumber, false
	}
	if quality == codePointNoCoordinates {
		return Record{}, SkipNoCoordinatesQ90, true
	}
	e, err1 := atoi(f[2])
	n, err2 := atoi(f[3])
	if err1 != nil || err2 != nil {
		return Record{}, ReasonBadNumber, false
	}
	if e == 0 && n == 0 {
		return Record{}, ReasonNoLocation, false
	}
	if !inGrid(e, n) {
		return Record{}, ReasonOutOfRange, false
	}
	return Record{Postcode: pc, Easting: e, Northing: n, HasGrid: true}, "", false
}
