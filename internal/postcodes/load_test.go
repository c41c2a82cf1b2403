package postcodes

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/postcode"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/viewer"
)

// Real Code-Point Open rows (August 2014, greater Nottingham) as OS ships
// them, headerless, plus rows the parser must reject without stopping.
const loadCodePoint = `"NG1 1AA",10,457803,340082,"E92000001","E19000001","E18000004","","E06000018","E05001838"
"NG1 1AJ",10,458176,339658,"E92000001","E19000001","E18000004","","E06000018","E05001833"
"NG7 2QQ",10,454235,338849,"E92000001","E19000001","E18000004","","E06000018","E05001840"
"NG1 9ZZ",90,0,0,"E92000001","","","","",""
"NOT A PC",10,457803,340082,"E92000001","","","","",""
"NG72RD",10,454603,338640,"E92000001","E19000001","E18000004","","E06000018","E05001840"
"NG9 2JE",10,45288x,337470,"E92000001","E19000001","E18000004","E10000024","E07000172","E05006405"
"NG2 7LJ",10,458225,337844,"E92000001","E19000001","E18000004","E10000024","E07000176","E05006514"
`

var (
	loadCodePointRejects = map[string]int{ReasonBadPostcode: 1, ReasonBadNumber: 1}
	// NG1 9ZZ has quality 90: a valid postcode without coordinates.
	loadCodePointSkips = map[string]int{SkipNoCoordinatesQ90: 1}
)

type row struct {
	outward           string
	easting, northing int
	terminated        bool
}

func table(t *testing.T, c *ent.Client) map[string]row {
	t.Helper()
	all, err := c.Postcode.Query().All(viewer.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]row, len(all))
	for _, p := range all {
		m[p.Postcode] = row{p.Outward, p.Easting, p.Northing, p.Terminated}
	}
	return m
}

func load(t *testing.T, c *ent.Client, in string) LoadStats {
	t.Helper()
	ls, err := Load(viewer.SystemContext(context.Background()), c, strings.NewReader(in), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if ls.Added+ls.Updated+ls.Unchanged != ls.Accepted {
		t.Fatalf("added %d + updated %d + unchanged %d != accepted %d", ls.Added, ls.Updated, ls.Unchanged, ls.Accepted)
	}
	return ls
}

func wantLoad(t *testing.T, ls LoadStats, added, updated, unchanged int, rejects, skips map[string]int) {
	t.Helper()
	if rejects == nil {
		rejects = map[string]int{}
	}
	if skips == nil {
		skips = map[string]int{}
	}
	if ls.Added != added || ls.Updated != updated || ls.Unchanged != unchanged ||
		!maps.Equal(ls.Rejects, rejects) || !maps.Equal(ls.Skips, skips) {
		t.Fatalf("load = added %d, updated %d, unchanged %d, rejects %v, skips %v; want %d, %d, %d, %v, %v",
			ls.Added, ls.Updated, ls.Unchanged, ls.Rejects, ls.Skips, added, updated, unchanged, rejects, skips)
	}
}

func TestLoadCodePoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ls := load(t, d.Client, loadCodePoint)
		// Rule: a Code-Point row of quality 90 is a valid postcode with no
		// coordinates, skipped, not rejected.
		if ls.Read != 8 || ls.Rejected != 2 || ls.Skipped != 1 {
			t.Fatalf("read %d, rejected %d, skipped %d; want 8, 2, 1", ls.Read, ls.Rejected, ls.Skipped)
		}
		if got := ls.String(); !strings.Contains(got, ", 1 skipped (no coordinates (quality 90): 1)") {
			t.Fatalf("summary %q", got)
		}
		wantLoad(t, ls, 5, 0, 0, loadCodePointRejects, loadCodePointSkips)
		want := map[string]row{
			"NG1 1AA": {"NG1", 457803, 340082, false},
			"NG1 1AJ": {"NG1", 458176, 339658, false},
			"NG7 2QQ": {"NG7", 454235, 338849, false},
			"NG7 2RD": {"NG7", 454603, 338640, false}, // written unspaced in the file
			"NG2 7LJ": {"NG2", 458225, 337844, false},
		}
		if got := table(t, d.Client); !maps.Equal(got, want) {
			t.Fatalf("table = %v\nwant %v", got, want)
		}

		// Idempotent: the same file again changes nothing.
		ls = load(t, d.Client, loadCodePoint)
		wantLoad(t, ls, 0, 0, 5, loadCodePointRejects, loadCodePointSkips)
		if got := table(t, d.Client); !maps.Equal(got, want) {
			t.Fatalf("after re-run table = %v", got)
		}

		// A later release moves one postcode and adds one.
		next := strings.Replace(loadCodePoint, "458176,339658", "458180,339660", 1) +
			`"NG7 1AA",10,456356,340040,"E92000001","E19000001","E18000004","","E06000018","E05001837"` + "\n"
		ls = load(t, d.Client, next)
		wantLoad(t, ls, 1, 1, 4, loadCodePointRejects, loadCodePointSkips)
		want["NG1 1AJ"] = row{"NG1", 458180, 339660, false}
		want["NG7 1AA"] = row{"NG7", 456356, 340040, false}
		if got := table(t, d.Client); !maps.Equal(got, want) {
			t.Fatalf("after update table = %v\nwant %v", got, want)
		}
	})
}

