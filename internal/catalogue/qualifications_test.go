package catalogue

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/qualification"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/level"
)

type qrow struct {
	title string
	level level.Level
	typ   string
	ssa   string
	glh   int // 0: none
	body  string
}

func quals(t *testing.T, c *ent.Client) map[string]qrow {
	t.Helper()
	all, err := c.Qualification.Query().WithAwardingBody().All(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]qrow, len(all))
	for _, q := range all {
		r := qrow{q.Title, q.Level, q.Type, q.SectorSubjectArea, 0, q.Edges.AwardingBody.Name}
		if q.GuidedLearningHours != nil {
			r.glh = *q.GuidedLearningHours
		}
		m[q.Number] = r
	}
	return m
}

type brow struct{ acronym, rn string }

func bodies(t *testing.T, c *ent.Client) map[string]brow {
	t.Helper()
	all, err := c.AwardingBody.Query().All(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]brow, len(all))
	for _, b := range all {
		r := brow{acronym: b.Acronym}
		if b.RecognitionNumber != nil {
			r.rn = *b.RecognitionNumber
		}
		m[b.Name] = r
	}
	return m
}

// A real register row (Pearson's Level 1 Award in Warehousing and Storage).
var pearsonL1 = map[string]string{
	"Qualification Number": "600/2089/1", "Qualification Title": "Pearson Edexcel Level 1 Award in Warehousing and Storage",
	"Owner Organisation Recognition Number": "RN5133", "Owner Organisation Name": "Pearson Education Ltd",
	"Owner Organisation Acronym": "Pearson", "Qualification Level": "Level 1", "Qualification Sub Level": "None",
	"EQF Level": "Level 2", "Qualification Type": "Occupational Qualification", "Total Credits": "0",
	"Qualification SSA": "Warehousing and distribution", "Qualification Status": "Available to learners",
	"Operational Start Date": "2012-09-01", "Minimum Guided Learning Hours": "87", "Maximum Guided Learning Hours": "87",
	"Total Qualification Time": "100", "Guided Learning Hours": "87", "Offered In England": "True",
	"Offered In Northern Ireland": "True", "Overall Grading Type": "Pass/Fail",
}

var (
	ncfeL12 = with(pearsonL1, "Qualification Number", "603/2476/0",
		"Qualification Title", "NCFE Level 1/2 Technical Award in Health and Fitness",
		"Owner Organisation Recognition Number", "RN5156", "Owner Organisation Name", "NCFE",
		"Owner Organisation Acronym", "NCFE", "Qualification Level", "Level 1/Level 2",
		"Qualification Type", "Vocationally-Related Qualification",
		"Qualification SSA", "Sport, leisure and recreation", "Guided Learning Hours", "120")
	cgEntry3 = with(pearsonL1, "Qualification Number", "600/0001/X",
		"Qualification Title", "City & Guilds Entry Level Award in Employability Skills",
		"Owner Organisation Recognition Number", "RN5217", "Owner Organisation Name", "City and Guilds of London Institute",
		"Owner Organisation Acronym", "City & Guilds", "Qualification Level", "Entry Level", "Qualification Sub Level", "Entry 3",
		"Qualification SSA", "Preparation for work", "Minimum Guided Learning Hours", "0", "Guided Learning Hours", "")
	ascentisEntry2 = with(pearsonL1, "Qualification Number", "600/0002/1",
		"Qualification Title", "Ascentis Entry Level Award in Personal Progress (Entry 2)",
		"Owner Organisation Recognition Number", "RN5200", "Owner Organisation Name", "Ascentis",
		"Owner Organisation Acronym", "Ascentis", "Qualification Level", "Entry Level", "Qualification Sub Level", "None",
		"Qualification SSA", "Foundations for learning and life", "Guided Learning Hours", "30")
	pearsonL3 = with(pearsonL1, "Qualification Number", "600/0003/3",
		"Qualification Title", "Pearson BTEC Level 3 National Extended Certificate in Sport", "Qualification Level", "Level 3",
		"Guided Learning Hours", "360")
	pearsonL4  = with(pearsonL1, "Qualification Number", "600/0004/5", "Qualification Level", "Level 4")
	badNumber  = with(pearsonL1, "Qualification Number", "600/004/5")
	notAwarded = with(pearsonL1, "Qualification Number", "500/4059/5", "Qualification Status", "No longer awarded")
	niOnly     = with(pearsonL1, "Qualification Number", "600/0006/9", "Offered In England", "False")
)

