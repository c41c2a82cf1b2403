package postcodes

import (
	"errors"
	"io"
	"maps"
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// collect parses input and returns the accepted records.
func collect(t *testing.T, input string) ([]Record, Stats) {
	t.Helper()
	var got []Record
	st, err := Parse(strings.NewReader(input), func(r Record) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if st.Read != st.Accepted+st.Rejected+st.Skipped {
		t.Fatalf("stats do not add up: %+v", st)
	}
	rejected, skipped := 0, 0
	for _, n := range st.Rejects {
		rejected += n
	}
	for _, n := range st.Skips {
		skipped += n
	}
	if rejected != st.Rejected || skipped != st.Skipped {
		t.Fatalf("Rejects %v, Skips %v do not sum to Rejected %d, Skipped %d", st.Rejects, st.Skips, st.Rejected, st.Skipped)
	}
	return got, st
}

func wantStats(t *testing.T, st Stats, read, accepted int, rejects, skips map[string]int) {
	t.Helper()
	if rejects == nil {
		rejects = map[string]int{}
	}
	if skips == nil {
		skips = map[string]int{}
	}
	if st.Read != read || st.Accepted != accepted || !maps.Equal(st.Rejects, rejects) || !maps.Equal(st.Skips, skips) {
		t.Fatalf("stats = %+v; want read %d, accepted %d, rejects %v, skips %v", st, read, accepted, rejects, skips)
	}
}

func byPostcode(recs []Record) map[string]Record {
	m := make(map[string]Record, len(recs))
	for _, r := range recs {
		m[r.Postcode] = r
	}
	return m
}

// Code-Point Open rows as OS ships them: no header, quoted strings, 10 columns.
const codePointRows = `"NG1 1AA",10,457803,340082,"E92000001","E19000001","E18000004","","E06000018","E05001838"
"NG72QQ",10,454630,338420,"E92000001","E19000001","E18000004","","E06000018","E05001835"
"B1  1AA",10,406980,286850,"E92000001","E19000001","E18000006","","E08000025","E05001190"
"NG1 9ZZ",90,0,0,"E92000001","","","","",""
"NG9 1AB",50,452010,337210,"E92000001","E19000001","E18000004","E10000024","E07000172","E05009625"
`

func TestParseCodePointHeaderless(t *testing.T) {
	recs, st := collect(t, codePointRows)
	wantStats(t, st, 5, 4, nil, map[string]int{SkipNoCoordinatesQ90: 1})

	want := []Record{
		{Postcode: "NG1 1AA", Easting: 457803, Northing: 340082, HasGrid: true},
		{Postcode: "NG7 2QQ", Easting: 454630, Northing: 338420, HasGrid: true},
		{Postcode: "B1 1AA", Easting: 406980, Northing: 286850, HasGrid: true},
		{Postcode: "NG9 1AB", Easting: 452010, Northing: 337210, HasGrid: true},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(recs), len(want), recs)
	}
	for i := range want {
		if recs[i] != want[i] {
			t.Errorf("record %d = %+v, want %+v", i, recs[i], want[i])
		}
	}
}

func TestParseCodePointWithHeader(t *testing.T) {
	for name, header := range map[string]string{
		"long names":  "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\n",
		"short names": "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n",
	} {
		t.Run(name, func(t *testing.T) {
			recs, st := collect(t, header+codePointRows)
			wantStats(t, st, 5, 4, nil, map[string]int{SkipNoCoordinatesQ90: 1})
			if recs[0].Postcode != "NG1 1AA" || recs[0].Easting != 457803 {
				t.Fatalf("first record %+v", recs[0])
			}
		})
	}
}

// onspdHeader2023 is the ONSPD CSV header as published up to 2024 (this is
// the February 2023 column list).
var onspdHeader2023 = strings.Split("pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,park,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21", ",")

// onspdHeader2025 is the renamed layout used from 2025 (ONSPD and NSPL).
var onspdHeader2025 = strings.Split("pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,cty25cd,ced25cd,lad25cd,wd25cd,nhser24cd,ctry25cd,rgn25cd,pcon24cd,ttwa15cd,itl25cd,npark16cd,lsoa21cd,msoa21cd,wz11cd,sicbl24cd,bua24cd,ruc21ind,oac11ind,lat,long,lep21cd1,lep21cd2,pfa23cd,imd20ind,icb23cd", ",")

// onspdFile builds a CSV in the given column layout: the header line, then
// one row per map, quoting strings as ONS does and leaving lat/long bare.
// Columns a row does not name get a placeholder area code.
func onspdFile(header []string, rows ...map[string]string) string {
	var b strings.Builder
	b.WriteString(strings.Join(header, ","))
	b.WriteString("\n")
	for _, row := range rows {
		for i, col := range header {
			if i > 0 {
				b.WriteByte(',')
			}
			v, ok := row[col]
			if !ok {
				v = "E99999999"
			}
			if col == "lat" || col == "long" {
				b.WriteString(v)
			} else {
				b.WriteString(strconv.Quote(v))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestParseONSPD2023Layout(t *testing.T) {
	in := onspdFile(onspdHeader2023,
		// Real row: AB1 0AA, terminated June 1996 (grid northing zero-padded as ONS writes it).
		map[string]string{"pcd": "AB1 0AA", "pcd2": "AB1  0AA", "pcds": "AB1 0AA", "dointr": "198001", "doterm": "199606",
			"oseast1m": "385386", "osnrth1m": "0801193", "osgrdind": "1", "ctry": "S92000003", "lat": "57.101474", "long": "-2.242851"},
		// Live Nottingham postcode.
		map[string]string{"pcd": "NG1 1AA", "pcd2": "NG1  1AA", "pcds": "NG1 1AA", "dointr": "198001", "doterm": "",
			"oseast1m": "457803", "osnrth1m": "0340082", "osgrdind": "1", "ctry": "E92000001", "lat": "52.955048", "long": "-1.141082"},
		// Channel Islands: no grid reference (indicator 9, blank grid, 99.999999/0).
		map[string]string{"pcd": "GY1 1AA", "pcd2": "GY1  1AA", "pcds": "GY1 1AA", "dointr": "200101", "doterm": "",
			"oseast1m": "", "osnrth1m": "", "osgrdind": "9", "ctry": "L93000001", "lat": "99.999999", "long": "0.000000"},
		// Northern Ireland: grid columns hold Irish Grid values; lat/long are WGS84.
		map[string]string{"pcd": "BT1 1AA", "pcd2": "BT1  1AA", "pcds": "BT1 1AA", "dointr": "198001", "doterm": "",
			"oseast1m": "333890", "osnrth1m": "0374250", "osgrdind": "1", "ctry": "N92000002", "lat": "54.5995", "long": "-5.92844"},
		// Northern Ireland with Irish Grid only: unusable.
		map[string]string{"pcd": "BT9 5AA", "pcd2": "BT9  5AA", "pcds": "BT9 5AA", "dointr": "198001", "doterm": "",
			"oseast1m": "333000", "osnrth1m": "0371000", "osgrdind": "1", "ctry": "N92000002", "lat": "99.999999", "long": "0.000000"},
		// Not a postcode.
		map[string]string{"pcd": "XX", "pcd2": "XX", "pcds": "XX", "oseast1m": "457803", "osnrth1m": "340082", "lat": "52.9", "long": "-1.1"},
	)
	recs, st := collect(t, in)
	wantStats(t, st, 6, 3, map[string]int{ReasonBadPostcode: 1}, map[string]int{SkipNoCoordinates: 2})
	got := byPostcode(recs)

	ab := got["AB1 0AA"]
	if !ab.Terminated || !ab.HasGrid || ab.Easting != 385386 || ab.Northing != 801193 ||
		!ab.HasLatLon || ab.Lat != 57.101474 || ab.Lon != -2.242851 {
		t.Errorf("AB1 0AA = %+v", ab)
	}
	ng := got["NG1 1AA"]
	if ng.Terminated || ng.Easting != 457803 || ng.Northing != 340082 || !ng.HasLatLon {
		t.Errorf("NG1 1AA = %+v", ng)
	}
	// Belfast must come out on the British National Grid (≈146362, 529798
	// per doogal.co.uk's BT1 district), not the Irish Grid values in the file.
	bt := got["BT1 1AA"]
	if !bt.HasGrid || !near(float64(bt.Easting), 146362, 10) || !near(float64(bt.Northing), 529798, 10) {
		t.Errorf("BT1 1AA = %+v; want grid derived from lat/long", bt)
	}
}

func TestParseONSPD2025Layout(t *testing.T) {
	in := onspdFile(onspdHeader2025,
		// Real rows (pcd7/pcd8/pcds, then dates, grid and lat/long).
		map[string]string{"pcd7": "CA8 7JG", "pcd8": "CA8  7JG", "pcds": "CA8 7JG", "dointr": "200006", "doterm": "",
			"east1m": "366033", "north1m": "564878", "gridind": "1", "ctry25cd": "E92000001", "lat": "54.977349", "long": "-2.532223"},
		map[string]string{"pcd7": "BR8 7QP", "pcd8": "BR8  7QP", "pcds": "BR8 7QP", "dointr": "198001", "doterm": "",
			"east1m": "549571", "north1m": "169349", "gridind": "1", "ctry25cd": "E92000001", "lat": "51.403453", "long": "0.148952"},
		// Terminated, still located.
		map[string]string{"pcd7": "NG7 2QQ", "pcd8": "NG7  2QQ", "pcds": "NG7 2QQ", "dointr": "198001", "doterm": "202307",
			"east1m": "454630", "north1m": "338420", "gridind": "1", "ctry25cd": "E92000001", "lat": "52.940461", "long": "-1.188712"},
		// No grid reference, written as zeros.
		map[string]string{"pcd7": "IM1 1AA", "pcd8": "IM1  1AA", "pcds": "IM1 1AA", "dointr": "198001", "doterm": "",
			"east1m": "0", "north1m": "0", "gridind": "9", "ctry25cd": "M83000003", "lat": "99.999999", "long": "0.000000"},
	)
	recs, st := collect(t, in)
	wantStats(t, st, 4, 3, nil, map[string]int{SkipNoCoordinates: 1})
	got := byPostcode(recs)
	if r := got["CA8 7JG"]; r.Easting != 366033 || r.Northing != 564878 || r.Lat != 54.977349 || r.Terminated {
		t.Errorf("CA8 7JG = %+v", r)
	}
	if r := got["BR8 7QP"]; r.Easting != 549571 || r.Northing != 169349 || r.Lon != 0.148952 {
		t.Errorf("BR8 7QP = %+v", r)
	}
	if r := got["NG7 2QQ"]; !r.Terminated || !r.HasGrid {
		t.Errorf("NG7 2QQ = %+v; want terminated with grid", r)
	}
}

// A directory extract with lat/long but no grid columns still yields grid
// coordinates, via geo.LatLonToGrid.
func TestParseLatLonOnly(t *testing.T) {
	in := "PCDS,LAT,LONG\r\n" +
		"\"BR8 7QP\",51.403453,0.148952\r\n" +
		"\"NG1 1AA\",,\r\n"
	recs, st := collect(t, in)
	wantStats(t, st, 2, 1, nil, map[string]int{SkipNoCoordinates: 1})
	r := recs[0]
	if !r.HasGrid || !r.HasLatLon || !near(float64(r.Easting), 549571, 5) || !near(float64(r.Northing), 169349, 5) {
		t.Fatalf("BR8 7QP = %+v; want grid ≈ 549571, 169349 from lat/long", r)
	}
}

func TestParseBOMCRLFBlankLines(t *testing.T) {
	const bom = "\uFEFF"
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

	t.Run("code-point headerless", func(t *testing.T) {
		in := bom + crlf("\n\n"+codePointRows+"\n   \n\n")
		recs, st := collect(t, in)
		wantStats(t, st, 5, 4, nil, map[string]int{SkipNoCoordinatesQ90: 1})
		if recs[0].Postcode != "NG1 1AA" {
			t.Fatalf("first record %+v", recs[0])
		}
	})
	t.Run("onspd with header", func(t *testing.T) {
		in := bom + crlf(onspdFile(onspdHeader2025,
			map[string]string{"pcds": "CA8 7JG", "east1m": "366033", "north1m": "564878", "gridind": "1", "doterm": "", "lat": "54.977349", "long": "-2.532223"},
		)+"\n\n")
		recs, st := collect(t, in)
		wantStats(t, st, 1, 1, nil, nil)
		if recs[0].Postcode != "CA8 7JG" || recs[0].Easting != 366033 || recs[0].Lon != -2.532223 {
			t.Fatalf("record %+v", recs[0])
		}
	})
}

func TestParseRejectReasons(t *testing.T) {
	in := `"NG1 1AA",10,457803,340082,"E92000001","E19000001","E18000004","","E06000018","E05001838"
"NG1 1AB",10,457803
"NOT A PC",10,457803,340082,"E92000001","","","","",""
"NG1 1AD",10,45x803,340082,"E92000001","","","","",""
"NG1 1AE",ten,457803,340082,"E92000001","","","","",""
"NG1 1AF",10,340082,4578030,"E92000001","","","","",""
"NG1 1AG",10,0,0,"E92000001","","","","",""
"NG1 1AH",90,0,0,"E92000001","","","","",""
"NG1 1"AJ",10,457803,340082,"E92000001","","","","",""
"NG1 1AL",10,457803,340082,"E92000001","E19000001","E18000004","","E06000018","E05001838"
`
	recs, st := collect(t, in)
	wantStats(t, st, 10, 2, map[string]int{
		ReasonShortRow:     1,
		ReasonBadPostcode:  1,
		ReasonBadNumber:    2,
		ReasonOutOfRange:   1,
		ReasonNoLocation:   1, // NG1 1AG: 0,0 though its quality says located
		ReasonMalformedCSV: 1,
	}, map[string]int{SkipNoCoordinatesQ90: 1}) // NG1 1AH
	if recs[0].Postcode != "NG1 1AA" || recs[1].Postcode != "NG1 1AL" {
		t.Fatalf("accepted %+v; want NG1 1AA and NG1 1AL", recs)
	}
}

func TestParseTerminatedOnlyFromDoterm(t *testing.T) {
	in := onspdFile([]string{"pcds", "doterm", "oseast1m", "osnrth1m", "lat", "long"},
		map[string]string{"pcds": "NG1 1AA", "doterm": "", "oseast1m": "457803", "osnrth1m": "340082", "lat": "52.955048", "long": "-1.141082"},
		map[string]string{"pcds": "NG1 1AB", "doterm": " ", "oseast1m": "457803", "osnrth1m": "340082", "lat": "52.955048", "long": "-1.141082"},
		map[string]string{"pcds": "NG1 1AD", "doterm": "201104", "oseast1m": "457803", "osnrth1m": "340082", "lat": "52.955048", "long": "-1.141082"},
	)
	recs, _ := collect(t, in)
	got := byPostcode(recs)
	if got["NG1 1AA"].Terminated || got["NG1 1AB"].Terminated || !got["NG1 1AD"].Terminated {
		t.Fatalf("terminated flags wrong: %+v", recs)
	}
	// Code-Point lists live postcodes only.
	recs, _ = collect(t, codePointRows)
	for _, r := range recs {
		if r.Terminated {
			t.Fatalf("Code-Point record marked terminated: %+v", r)
		}
	}
}

func TestParseUnknownFormat(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"blank lines":    "\r\n\r\n  \r\n",
		"bom only":       "\uFEFF",
		"district file":  "Postcode,Latitude,Longitude,Easting,Northing,Grid Reference\nNG1,52.9546,-1.1475,457370,340032,SK573400\n",
		"no coordinates": "pcds,dointr,doterm,ctry\n\"NG1 1AA\",\"198001\",\"\",\"E92000001\"\n",
		"prose":          "hello, world\n",
	} {
		t.Run(name, func(t *testing.T) {
			called := false
			_, err := Parse(strings.NewReader(in), func(Record) error { called = true; return nil })
			if !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("err = %v; want ErrUnknownFormat", err)
			}
			if called {
				t.Fatal("fn called for an unknown format")
			}
		})
	}
}

func TestParseStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	st, err := Parse(strings.NewReader(codePointRows), func(Record) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v; want wrapped stop at line 2", err)
	}
	if n != 2 || st.Accepted != 2 {
		t.Fatalf("n = %d, stats %+v; want parsing to stop at the second record", n, st)
	}
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(codePointRows), iotest.ErrReader(boom))
	st, err := Parse(r, func(Record) error { return nil })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v; want %v", err, boom)
	}
	if st.Accepted != 4 {
		t.Fatalf("stats %+v; want the rows before the error", st)
	}
}