func TestLoadONSPDTerminated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		live := map[string]string{"pcd7": "NG7 2QQ", "pcd8": "NG7  2QQ", "pcds": "NG7 2QQ", "dointr": "198001", "doterm": "",
			"east1m": "454235", "north1m": "338849", "gridind": "1", "ctry25cd": "E92000001", "lat": "52.944590", "long": "-1.194590"}
		rows := []map[string]string{
			live,
			{"pcd7": "CA8 7JG", "pcd8": "CA8  7JG", "pcds": "CA8 7JG", "dointr": "200006", "doterm": "",
				"east1m": "366033", "north1m": "564878", "gridind": "1", "ctry25cd": "E92000001", "lat": "54.977349", "long": "-2.532223"},
			// Terminated, still located: stored, flagged.
			{"pcd7": "AB1 0AA", "pcd8": "AB1  0AA", "pcds": "AB1 0AA", "dointr": "198001", "doterm": "199606",
				"east1m": "385386", "north1m": "0801193", "gridind": "1", "ctry25cd": "S92000003", "lat": "57.101474", "long": "-2.242851"},
			// No location at all.
			{"pcd7": "GY1 1AA", "pcd8": "GY1  1AA", "pcds": "GY1 1AA", "dointr": "200101", "doterm": "",
				"east1m": "", "north1m": "", "gridind": "9", "ctry25cd": "L93000001", "lat": "99.999999", "long": "0.000000"},
		}
		ls := load(t, d.Client, onspdFile(onspdHeader2025, rows...))
		wantLoad(t, ls, 3, 0, 0, nil, map[string]int{SkipNoCoordinates: 1})
		want := map[string]row{
			"NG7 2QQ": {"NG7", 454235, 338849, false},
			"CA8 7JG": {"CA8", 366033, 564878, false},
			"AB1 0AA": {"AB1", 385386, 801193, true},
		}
		if got := table(t, d.Client); !maps.Equal(got, want) {
			t.Fatalf("table = %v\nwant %v", got, want)
		}

		// The next release terminates NG7 2QQ: same place, now flagged.
		ended := maps.Clone(live)
		ended["doterm"] = "202507"
		rows[0] = ended
		ls = load(t, d.Client, onspdFile(onspdHeader2025, rows...))
		wantLoad(t, ls, 0, 1, 2, nil, map[string]int{SkipNoCoordinates: 1})
		if got := table(t, d.Client)["NG7 2QQ"]; !got.terminated {
			t.Fatalf("NG7 2QQ = %+v; want terminated", got)
		}
		ls = load(t, d.Client, onspdFile(onspdHeader2025, rows...))
		wantLoad(t, ls, 0, 0, 3, nil, map[string]int{SkipNoCoordinates: 1})
	})
}