// ofqualFile is an Ofqual register export as downloaded: UTF-8 BOM, CRLF.
// After the rows given it has four more:
//   - one that stops after "Offered In England" (trailing empty cells
//     dropped, as in four rows of the published sample), which still loads:
//     every column the importer reads is there;
//   - 600/2089/1 (pearsonL1) cut off after "Qualification Level", so without
//     its type, subject area or hours: rejected (shortRowReason), since
//     loading it would blank what the table holds;
//   - one wider than the header, and one encoding/csv cannot parse (a bare
//     quote).
func ofqualFile(rows ...map[string]string) string {
	trailing := dataLine(with(pearsonL1, "Qualification Number", "600/0010/1",
		"Qualification Title", "Pearson Edexcel Level 2 Award in Warehousing and Storage", "Qualification Level", "Level 2"))
	trailing = trailing[:strings.Index(trailing, "True,True")+len("True")] + "\r\n"
	short := dataLine(pearsonL1)
	short = short[:strings.Index(short, ",Level 1,")+len(",Level 1")] + "\r\n"
	wide := strings.Replace(dataLine(with(pearsonL1, "Qualification Number", "600/0007/0")), "600/0007/0,", "600/0007/0,extra,", 1)
	malformed := `600/0008/2,Pearson "Edexcel" Award,RN5133,Pearson Education Ltd,Pearson,Level 1` + "\r\n"
	return "\uFEFF" + csvFile(ofqualColumns, "\r\n", false, rows...) + trailing + short + wide + malformed
}

// dataLine is row as a line of the register export, without the header.
func dataLine(row map[string]string) string {
	f := csvFile(ofqualColumns, "\r\n", false, row)
	return f[strings.Index(f, "\r\n")+2:]
}

// shortRowReason is why ofqualFile's cut-off row is rejected: it has the
// first 6 of the register's columns.
var shortRowReason = csvimport.ShortRowReason(6, len(ofqualColumns))

// fileRejects are the rejects of ofqualFile's own bad rows.
var fileRejects = map[string]int{shortRowReason: 1, csvimport.ReasonLongRow: 1, csvimport.ReasonMalformedCSV: 1}

var ofqualRows = []map[string]string{pearsonL1, ncfeL12, cgEntry3, ascentisEntry2, pearsonL3, pearsonL4, badNumber, notAwarded, niOnly}

var ofqualRejects = map[string]int{
	ReasonBadQualificationNumber: 1,
	shortRowReason:               1,
	csvimport.ReasonLongRow:      1,
	csvimport.ReasonMalformedCSV: 1,
}

// ofqualSkips: good rows left out on purpose are skipped, not rejected.
var ofqualSkips = map[string]int{
	LevelReason("Level 4"): 1,
	SkipNoLongerAwarded:    1,
	SkipNotInEngland:       1,
}

var ofqualTable = map[string]qrow{
	"600/2089/1": {"Pearson Edexcel Level 1 Award in Warehousing and Storage", level.Level1, "Occupational Qualification", "Warehousing and distribution", 87, "Pearson Education Ltd"},
	"603/2476/0": {"NCFE Level 1/2 Technical Award in Health and Fitness", level.Level2, "Vocationally-Related Qualification", "Sport, leisure and recreation", 120, "NCFE"},
	"600/0001/X": {"City & Guilds Entry Level Award in Employability Skills", level.Entry3, "Occupational Qualification", "Preparation for work", 0, "City and Guilds of London Institute"},
	"600/0002/1": {"Ascentis Entry Level Award in Personal Progress (Entry 2)", level.Entry2, "Occupational Qualification", "Foundations for learning and life", 30, "Ascentis"},
	"600/0003/3": {"Pearson BTEC Level 3 National Extended Certificate in Sport", level.Level3, "Occupational Qualification", "Warehousing and distribution", 360, "Pearson Education Ltd"},
	"600/0010/1": {"Pearson Edexcel Level 2 Award in Warehousing and Storage", level.Level2, "Occupational Qualification", "Warehousing and distribution", 87, "Pearson Education Ltd"},
}

