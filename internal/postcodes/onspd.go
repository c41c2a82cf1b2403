package postcodes

import (
	"fmt"
	"strings"

	"github.com/apnet/apnet/internal/geo"
	"github.com/apnet/apnet/internal/ident"
)

// onspd reads the ONS Postcode Directory CSV (and the National Statistics
// Postcode Lookup, which shares its layout). Columns are found by name,
// case-insensitively, because their order and set change between releases
// and the names themselves changed in 2025:
//
//	up to 2024: pcd, pcd2, pcds, dointr, doterm, …, oseast1m, osnrth1m,
//	            osgrdind, …, ctry, …, lat, long, …
//	2025 on:    pcd7, pcd8, pcds, dointr, doterm, usrtypind, east1m,
//	            north1m, gridind, …, ctry25cd, …, lat, long, …
//
// Northern Ireland: ONSPD's easting/northing for NI postcodes are on the
// Irish Grid, not the British National Grid (ONSPD user guide), so mixing
// them with GB rows would put Belfast in the sea off Cornwall. For NI rows we
// ignore the grid columns and derive British National Grid coordinates from
// lat/long with geo.LatLonToGrid. That extends the GB projection beyond its
// intended area, but distances between nearby NI points stay within about
// 0.1%, which is all a radius search needs. NI rows without lat/long are
// skipped as SkipNoCoordinates.
type onspd struct {
	postcode          int
	east, north, grid int // grid = positional quality indicator
	lat, lon          int
	doterm, country   int
	width             int // fields a row must have to reach every column used
}

// Postcode columns in order of preference: pcds is the readable form; the
// fixed-width ones normalise to the same thing.
var onspdPostcodeCols = []string{"pcds", "pcd", "pcd7", "pcd8", "pcd2"}

// onspdGridMissing is the grid indicator for "no grid reference available".
const onspdGridMissing = "9"

// onspdFromHeader reports whether cols is an ONSPD-style header (it names a
// postcode column); if so it returns the parser, or an error when the header
// has no usable coordinate columns.
func onspdFromHeader(cols []string) (rowParser, bool, error) {
	idx := func(names ...string) int {
		for _, name := range names {
			for i, c := range cols {
				if c == name {
					return i
				}
			}
		}
		return -1
	}
	p := onspd{
		postcode: idx(onspdPostcodeCols...),
		east:     idx("oseast1m", "east1m"),
		north:    idx("osnrth1m", "north1m"),
		grid:     idx("osgrdind", "gridind"),
		lat:      idx("lat"),
		lon:      idx("long"),
		doterm:   idx("doterm"),
		country:  -1,
	}
	if p.postcode < 0 {
		return nil, false, nil
	}
	for i, c := range cols {
		if c == "ctry" || (strings.HasPrefix(c, "ctry") && strings.HasSuffix(c, "cd")) {
			p.country = i
			break
		}
	}
	hasGrid := p.east >= 0 && p.north >= 0
	hasLatLon := p.lat >= 0 && p.lon >= 0
	if !hasGrid {
		p.east, p.north = -1, -1
	}
	if !hasLatLon {
		p.lat, p.lon = -1, -1
	}
	if !hasGrid && !hasLatLon {
		return nil, true, fmt.Errorf("%w: postcode directory header has no oseast1m/osnrth1m, east1m/north1m or lat/long columns", ErrUnknownFormat)
	}
	for _, i := range []int{p.postcode, p.east, p.north, p.grid, p.lat, p.lon, p.doterm, p.country} {
		p.width = max(p.width, i+1)
	}
	return p, true, nil
}

// field returns column i of f trimmed, or "" when the file has no such column.
func field(f []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(f[i])
}

func (p onspd) key(f []string) string { return postcodeKey(f, p.postcode) }

func (p onspd) parse(f []string) (Record, string, bool) {
	if len(f) < p.width {
		return Record{}, ReasonShortRow, false
	}
	pc, err := ident.NormalizePostcode(f[p.postcode])
	if err != nil {
		return Record{}, ReasonBadPostcode, false
	}
	rec := Record{Postcode: pc, Terminated: field(f, p.doterm) != ""}

	// Grid reference: absent when flagged 9, blank, or the 0,0 placeholder.
	if es, ns := field(f, p.east), field(f, p.north); es != "" && ns != "" && field(f, p.grid) != onspdGridMissing {
		e, err1 := atoi(es)
		n, err2 := atoi(ns)
		if err1 != nil || err2 != nil {
			return Record{}, ReasonBadNumber, false
		}
		if e != 0 || n != 0 {
			rec.Easting, rec.Northing, rec.HasGrid = e, n, true
		}
	}

	// Lat/long: absent when blank or the 99.999999/0 placeholder.
	if las, los := field(f, p.lat), field(f, p.lon); las != "" && los != "" {
		lat, err1 := atof(las)
		lon, err2 := atof(los)
		if err1 != nil || err2 != nil {
			return Record{}, ReasonBadNumber, false
		}
		if plausibleLatLon(lat, lon) {
			rec.Lat, rec.Lon, rec.HasLatLon = lat, lon, true
		}
	}

	if isNorthernIreland(pc, field(f, p.country)) {
		rec.Easting, rec.Northing, rec.HasGrid = 0, 0, false // Irish Grid: see the type comment
	}
	if !rec.HasGrid && rec.HasLatLon {
		rec.Easting, rec.Northing = geo.LatLonToGrid(rec.Lat, rec.Lon)
		rec.HasGrid = true
	}
	if !rec.HasGrid {
		return Record{}, SkipNoCoordinates, true
	}
	if !inGrid(rec.Easting, rec.Northing) {
		return Record{}, ReasonOutOfRange, false
	}
	return rec, "", false
}

// isNorthernIreland: the country code N92000002, or failing a country column
// the BT postcode area, which is exactly Northern Ireland.
func isNorthernIreland(postcode, country string) bool {
	return strings.HasPrefix(country, "N92") || strings.HasPrefix(postcode, "BT")
}