// Several batches: progress is reported after each, the counts carry across
// batches, and a second run writes nothing.
func TestLoadBatchesAndProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		const rows = 2*BatchSize + 500 // every 100th row has no location
		accepted := rows - rows/100
		var seen []Stats
		ls, err := Load(viewer.SystemContext(context.Background()), d.Client, &genReader{rows: rows}, func(st Stats) { seen = append(seen, st) })
		if err != nil {
			t.Fatal(err)
		}
		wantLoad(t, ls, accepted, 0, 0, nil, map[string]int{SkipNoCoordinatesQ90: rows / 100})
		if len(seen) != 3 {
			t.Fatalf("progress called %d times, want 3 (two full batches and the rest): %+v", len(seen), seen)
		}
		for i, want := range []int{BatchSize, 2 * BatchSize, accepted} {
			if seen[i].Accepted != want || seen[i].Read != seen[i].Accepted+seen[i].Rejected+seen[i].Skipped {
				t.Fatalf("progress %d = %+v; want %d accepted", i, seen[i], want)
			}
		}
		if n := d.Postcode.Query().CountX(viewer.SystemContext(context.Background())); n != accepted {
			t.Fatalf("table has %d rows, want %d", n, accepted)
		}

		ls, err = Load(viewer.SystemContext(context.Background()), d.Client, &genReader{rows: rows}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantLoad(t, ls, 0, 0, accepted, nil, map[string]int{SkipNoCoordinatesQ90: rows / 100})
	})
}

// Rule: within one file the first row for a postcode wins; later rows with
// it, at other coordinates or exact copies, are rejected as "duplicate of
// line N", so re-running the file settles at unchanged.
func TestLoadDuplicatePostcodeFirstRowWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		in := `"NG1 1AA",10,457803,340082,"E92000001","","","","",""
"NG1 1AJ",10,458176,339658,"E92000001","","","","",""
"ng11aa",10,457900,340100,"E92000001","","","","",""
"NG1 1AJ",10,458176,339658,"E92000001","","","","",""
`
		dups := map[string]int{csvimport.ReasonDuplicate: 2}
		ls := load(t, d.Client, in)
		wantLoad(t, ls, 2, 0, 0, dups, nil)
		want := map[string]row{"NG1 1AA": {"NG1", 457803, 340082, false}, "NG1 1AJ": {"NG1", 458176, 339658, false}}
		if got := table(t, d.Client); !maps.Equal(got, want) {
			t.Fatalf("table = %v\nwant %v", got, want)
		}
		if got := ls.RejectedList(); got != "\nrejected rows:\n  line 3 (NG1 1AA): duplicate of line 1\n  line 4 (NG1 1AJ): duplicate of line 2" {
			t.Fatalf("RejectedList = %q", got)
		}
		for range 2 {
			wantLoad(t, load(t, d.Client, in), 0, 0, 2, dups, nil)
		}
	})
}

func TestPackPostcodeDistinct(t *testing.T) {
	seen := map[uint64]string{}
	for _, pc := range []string{"NG7 2QQ", "SW1A 1AA", "W1A 0AX", "NG72 QQ", "B1 1AA", "B11 1AA", "EC1A 1BB"} {
		k := packPostcode(pc)
		if other, ok := seen[k]; ok {
			t.Fatalf("%q and %q pack to %x", pc, other, k)
		}
		seen[k] = pc
	}
}

func TestLoadStopsOnDatabaseError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(viewer.SystemContext(context.Background()))
		cancel()
		ls, err := Load(ctx, d.Client, strings.NewReader(loadCodePoint), nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v; want context.Canceled", err)
		}
		if ls.Added+ls.Updated+ls.Unchanged != 0 {
			t.Fatalf("stats %+v; want nothing counted as written", ls)
		}
		if n := d.Postcode.Query().Where(postcode.Outward("NG1")).CountX(viewer.SystemContext(context.Background())); n != 0 {
			t.Fatalf("%d rows written", n)
		}
	})
}

func TestLoadUnknownFormat(t *testing.T) {
	d := dbtest.SQLite(t)
	_, err := Load(viewer.SystemContext(context.Background()), d.Client, strings.NewReader("hello, world\n"), nil)
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err = %v; want ErrUnknownFormat", err)
	}
}