var ofqualBodies = map[string]brow{
	"Pearson Education Ltd":               {"Pearson", "RN5133"},
	"NCFE":                                {"NCFE", "RN5156"},
	"City and Guilds of London Institute": {"City & Guilds", "RN5217"},
	"Ascentis":                            {"Ascentis", "RN5200"},
}

func TestQualificationsOfqualRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		in := ofqualFile(ofqualRows...)
		sum := loadQuals(t, d.Client, in)
		wantSummary(t, sum.Summary, 6, 0, 0, ofqualRejects)
		// Rule: rows deliberately left out (no longer awarded, not offered
		// in England, above Level 3) are skipped with a reason, not rejected.
		if !maps.Equal(sum.Skips, ofqualSkips) {
			t.Fatalf("skips = %v; want %v", sum.Skips, ofqualSkips)
		}
		if sum.AwardingBodiesAdded != 4 || sum.AwardingBodiesUpdated != 0 {
			t.Fatalf("awarding bodies added %d, updated %d; want 4, 0", sum.AwardingBodiesAdded, sum.AwardingBodiesUpdated)
		}
		if got := quals(t, d.Client); !maps.Equal(got, ofqualTable) {
			t.Fatalf("qualifications = %v\nwant %v", got, ofqualTable)
		}
		if got := bodies(t, d.Client); !maps.Equal(got, ofqualBodies) {
			t.Fatalf("awarding bodies = %v\nwant %v", got, ofqualBodies)
		}

		// Idempotent: the same file again writes nothing. The row cut off
		// after its level (a row missing a column the importer reads is
		// rejected, never read as blanks) leaves 600/2089/1's type, subject
		// area and hours as the full row stored them.
		sum = loadQuals(t, d.Client, in)
		wantSummary(t, sum.Summary, 0, 0, 6, ofqualRejects)
		if sum.AwardingBodiesAdded+sum.AwardingBodiesUpdated != 0 {
			t.Fatalf("re-run changed awarding bodies: %+v", sum)
		}
		if got := quals(t, d.Client); !maps.Equal(got, ofqualTable) {
			t.Fatalf("after re-import qualifications = %v\nwant %v", got, ofqualTable)
		}

		// A retitled qualification is Updated; the rest Unchanged.
		rows := append([]map[string]string{with(pearsonL1, "Qualification Title", "Pearson Edexcel Level 1 Award in Warehousing and Storage (QCF)")}, ofqualRows[1:]...)
		sum = loadQuals(t, d.Client, ofqualFile(rows...))
		wantSummary(t, sum.Summary, 0, 1, 5, ofqualRejects)
		want := ofqualTable["600/2089/1"]
		want.title = "Pearson Edexcel Level 1 Award in Warehousing and Storage (QCF)"
		if got := quals(t, d.Client)["600/2089/1"]; got != want {
			t.Fatalf("600/2089/1 = %+v\nwant %+v", got, want)
		}
	})
}

// A row missing a column the importer reads is rejected with its width and
// the header's, and counted; one missing only trailing columns the importer
// does not read (as the published register sample has) loads.
func TestQualificationsShortRows(t *testing.T) {
	d := dbtest.SQLite(t)
	head := "Qualification Number,Qualification Title,Owner Organisation Name,Qualification Level," +
		"Qualification Type,Qualification SSA,Guided Learning Hours,Overall Grading Type,Link To Specification\n"
	full := "600/2089/1,Warehousing and Storage,Pearson Education Ltd,Level 1,Occupational Qualification,Warehousing and distribution,87,Pass/Fail,https://example.org\n"
	loadQuals(t, d.Client, head+full)
	before := quals(t, d.Client)

	sum := loadQuals(t, d.Client, head+
		"600/2089/1,Warehousing and Storage,Pearson Education Ltd,Level 1\n"+ // no type, SSA or hours
		"600/0010/1,Warehousing and Storage 2,Pearson Education Ltd,Level 2,Occupational Qualification,Warehousing and distribution,87\n") // no grading or link: not read
	wantSummary(t, sum.Summary, 1, 0, 0, map[string]int{"row has 4 fields, header has 9": 1})
	after := quals(t, d.Client)
	if after["600/2089/1"] != before["600/2089/1"] || after["600/2089/1"].typ != "Occupational Qualification" {
		t.Fatalf("600/2089/1 = %+v; want it kept as %+v", after["600/2089/1"], before["600/2089/1"])
	}
	if got := sum.String(); !strings.Contains(got, "1 rejected (row has 4 fields, header has 9: 1)") ||
		!strings.HasSuffix(got, "\nrejected rows:\n  line 2: row has 4 fields, header has 9") {
		t.Fatalf("summary %q does not give the reason", got)
	}
}

