package geo

import (
	"math"
	"testing"
)

func dms(d, m, s float64) float64 { return d + m/60 + s/3600 }

// The OS guide's Annex C worked example (Caister water tower): OSGB36
// 52°39'27.2531"N 1°43'4.5177"E projects to E 651409.903 N 313177.270.
func TestProjectOSWorkedExample(t *testing.T) {
	e, n := projectOSGB36(rad(dms(52, 39, 27.2531)), rad(dms(1, 43, 4.5177)))
	if math.Abs(e-651409.903) > 0.001 || math.Abs(n-313177.270) > 0.001 {
		t.Fatalf("projectOSGB36 = %.3f, %.3f; want 651409.903, 313177.270", e, n)
	}
}

func TestLatLonToGrid(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		e, n     int
		tol      float64 // metres
	}{
		// The same OS example point in WGS84 (52°39'28.723"N 1°42'57.787"E),
		// as given by the OS guide's Helmert example.
		{"OS worked example", dms(52, 39, 28.723), dms(1, 42, 57.787), 651410, 313177, 1},
		// Real ONS Postcode Directory rows (lat/long to 6 d.p. and 1 m grid
		// references); Helmert is good to a few metres against them.
		{"AB1 0AA ONSPD", 57.101474, -2.242851, 385386, 801193, 5},
		{"CA8 7JG ONSPD", 54.977349, -2.532223, 366033, 564878, 5},
		{"BR8 7QP ONSPD", 51.403453, 0.148952, 549571, 169349, 5},
		// Nottingham districts from the doogal.co.uk "Postcode districts"
		// file; lat/long there are only to 4-5 d.p. (~10 m), hence the slack.
		{"NG1 district", 52.9546, -1.1475, 457370, 340032, 10},
		{"NG7 district", 52.9584, -1.17831, 455295, 340430, 10},
		{"NG9 district", 52.9263, -1.23282, 451672, 336819, 10},
		// Belfast: the same file gives NI districts in National Grid terms
		// extended west (not the Irish Grid), which is what Parse produces
		// for Northern Ireland rows.
		{"BT1 district", 54.5995, -5.92844, 146362, 529798, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, n := LatLonToGrid(tt.lat, tt.lon)
			if d := math.Hypot(float64(e-tt.e), float64(n-tt.n)); d > tt.tol {
				t.Fatalf("LatLonToGrid(%v, %v) = %d, %d; want %d, %d (off by %.1f m, tolerance %.0f m)",
					tt.lat, tt.lon, e, n, tt.e, tt.n, d, tt.tol)
			}
		})
	}
}

// haversineMiles is an independent spherical distance, the "known figure"
// the grid distance is checked against.
func haversineMiles(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusM = 6371008.8 // IUGG mean radius
	p1, p2 := rad(lat1), rad(lat2)
	dp, dl := rad(lat2-lat1), rad(lon2-lon1)
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * earthRadiusM * math.Asin(math.Sqrt(h)) / MetresPerMile
}

func TestMilesNottingham(t *testing.T) {
	// NG1 (city centre) and NG9 (Beeston) district centres, both given as
	// grid and lat/long in the doogal.co.uk districts file.
	got := Miles(457370, 340032, 451672, 336819)
	known := haversineMiles(52.9546, -1.1475, 52.9263, -1.23282)
	if math.Abs(got-known)/known > 0.01 {
		t.Fatalf("Miles NG1→NG9 = %.4f, haversine = %.4f: more than 1%% apart", got, known)
	}
	// And the plain arithmetic: 6541.4 m ≈ 4.065 miles.
	if math.Abs(got-4.0647) > 0.001 {
		t.Fatalf("Miles NG1→NG9 = %.4f, want ≈ 4.0647", got)
	}
	// City centre NG1 1AA to NG7 district (Radford/Lenton), Code-Point vs doogal.
	got = Miles(457803, 340082, 455295, 340430)
	if got < 1.5 || got > 1.7 {
		t.Fatalf("Miles NG1 1AA→NG7 = %.3f, want ≈ 1.57", got)
	}
}

func TestMilesSymmetricAndZero(t *testing.T) {
	if d := Miles(1, 2, 1, 2); d != 0 {
		t.Fatalf("Miles to self = %v", d)
	}
	if Miles(0, 0, 3000, 4000) != Miles(3000, 4000, 0, 0) {
		t.Fatal("Miles is not symmetric")
	}
	if d := Miles(0, 0, 0, 1609344); math.Abs(d-1000) > 1e-9 {
		t.Fatalf("1,609,344 m = %v miles, want 1000", d)
	}
}

func TestMetresForMiles(t *testing.T) {
	if got := MetresForMiles(5); got != 8046.72 {
		t.Fatalf("MetresForMiles(5) = %v, want 8046.72", got)
	}
	if got := Miles(0, 0, 0, int(MetresForMiles(3))); math.Abs(got-3) > 1e-3 {
		t.Fatalf("round trip 3 miles = %v", got)
	}
}
