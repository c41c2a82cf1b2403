package catalogue

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
)

type srow struct{ name, address, postcode, phone string }

func schools(t *testing.T, c *ent.Client) map[string]srow {
	t.Helper()
	all, err := c.School.Query().All(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]srow, len(all))
	for _, s := range all {
		m[s.Urn] = srow{s.Name, s.Address, s.Postcode, s.Phone}
	}
	return m
}

// Nottingham City secondaries (real URNs, names and addresses) as GIAS
// lists them.
var djanogly = map[string]string{
	"URN": "134253", "LA (code)": "892", "LA (name)": "Nottingham", "EstablishmentNumber": "6905",
	"EstablishmentName": "Djanogly City Academy", "TypeOfEstablishment (code)": "28",
	"TypeOfEstablishment (name)": "Academy sponsor led", "EstablishmentTypeGroup (code)": "10",
	"EstablishmentTypeGroup (name)": "Academies", "EstablishmentStatus (code)": "1", "EstablishmentStatus (name)": "Open",
	"PhaseOfEducation (code)": "4", "PhaseOfEducation (name)": "Secondary", "StatutoryLowAge": "11", "StatutoryHighAge": "19",
	"Street": "Gregory Boulevard", "Locality": "Nottingham Road", "Address3": "", "Town": "Nottingham",
	"County (name)": "Nottinghamshire", "Postcode": "NG7 6ND", "TelephoneNum": "01159421300",
}

var (
	fernwood = with(djanogly, "URN", "136724", "EstablishmentName", "Fernwood School", "Street", "Goodwood Road",
		"Locality", "Wollaton", "Postcode", "NG8 2FT", "TelephoneNum", "01159286326")
	// Windows-1252: 0x92 is the right single quotation mark.
	girlsAcademy = with(djanogly, "URN", "137184", "EstablishmentName", "Nottingham Girls\x92 Academy",
		"Street", "Robin\x92s Wood Road", "Locality", "", "Postcode", "NG8 3LD", "TelephoneNum", "01157483410")
	// Broxtowe, so Nottinghamshire (891), not Nottingham City.
	kimberley = with(djanogly, "URN", "138641", "LA (code)", "891", "LA (name)", "Nottinghamshire",
		"EstablishmentName", "The Kimberley School", "Street", "Newdigate Street", "Locality", "Kimberley",
		"Postcode", "NG16 2NJ", "TelephoneNum", "01159387000")
	// Made up from here on.
	closed = with(djanogly, "URN", "999001", "EstablishmentName", "Former Secondary School",
		"EstablishmentStatus (code)", "2", "EstablishmentStatus (name)", "Closed", "CloseDate", "31-08-2012")
	primary = with(djanogly, "URN", "999002", "EstablishmentName", "Example Primary School",
		"PhaseOfEducation (code)", "2", "PhaseOfEducation (name)", "Primary", "StatutoryLowAge", "3", "StatutoryHighAge", "11")
	// No ages given: the phase decides, and "Not applicable" (PRUs, special
	// schools) is kept.
	pru = with(djanogly, "URN", "999003", "EstablishmentName", "Example Pupil Referral Unit",
		"PhaseOfEducation (code)", "0", "PhaseOfEducation (name)", "Not applicable", "StatutoryLowAge", "", "StatutoryHighAge", "",
		"Street", "Haydn Road", "Locality", "", "Postcode", "ng51eb", "TelephoneNum", "")
	badURN      = with(djanogly, "URN", "12345")
	badPostcode = with(djanogly, "URN", "999004", "Postcode", "NG7")
)

var giasRows = []map[string]string{djanogly, fernwood, girlsAcademy, kimberley, closed, primary, pru, badURN, badPostcode}

// giasFile is an establishment extract as GIAS publishes it: every cell
// quoted, CRLF, Windows-1252.
func giasFile(rows ...map[string]string) string { return csvFile(giasColumns, "\r\n", true, rows...) }

var nottingham = map[string]srow{
	"134253": {"Djanogly City Academy", "Gregory Boulevard, Nottingham Road, Nottingham", "NG7 6ND", "01159421300"},
	"136724": {"Fernwood School", "Goodwood Road, Wollaton, Nottingham", "NG8 2FT", "01159286326"},
	"137184": {"Nottingham Girls’ Academy", "Robin’s Wood Road, Nottingham", "NG8 3LD", "01157483410"},
	"999003": {"Example Pupil Referral Unit", "Haydn Road, Nottingham", "NG5 1EB", ""},
}