// Hours the register stops giving are cleared, and a qualification moved to
// another awarding body follows it; both are updates of one row in a batch
// where the other rows keep their hours.
func TestQualificationsClearHoursAndMoveBody(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		loadQuals(t, d.Client, ofqualFile(ofqualRows...))
		moved := with(ncfeL12, "Owner Organisation Recognition Number", "RN5133", "Owner Organisation Name", "Pearson Education Ltd",
			"Owner Organisation Acronym", "Pearson")
		noHours := with(pearsonL1, "Guided Learning Hours", "", "Minimum Guided Learning Hours", "")
		sum := loadQuals(t, d.Client, ofqualFile(noHours, moved, cgEntry3, ascentisEntry2, pearsonL3))
		wantSummary(t, sum.Summary, 0, 2, 4, fileRejects)
		got := quals(t, d.Client)
		if got["600/2089/1"].glh != 0 || got["600/0003/3"].glh != 360 {
			t.Fatalf("hours = %d and %d; want cleared and 360", got["600/2089/1"].glh, got["600/0003/3"].glh)
		}
		if got["603/2476/0"].body != "Pearson Education Ltd" {
			t.Fatalf("603/2476/0 awarded by %q; want Pearson", got["603/2476/0"].body)
		}
	})
}

// Real DfE rows' shapes: QualificationNumber without slashes, "Level 1/2",
// "Entry Level" with the sub level only in the title, trailing spaces in
// titles, no recognition numbers, acronyms or hours. The sample file starts
// with a BOM and uses LF.
func dfeFile(extra ...map[string]string) string {
	rows := []map[string]string{
		{"DateOfOfqualDataSnapshot": "18/02/2025", "QualificationName": "Pearson Edexcel Level 1 Award in Warehousing and Storage ",
			"AwardingOrganisation": "Pearson Education Ltd", "QualificationNumber": "60020891", "Level": "Level 1",
			"QualificationType": "Occupational Qualification", "SectorSubjectArea": "Warehousing and distribution",
			"Status": "Approved", "Age1416_FundingAvailable": "True", "Age1416_FundingApprovalStartDate": "01/09/2012",
			"Age1416_FundingApprovalEndDate": "31/07/2026"},
		{"DateOfOfqualDataSnapshot": "18/02/2025", "QualificationName": "City & Guilds Entry Level Award in Customer Service (Entry 1)",
			"AwardingOrganisation": "CITY AND GUILDS OF LONDON INSTITUTE", "QualificationNumber": "60000110", "Level": "Entry Level",
			"QualificationType": "Vocationally-Related Qualification", "SectorSubjectArea": "Administration", "Status": "Approved"},
		{"DateOfOfqualDataSnapshot": "18/02/2025", "QualificationName": "Gateway Qualifications Level 1/2 Award in Creative Craft",
			"AwardingOrganisation": "Gateway Qualifications Limited", "QualificationNumber": "6000012x", "Level": "Level 1/2",
			"QualificationType": "Other Vocational Qualification", "SectorSubjectArea": "Crafts, creative arts and design", "Status": "Approved"},
		{"DateOfOfqualDataSnapshot": "18/02/2025", "QualificationName": "NCFE Level 4 Certificate in Counselling",
			"AwardingOrganisation": "NCFE", "QualificationNumber": "60000134", "Level": "Level 4", "Status": "Approved"},
		{"DateOfOfqualDataSnapshot": "18/02/2025", "QualificationName": "NCFE Level 1 Award",
			"AwardingOrganisation": "NCFE", "QualificationNumber": "6002089", "Level": "Level 1", "Status": "Approved"},
	}
	return "\uFEFF" + csvFile(dfeColumns, "\n", false, append(rows, extra...)...)
}