// genReader produces a headerless Code-Point file row by row as it is read,
// so the whole file never exists in memory.
type genReader struct {
	rows, next int // rows at most 240,000
	buf        []byte
}

var inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.next == g.rows {
			return 0, io.EOF
		}
		i := g.next
		g.next++
		quality, e, n := 10, 450000+i%5000, 330000+i%7000
		if i%100 == 99 {
			quality, e, n = 90, 0, 0
		}
		b := g.buf[:0]
		b = append(b, `"NG`...)
		// Distinct postcodes for up to 60×10×20×20 = 240,000 rows (a
		// repeated one would be rejected as a duplicate).
		b = strconv.AppendInt(b, int64(i%60+1), 10)
		b = append(b, ' ', byte('0'+i/60%10), inwardLetters[i/600%20], inwardLetters[i/12000%20], '"', ',')
		b = strconv.AppendInt(b, int64(quality), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `,"E92000001","E19000001","E18000004","","E06000018","E05001838"`+"\r\n"...)
		g.buf = b
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func TestParseStreams200kRows(t *testing.T) {
	const rows = 200_000
	g := &genReader{rows: rows}
	producedAtFirst := -1
	accepted := 0
	st, err := Parse(g, func(r Record) error {
		if producedAtFirst < 0 {
			producedAtFirst = g.next
		}
		if !r.HasGrid || r.Postcode == "" {
			t.Fatalf("bad record %+v", r)
		}
		accepted++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStats(t, st, rows, rows-rows/100, nil, map[string]int{SkipNoCoordinatesQ90: rows / 100})
	if accepted != st.Accepted {
		t.Fatalf("fn called %d times, Accepted %d", accepted, st.Accepted)
	}
	// Streaming: the first record reached fn after only a buffer's worth of
	// input had been generated, not the whole file.
	if producedAtFirst <= 0 || producedAtFirst > 5000 {
		t.Fatalf("first record delivered after %d of %d rows were generated; want streaming", producedAtFirst, rows)
	}
}