var nottinghamRejects = map[string]int{ReasonBadURN: 1, ReasonBadPostcode: 1}

func TestSchoolsGIAS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		in := giasFile(giasRows...)
		sum := loadSchools(t, d.Client, in, "892")
		wantSummary(t, sum, 4, 0, 0, nottinghamRejects)
		// Rule: good rows left out on purpose are skipped with a reason,
		// not rejected: with --la the other authority's school (Kimberley,
		// 891), the closed school and the primary.
		skips := map[string]int{SkippedOtherLA: 1, SkipClosed: 1, AgeReason("Primary"): 1}
		if sum.Skipped != 3 || !maps.Equal(sum.Skips, skips) {
			t.Fatalf("skipped %d %v; want %v", sum.Skipped, sum.Skips, skips)
		}
		// The summary lists the rejected rows by line and URN (none for
		// the row whose URN is invalid); the header is line 1.
		want := "read 9 rows: 4 added, 0 updated, 0 unchanged, 2 rejected (invalid URN: 1, invalid postcode: 1), " +
			"3 skipped (closed: 1, not teaching ages 14–16 (Primary): 1, other local authority: 1)\n" +
			"rejected rows:\n" +
			"  line 9: invalid URN\n" +
			"  line 10 (999004): invalid postcode"
		if got := sum.String(); got != want {
			t.Fatalf("summary %q\nwant %q", got, want)
		}
		if got := schools(t, d.Client); !maps.Equal(got, nottingham) {
			t.Fatalf("schools = %v\nwant %v", got, nottingham)
		}

		// Idempotent.
		sum = loadSchools(t, d.Client, in, "892")
		wantSummary(t, sum, 0, 0, 4, nottinghamRejects)

		// The same rows in UTF-8 with a BOM are the same schools.
		utf8 := "\uFEFF" + strings.ReplaceAll(in, "\x92", "’")
		sum = loadSchools(t, d.Client, utf8, "892")
		wantSummary(t, sum, 0, 0, 4, nottinghamRejects)

		// A renamed school is Updated, and keeps what the partnership set.
		ctx := sysCtx()
		d.Client.School.Update().Where(school.Urn("134253")).SetLateAlertMinutes(30).ExecX(ctx)
		rows := append([]map[string]string{with(djanogly, "EstablishmentName", "Djanogly City Academy Trust")}, giasRows[1:]...)
		sum = loadSchools(t, d.Client, giasFile(rows...), "892")
		wantSummary(t, sum, 0, 1, 3, nottinghamRejects)
		s := d.Client.School.Query().Where(school.Urn("134253")).OnlyX(ctx)
		if s.Name != "Djanogly City Academy Trust" || s.LateAlertMinutes != 30 {
			t.Fatalf("school = %q, late alert %d; want renamed, 30 kept", s.Name, s.LateAlertMinutes)
		}

		// Without --la every authority's schools load.
		sum = loadSchools(t, d.Client, giasFile(rows...), "")
		wantSummary(t, sum, 1, 0, 4, nottinghamRejects)
		if sum.Skipped != 2 || sum.Skips[SkippedOtherLA] != 0 {
			t.Fatalf("skipped %d %v without --la; want only the closed school and the primary", sum.Skipped, sum.Skips)
		}
	})
}

func TestSchoolsBadArguments(t *testing.T) {
	d := dbtest.SQLite(t)
	if _, err := Schools(sysCtx(), d.Client, strings.NewReader(giasFile(djanogly)), "Nottingham", nil); err == nil {
		t.Error("la Nottingham accepted; want the 3-digit code asked for")
	}
	// The kosmos-style list derived from GIAS renames the columns and has
	// no local authority.
	derived := "name,type,status,street,locality,town,county,postcode,website,phone,urn\n" +
		"Fernwood School,Academy converter,Open,Goodwood Road,Wollaton,Nottingham,Nottinghamshire,NG8 2FT,,1159286326.0,136724\n"
	if _, err := Schools(sysCtx(), d.Client, strings.NewReader(derived), "", nil); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("derived list: err = %v; want ErrUnknownFormat", err)
	}
	noLA := "\"URN\",\"EstablishmentName\",\"Postcode\"\r\n136724,\"Fernwood School\",\"NG8 2FT\"\r\n"
	if _, err := Schools(sysCtx(), d.Client, strings.NewReader(noLA), "892", nil); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("--la without an LA column: err = %v; want ErrUnknownFormat", err)
	}
	sum, err := Schools(sysCtx(), d.Client, strings.NewReader(noLA), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSummary(t, sum, 1, 0, 0, nil)
}