var dfeRejects = map[string]int{ReasonBadQualificationNumber: 1}

func TestQualificationsDfEFundingList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sum := loadQuals(t, d.Client, dfeFile())
		wantSummary(t, sum.Summary, 3, 0, 0, dfeRejects)
		want := map[string]qrow{
			"600/2089/1": {"Pearson Edexcel Level 1 Award in Warehousing and Storage", level.Level1, "Occupational Qualification", "Warehousing and distribution", 0, "Pearson Education Ltd"},
			"600/0011/0": {"City & Guilds Entry Level Award in Customer Service (Entry 1)", level.Entry1, "Vocationally-Related Qualification", "Administration", 0, "CITY AND GUILDS OF LONDON INSTITUTE"},
			"600/0012/X": {"Gateway Qualifications Level 1/2 Award in Creative Craft", level.Level2, "Other Vocational Qualification", "Crafts, creative arts and design", 0, "Gateway Qualifications Limited"},
		}
		if got := quals(t, d.Client); !maps.Equal(got, want) {
			t.Fatalf("qualifications = %v\nwant %v", got, want)
		}
		// Rule: a Level 1/2 qualification is stored at Level 2 with Level 1
		// as its min_level, so a Level 1 search finds it too.
		for number, want := range map[string]*level.Level{"600/0012/X": ptr(level.Level1), "600/2089/1": nil, "600/0011/0": nil} {
			q := d.Client.Qualification.Query().Where(qualification.Number(number)).OnlyX(sysCtx())
			if (q.MinLevel == nil) != (want == nil) || (want != nil && *q.MinLevel != *want) {
				t.Errorf("%s min_level = %v; want %v", number, q.MinLevel, want)
			}
		}
		sum = loadQuals(t, d.Client, dfeFile())
		wantSummary(t, sum.Summary, 0, 0, 3, dfeRejects)

		// The register then adds hours, recognition numbers and acronyms to
		// the bodies the DfE list created by name (matched ignoring case).
		sum = loadQuals(t, d.Client, ofqualFile(pearsonL1, cgEntry3))
		wantSummary(t, sum.Summary, 2, 1, 0, fileRejects)
		if sum.AwardingBodiesAdded != 0 || sum.AwardingBodiesUpdated != 2 {
			t.Fatalf("awarding bodies added %d, updated %d; want 0, 2", sum.AwardingBodiesAdded, sum.AwardingBodiesUpdated)
		}
		b := bodies(t, d.Client)
		if b["Pearson Education Ltd"] != (brow{"Pearson", "RN5133"}) || b["City and Guilds of London Institute"] != (brow{"City & Guilds", "RN5217"}) {
			t.Fatalf("awarding bodies = %v", b)
		}
		if got := quals(t, d.Client)["600/2089/1"].glh; got != 87 {
			t.Fatalf("hours = %d, want 87", got)
		}
	})
}

// The DfE list after the register: it has no hours or acronyms, and must
// not clear them.
func TestQualificationsDfEKeepsRegisterFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		loadQuals(t, d.Client, ofqualFile(ofqualRows...))
		sum := loadQuals(t, d.Client, dfeFile())
		wantSummary(t, sum.Summary, 2, 0, 1, dfeRejects)
		if sum.AwardingBodiesAdded != 1 || sum.AwardingBodiesUpdated != 0 {
			t.Fatalf("awarding bodies added %d, updated %d; want 1 (Gateway), 0", sum.AwardingBodiesAdded, sum.AwardingBodiesUpdated)
		}
		got := quals(t, d.Client)
		if got["600/2089/1"] != ofqualTable["600/2089/1"] {
			t.Fatalf("600/2089/1 = %+v; want it as the register left it", got["600/2089/1"])
		}
		if got["600/0011/0"].body != "City and Guilds of London Institute" {
			t.Fatalf("600/0011/0 awarded by %q", got["600/0011/0"].body)
		}
		if b := bodies(t, d.Client); b["City and Guilds of London Institute"].acronym != "City & Guilds" || b["Gateway Qualifications Limited"] != (brow{}) {
			t.Fatalf("awarding bodies = %v", b)
		}
	})
}

