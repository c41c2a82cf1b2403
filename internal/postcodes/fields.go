package postcodes

import (
	"strconv"
	"strings"
)

// National Grid extent in metres (the grid's 700 km × 1300 km false-origin
// box), used to catch swapped or garbage easting/northing values.
const (
	maxEasting  = 700000
	maxNorthing = 1300000
)

func inGrid(e, n int) bool { return e > 0 && e < maxEasting && n > 0 && n < maxNorthing }

// A generous box round the UK including Northern Ireland, Scilly and
// Shetland. ONSPD's "no location" sentinel (lat 99.999999, long 0) and any
// other garbage falls outside it.
func plausibleLatLon(lat, lon float64) bool {
	return lat >= 49 && lat <= 61.5 && lon >= -9 && lon <= 2.5
}

// atoi parses an integer field; ONSPD zero-pads northings ("0801193").
func atoi(s string) (int, error) { return strconv.Atoi(strings.TrimSpace(s)) }

func atof(s string) (float64, error) { return strconv.ParseFloat(strings.TrimSpace(s), 64) }