func TestSchoolsProgress(t *testing.T) {
	d := dbtest.SQLite(t)
	var seen []csvimport.Stats
	_, err := Schools(sysCtx(), d.Client, strings.NewReader(giasFile(giasRows...)), "892", func(st csvimport.Stats) { seen = append(seen, st) })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Read != len(giasRows) || seen[0].Accepted != 4 {
		t.Fatalf("progress = %+v; want one call after the only batch", seen)
	}
}

// Schools for 14–16 year olds: the statutory age range includes 15.
func TestTeaches14to16(t *testing.T) {
	for _, c := range []struct {
		low, high, phase string
		want             bool
	}{
		{"11", "16", "Secondary", true},
		{"11", "18", "Secondary", true},
		{"13", "18", "Secondary", true},     // upper school
		{"3", "18", "All-through", true},    // all-through
		{"2", "19", "Not applicable", true}, // special school
		{"4", "11", "Primary", false},
		{"9", "13", "Middle deemed secondary", false},
		{"16", "19", "16 plus", false},
		{"", "", "Not applicable", true}, // PRU without ages
		{"", "", "Secondary", true},
		{"", "", "Primary", false},
		{"", "", "Nursery", false},
		{"", "", "", true},
	} {
		if got := teaches14to16(c.low, c.high, c.phase); got != c.want {
			t.Errorf("teaches14to16(%q, %q, %q) = %v; want %v", c.low, c.high, c.phase, got, c.want)
		}
	}
}

// A GIAS row that stops before a column the importer reads (here after
// Town, so without postcode or telephone) is rejected with its width and
// the header's, and leaves the stored school as it was.
func TestSchoolsShortRowRejected(t *testing.T) {
	d := dbtest.SQLite(t)
	loadSchools(t, d.Client, giasFile(djanogly), "892")
	f := giasFile(with(djanogly, "EstablishmentName", "Renamed Academy"))
	cut := strings.Index(f, `"Nottingham","Nottinghamshire"`) + len(`"Nottingham"`)
	sum := loadSchools(t, d.Client, f[:cut]+"\r\n", "892")
	wantSummary(t, sum, 0, 0, 0, map[string]int{csvimport.ShortRowReason(63, len(giasColumns)): 1})
	if got := schools(t, d.Client)["134253"]; got != nottingham["134253"] {
		t.Fatalf("school = %+v; want it kept as %+v", got, nottingham["134253"])
	}
}

// A UTF-8 extract (its first non-ASCII row is UTF-8) with a row in
// Windows-1252 bytes: that row is rejected, not read as Windows-1252, since
// one file has one encoding; the rest load.
func TestSchoolsEncodingIsPerFile(t *testing.T) {
	d := dbtest.SQLite(t)
	utf8Girls := with(girlsAcademy, "EstablishmentName", "Nottingham Girls’ Academy", "Street", "Robin’s Wood Road")
	in := giasFile(utf8Girls, with(fernwood, "Locality", "Wollaton\x92s"), djanogly)
	sum := loadSchools(t, d.Client, in, "892")
	wantSummary(t, sum, 2, 0, 0, map[string]int{csvimport.ReasonBadUTF8: 1})
	got := schools(t, d.Client)
	if got["137184"] != nottingham["137184"] || got["134253"] != nottingham["134253"] {
		t.Fatalf("schools = %v", got)
	}
}

// Rule: within one file the first row for a URN wins; a later row with it
// (a renamed copy or an exact one) is rejected as "duplicate of line N", so
// re-running the file settles at unchanged.
func TestSchoolsDuplicateURNFirstRowWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		renamed := with(djanogly, "EstablishmentName", "Djanogly City Academy Trust")
		in := giasFile(djanogly, fernwood, renamed, djanogly)
		dups := map[string]int{csvimport.ReasonDuplicate: 2}
		sum := loadSchools(t, d.Client, in, "")
		wantSummary(t, sum, 2, 0, 0, dups)
		if got := schools(t, d.Client)["134253"].name; got != "Djanogly City Academy" {
			t.Fatalf("name = %q; want the first row's", got)
		}
		if got := sum.RejectedList(); got != "\nrejected rows:\n  line 4 (134253): duplicate of line 2\n  line 5 (134253): duplicate of line 2" {
			t.Fatalf("RejectedList = %q", got)
		}
		for range 2 {
			wantSummary(t, loadSchools(t, d.Client, in, ""), 0, 0, 2, dups)
		}
	})
}