// A body already in the table under an older name is found by recognition
// number and takes the register's name.
func TestQualificationsRenamesBodyByRecognitionNumber(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		old := d.Client.AwardingBody.Create().SetName("Edexcel").SetRecognitionNumber("RN5133").SaveX(sysCtx())
		sum := loadQuals(t, d.Client, ofqualFile(pearsonL1))
		if sum.AwardingBodiesAdded != 0 || sum.AwardingBodiesUpdated != 1 {
			t.Fatalf("awarding bodies added %d, updated %d; want 0, 1", sum.AwardingBodiesAdded, sum.AwardingBodiesUpdated)
		}
		ab := d.Client.AwardingBody.GetX(sysCtx(), old.ID)
		if ab.Name != "Pearson Education Ltd" || ab.Acronym != "Pearson" {
			t.Fatalf("body = %q (%q)", ab.Name, ab.Acronym)
		}
	})
}

// Rule: within one file the first row for a qualification number wins;
// later rows with it, changed or exact copies, are rejected as "duplicate
// of line N", so re-running the file settles at unchanged instead of the
// rows overwriting each other on every run.
func TestQualificationsDuplicateNumberFirstRowWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		again := with(pearsonL1, "Qualification Title", "Pearson Edexcel Level 1 Award in Warehousing")
		// The DfE form of the number is the same qualification.
		unslashed := with(pearsonL1, "Qualification Number", "60020891")
		in := csvFile(ofqualColumns, "\n", false, pearsonL1, again, unslashed)
		dups := map[string]int{csvimport.ReasonDuplicate: 2}
		sum := loadQuals(t, d.Client, in)
		wantSummary(t, sum.Summary, 1, 0, 0, dups)
		if got := quals(t, d.Client)["600/2089/1"].title; got != "Pearson Edexcel Level 1 Award in Warehousing and Storage" {
			t.Fatalf("title = %q; want the first row's", got)
		}
		if got := sum.String(); !strings.HasSuffix(got, "\nrejected rows:\n"+
			"  line 3 (600/2089/1): duplicate of line 2\n"+
			"  line 4 (600/2089/1): duplicate of line 2") {
			t.Fatalf("summary %q does not list the duplicates", got)
		}
		for range 2 {
			sum = loadQuals(t, d.Client, in)
			wantSummary(t, sum.Summary, 0, 0, 1, dups)
		}
	})
}

// genDfE is a DfE-layout file of n rows; every 100th is Level 4.
func genDfE(n int) string {
	var rows []map[string]string
	for i := range n {
		level := "Level 2"
		if i%100 == 99 {
			level = "Level 4"
		}
		rows = append(rows, map[string]string{"QualificationNumber": fmt.Sprintf("6%06d%d", i, i%10),
			"QualificationName": fmt.Sprintf("Award number %d", i), "AwardingOrganisation": "NCFE", "Level": level, "Status": "Approved"})
	}
	return csvFile(dfeColumns, "\n", false, rows...)
}

func TestQualificationsBatchesAndProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		const n = 2*BatchSize + 500
		accepted := n - n/100
		in := genDfE(n)
		var seen []csvimport.Stats
		sum, err := Qualifications(sysCtx(), d.Client, strings.NewReader(in), func(st csvimport.Stats) { seen = append(seen, st) })
		if err != nil {
			t.Fatal(err)
		}
		wantSummary(t, sum.Summary, accepted, 0, 0, nil)
		if want := map[string]int{LevelReason("Level 4"): n / 100}; !maps.Equal(sum.Skips, want) {
			t.Fatalf("skips = %v; want %v", sum.Skips, want)
		}
		if len(seen) != 3 {
			t.Fatalf("progress called %d times, want 3 (two full batches and the rest)", len(seen))
		}
		for i, want := range []int{BatchSize, 2 * BatchSize, accepted} {
			if seen[i].Accepted != want {
				t.Fatalf("progress %d = %+v; want %d accepted", i, seen[i], want)
			}
		}
		sum = loadQuals(t, d.Client, in)
		wantSummary(t, sum.Summary, 0, 0, accepted, nil)
	})
}

