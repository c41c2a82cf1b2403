// Package geo holds the little geodesy apnet needs: distances on the British
// National Grid and a WGS84 → National Grid conversion for files that only
// give latitude/longitude.
package geo

import "math"

// MetresPerMile is the international mile.
const MetresPerMile = 1609.344

// Miles is the straight-line distance between two British National Grid
// points given in metres. The grid's scale error is under 0.04% across Great
// Britain, so for a city-scale search this is as good as a geodesic and far
// cheaper (it also maps directly onto an indexable bounding box).
func Miles(e1, n1, e2, n2 int) float64 {
	return math.Hypot(float64(e2-e1), float64(n2-n1)) / MetresPerMile
}

// MetresForMiles converts a radius in miles to grid metres.
func MetresForMiles(m float64) float64 { return m * MetresPerMile }

// LatLonToGrid converts a WGS84 latitude/longitude (decimal degrees) to an
// OSGB36 British National Grid easting/northing in whole metres.
//
// It uses the Ordnance Survey's published 7-parameter Helmert transform and
// the OS transverse Mercator series, which agree with the definitive OSTN15
// transformation to within a few metres over Great Britain (OSTN15 itself
// needs a 15 MB correction grid, which a postcode-distance search does not).
// Outside Great Britain (e.g. Northern Ireland) the result is the same
// projection extended westwards: still consistent for distances between
// nearby points, but not an official OS grid reference.
//
// The caller must pass plausible coordinates; NaN in gives garbage out.
func LatLonToGrid(lat, lon float64) (easting, northing int) {
	phi, lambda := wgs84ToOSGB36(rad(lat), rad(lon))
	e, n := projectOSGB36(phi, lambda)
	return int(math.Round(e)), int(math.Round(n))
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

type ellipsoid struct{ a, b float64 }

func (el ellipsoid) e2() float64 { return (el.a*el.a - el.b*el.b) / (el.a * el.a) }

var (
	wgs84 = ellipsoid{a: 6378137.000, b: 6356752.314245}
	airy  = ellipsoid{a: 6377563.396, b: 6356256.909} // Airy 1830, the OSGB36 ellipsoid
)

// Helmert parameters WGS84 → OSGB36 from the OS guide "A guide to coordinate
// systems in Great Britain": translations in metres, scale in ppm, rotations
// in arc-seconds.
const (
	helmertTx = -446.448
	helmertTy = 125.157
	helmertTz = -542.060
	helmertS  = 20.4894
	helmertRx = -0.1502
	helmertRy = -0.2470
	helmertRz = -0.8421
)

// wgs84ToOSGB36 moves a point (radians, ellipsoidal height 0) from the WGS84
// datum to OSGB36 via geocentric Cartesian coordinates.
func wgs84ToOSGB36(phi, lambda float64) (float64, float64) {
	// Geodetic → Cartesian on WGS84.
	e2 := wgs84.e2()
	sinPhi, cosPhi := math.Sincos(phi)
	sinLam, cosLam := math.Sincos(lambda)
	nu := wgs84.a / math.Sqrt(1-e2*sinPhi*sinPhi)
	x := nu * cosPhi * cosLam
	y := nu * cosPhi * sinLam
	z := (1 - e2) * nu * sinPhi

	// Helmert (small-angle, position-vector convention as the OS publishes it).
	const arcsec = math.Pi / (180 * 3600)
	s := helmertS * 1e-6
	rx, ry, rz := helmertRx*arcsec, helmertRy*arcsec, helmertRz*arcsec
	x2 := helmertTx + (1+s)*x - rz*y + ry*z
	y2 := helmertTy + rz*x + (1+s)*y - rx*z
	z2 := helmertTz - ry*x + rx*y + (1+s)*z

	// Cartesian → geodetic on Airy 1830; converges to < 1e-12 rad in a few steps.
	e2 = airy.e2()
	p := math.Hypot(x2, y2)
	lat := math.Atan2(z2, p*(1-e2))
	for range 10 {
		sin := math.Sin(lat)
		nu := airy.a / math.Sqrt(1-e2*sin*sin)
		next := math.Atan2(z2+e2*nu*sin, p)
		if math.Abs(next-lat) < 1e-12 {
			lat = next
			break
		}
		lat = next
	}
	return lat, math.Atan2(y2, x2)
}

// National Grid projection constants (OS guide, Annex A).
const (
	gridF0 = 0.9996012717 // scale factor on the central meridian
	gridE0 = 400000.0
	gridN0 = -100000.0
)

var (
	gridPhi0    = rad(49)
	gridLambda0 = rad(-2)
)

// projectOSGB36 applies the OS transverse Mercator series (OS guide, Annex C)
// to an OSGB36 latitude/longitude in radians, giving easting/northing in
// metres.
func projectOSGB36(phi, lambda float64) (easting, northing float64) {
	a, b := airy.a, airy.b
	e2 := airy.e2()
	n := (a - b) / (a + b)
	n2, n3 := n*n, n*n*n

	sinPhi, cosPhi := math.Sincos(phi)
	tanPhi := sinPhi / cosPhi
	tan2, tan4 := tanPhi*tanPhi, tanPhi*tanPhi*tanPhi*tanPhi
	cos3 := cosPhi * cosPhi * cosPhi
	cos5 := cos3 * cosPhi * cosPhi

	w := 1 - e2*sinPhi*sinPhi
	nu := a * gridF0 / math.Sqrt(w)
	rho := a * gridF0 * (1 - e2) / math.Pow(w, 1.5)
	eta2 := nu/rho - 1

	dp, sp := phi-gridPhi0, phi+gridPhi0
	m := b * gridF0 * ((1+n+1.25*n2+1.25*n3)*dp -
		(3*n+3*n2+21.0/8*n3)*math.Sin(dp)*math.Cos(sp) +
		(15.0/8*n2+15.0/8*n3)*math.Sin(2*dp)*math.Cos(2*sp) -
		35.0/24*n3*math.Sin(3*dp)*math.Cos(3*sp))

	i := m + gridN0
	ii := nu / 2 * sinPhi * cosPhi
	iii := nu / 24 * sinPhi * cos3 * (5 - tan2 + 9*eta2)
	iiia := nu / 720 * sinPhi * cos5 * (61 - 58*tan2 + tan4)
	iv := nu * cosPhi
	v := nu / 6 * cos3 * (nu/rho - tan2)
	vi := nu / 120 * cos5 * (5 - 18*tan2 + tan4 + 14*eta2 - 58*tan2*eta2)

	dl := lambda - gridLambda0
	dl2 := dl * dl
	northing = i + ii*dl2 + iii*dl2*dl2 + iiia*dl2*dl2*dl2
	easting = gridE0 + iv*dl + v*dl2*dl + vi*dl2*dl2*dl
	return easting, northing
}