func TestQualificationsUnknownFormat(t *testing.T) {
	d := dbtest.SQLite(t)
	for name, in := range map[string]string{
		"empty": "",
		// The register prototype's Pearson download: no Qualification Number.
		"no number": "\uFEFFQualification Title,Owner Organisation Name,Owner Organisation Acronym,Qualification Level,Qualification Type,Qualification Status\n" +
			"Pearson BTEC Level 2 Award in Sport,Pearson Education Ltd,Pearson,Level 2,Vocationally-Related Qualification,Available to learners\n",
	} {
		_, err := Qualifications(sysCtx(), d.Client, strings.NewReader(in), nil)
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: err = %v; want ErrUnknownFormat", name, err)
		}
	}
}

func TestQualificationsStopsOnDatabaseError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(sysCtx())
		cancel()
		sum, err := Qualifications(ctx, d.Client, strings.NewReader(ofqualFile(ofqualRows...)), nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v; want context.Canceled", err)
		}
		if sum.Added+sum.Updated+sum.Unchanged != 0 {
			t.Fatalf("summary %+v; want nothing counted as written", sum)
		}
	})
}

// Level rules (see mapLevel): Entry 1 to Level 3 are offered to 14–16 year
// olds; a qualification spanning levels is stored at its highest with its
// lowest as min_level; an Entry Level qualification naming no sub level
// spans Entry 1 to Entry 3.
func TestMapLevel(t *testing.T) {
	const (
		e1, e2, e3 = level.Entry1, level.Entry2, level.Entry3
		l1, l2, l3 = level.Level1, level.Level2, level.Level3
	)
	for _, c := range []struct {
		level, sub, title string
		lo, hi            level.Level // "" means rejected
	}{
		{"Level 1", "None", "", l1, l1},
		{"Level 2", "", "", l2, l2},
		{"Level 3", "", "", l3, l3},
		{"level 2", "", "", l2, l2},
		// Level 1/Level 2 (register) and Level 1/2 (DfE): awarded at either.
		{"Level 1/Level 2", "None", "", l1, l2},
		{"Level 1/2", "", "", l1, l2},
		{"Level 2/3", "", "", l2, l3},
		// Entry Level: the sub level column, then the title.
		{"Entry Level", "Entry 3", "", e3, e3},
		{"Entry Level", "Entry 1", "Award (Entry 3)", e1, e1},
		{"Entry Level", "None", "City & Guilds Entry Level Award for Introduction to Customer Service (Entry 3) ", e3, e3},
		{"Entry Level", "", "Ascentis Entry Level 2 Award in Mathematics", e2, e2},
		{"Entry Level", "", "Ascentis Entry 1 Award in Internet Safety", e1, e1},
		{"Entry Level", "", "Functional Skills English (Entry 1-3)", e1, e3},
		{"Entry Level", "", "Skills for Life (Entry 1/2)", e1, e2},
		// An Entry Level Certificate graded Entry 1 to 3 names no sub level.
		{"Entry Level", "None", "Pearson Edexcel Entry Level Certificate in English", e1, e3},
		{"Entry Level 2", "", "", e2, e2},
		// Not for 14–16 year olds, or not a level.
		{"Level 4", "", "", "", ""},
		{"Level 7", "", "", "", ""},
		{"Level 3/4", "", "", "", ""},
		{"Not Applicable", "", "", "", ""},
		{"", "", "Award (Entry 3)", "", ""},
	} {
		lo, hi, ok := mapLevel(c.level, c.sub, c.title)
		if !ok {
			lo, hi = "", ""
		}
		if lo != c.lo || hi != c.hi {
			t.Errorf("mapLevel(%q, %q, %q) = %q..%q; want %q..%q", c.level, c.sub, c.title, lo, hi, c.lo, c.hi)
		}
	}
	if got := LevelReason("Level 4"); got != "level not offered to 14–16 year olds (Level 4)" {
		t.Errorf("LevelReason = %q", got)
	}
	// Above Level 3 is a real level, skipped; anything else is rejected.
	for level, want := range map[string]bool{"Level 4": true, "Level 3/4": true, "level 7": true,
		"Level 3": false, "Level 1/2": false, "Entry Level": false, "Not Applicable": false, "": false} {
		if got := aboveLevel3(level); got != want {
			t.Errorf("aboveLevel3(%q) = %v; want %v", level, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
