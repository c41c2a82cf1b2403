package search_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/qualification"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/geo"
	"github.com/apnet/apnet/internal/level"
	"github.com/apnet/apnet/internal/search"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// today is just after midnight on 10 June 2026, UK summer time, which is
// still 9 June in UTC: approvals are judged by the UK calendar day.
var today = time.Date(2026, 6, 10, 0, 30, 0, 0, time.FixedZone("BST", 3600))

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type point struct{ e, n int }

// Real postcodes and grid references from OS Code-Point Open (August 2014).
var postcodes = map[string]point{
	"NG1 1AA": {457803, 340082},
	"NG1 1AJ": {458176, 339658},
	"NG2 7LJ": {458225, 337844},
	"NG3 2NJ": {458897, 340441},
	"NG5 0AA": {458138, 344912},
	"NG6 8LW": {453661, 345909},
	"NG7 1AA": {456356, 340040},
	"NG7 2BY": {455424, 339848},
	"NG7 2NR": {455756, 337920}, // loaded as terminated: still a location
	"NG7 2QQ": {454235, 338849},
	"NG7 2RD": {454603, 338640},
	"NG7 3AB": {455324, 340329},
	"NG8 3AB": {452797, 341748},
	"NG9 1AB": {452614, 336913},
	"NG9 2JE": {452883, 337470},
}

// ng7Centre is the district fallback: the mean of the NG7 rows above,
// rounded to the metre.
func ng7Centre() point {
	var se, sn, k float64
	for pc, p := range postcodes {
		if strings.HasPrefix(pc, "NG7 ") {
			se, sn, k = se+float64(p.e), sn+float64(p.n), k+1
		}
	}
	return point{int(math.Round(se / k)), int(math.Round(sn / k))}
}

// Real awarding organisations (Ofqual register) and qualifications (DfE
// list of qualifications approved for 14–16 funding).
var bodies = []struct{ name, acronym, rn string }{
	{"NCFE", "NCFE", "RN5156"},
	{"City and Guilds of London Institute", "City & Guilds", "RN5217"},
	{"Pearson Education Ltd", "Pearson", "RN5133"},
	{"The Institute of the Motor Industry", "IMI", "RN5361"},
	{"VTCT", "VTCT", "RN5198"},
}

var quals = []struct {
	number, title string
	level         level.Level
	ssa, body     string
}{
	{"603/3088/0", "IMI Level 1 Certificate in Carrying out Periodic Vehicle Maintenance and Inspection", level.Level1, "Transportation operations and maintenance", "IMI"},
	{"600/9481/3", "IMI Level 2 Subsidiary Diploma in Light Vehicle Maintenance & Repair Technology (VRQ)", level.Level2, "Transportation operations and maintenance", "IMI"},
	{"501/1354/9", "City & Guilds Entry Level Award in Vehicle Systems Maintenance (Entry 3)", level.Entry3, "Transportation operations and maintenance", "City & Guilds"},
	{"601/0526/4", "City & Guilds Level 1 Award In Construction Skills (Plumbing)", level.Level1, "Building and construction", "City & Guilds"},
	{"601/0286/X", "City & Guilds Level 1 Award In Construction Skills (Wall and Floor Tiling)", level.Level1, "Building and construction", "City & Guilds"},
	{"601/8543/0", "Pearson BTEC Level 1 Introductory Certificate in Construction", level.Level1, "Building and construction", "Pearson"},
	{"601/2623/1", "NCFE Level 1 Certificate in Sport", level.Level1, "Sport, leisure and recreation", "NCFE"},
	{"601/3037/4", "NCFE Level 2 Certificate in Sport", level.Level2, "Sport, leisure and recreation", "NCFE"},
	{"601/5785/9", "VTCT Skills Level 1 Certificate in Hair and Beauty Skills (VRQ)", level.Level1, "Service enterprises", "VTCT"},
}

type offer struct{ qual, postcode string }

var providers = []struct {
	name   string
	status provider.ApprovalStatus
	until  *time.Time
	offers []offer
}{
	{"Bulwell Motor Skills", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		[]offer{{"603/3088/0", "NG6 8LW"}, {"600/9481/3", "NG6 8LW"}}},
	{"City Construction Academy", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		[]offer{{"601/0526/4", "NG1 1AA"}, {"601/0286/X", "NG1 1AA"}, {"601/8543/0", "NG3 2NJ"}}},
	{"Beeston Sports Trust", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		// Typed untidily; stored (and looked up) as NG9 2JE.
		[]offer{{"601/2623/1", "NG9 2JE"}, {"601/3037/4", "ng92je"}}},
	// Approved until today: still listed.
	{"Lenton Hair Studio", provider.ApprovalStatusAPPROVED, ptr(date(2026, 6, 10)),
		[]offer{{"601/5785/9", "NG7 2RD"}}},
	{"Bridgford Vehicle Workshop", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		[]offer{{"501/1354/9", "NG2 7LJ"}, {"603/3088/0", "NG2 7LJ"}}},
	// Same site as Bridgford: equal distance, ordered by name.
	{"Aspley Training", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		[]offer{{"600/9481/3", "NG2 7LJ"}}},
	// NG7 6ZZ is not in the postcode table: measured from the NG7 centre.
	{"Hyson Green Boxing Club", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		[]offer{{"601/2623/1", "NG7 6ZZ"}}},
	// No DE7 postcodes are loaded at all: never measured.
	{"Ilkeston Youth Provision", provider.ApprovalStatusAPPROVED, ptr(date(2027, 3, 31)),
		[]offer{{"601/2623/1", "DE7 5AB"}}},
	{"Suspended Motors", provider.ApprovalStatusSUSPENDED, ptr(date(2027, 3, 31)),
		[]offer{{"603/3088/0", "NG7 1AA"}}},
	// Approval ended yesterday (UK time).
	{"Lapsed Builders", provider.ApprovalStatusAPPROVED, ptr(date(2026, 6, 9)),
		[]offer{{"601/8543/0", "NG8 3AB"}}},
	{"Pending Sports", provider.ApprovalStatusPENDING, nil,
		[]offer{{"601/2623/1", "NG5 0AA"}}},
}

// listed are the providers a school sees with no filter, in name order.
var listed = []string{
	"Aspley Training", "Beeston Sports Trust", "Bridgford Vehicle Workshop", "Bulwell Motor Skills",
	"City Construction Academy", "Hyson Green Boxing Club", "Ilkeston Youth Provision", "Lenton Hair Studio",
}

func ptr[T any](v T) *T { return &v }

var weekly = []timetable.Session{{Weekday: timetable.Tuesday, Start: "09:00", End: "12:00"}}

type fixture struct {
	client    *ent.Client
	providers map[string]*ent.Provider
}

func setup(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	c := d.Client
	var pcs []*ent.PostcodeCreate
	for pc, p := range postcodes {
		pcs = append(pcs, c.Postcode.Create().SetPostcode(pc).SetOutward(strings.Fields(pc)[0]).
			SetEasting(p.e).SetNorthing(p.n).SetTerminated(pc == "NG7 2NR"))
	}
	c.Postcode.CreateBulk(pcs...).ExecX(ctx)

	ab := map[string]*ent.AwardingBody{}
	for _, b := range bodies {
		ab[b.acronym] = c.AwardingBody.Create().SetName(b.name).SetAcronym(b.acronym).SetRecognitionNumber(b.rn).SaveX(ctx)
	}
	q := map[string]*ent.Qualification{}
	for _, x := range quals {
		q[x.number] = c.Qualification.Create().SetNumber(x.number).SetTitle(x.title).SetLevel(x.level).
			SetSectorSubjectArea(x.ssa).SetAwardingBody(ab[x.body]).SaveX(ctx)
	}
	f := &fixture{client: c, providers: map[string]*ent.Provider{}}
	for _, p := range providers {
		pr := c.Provider.Create().SetName(p.name).SetPostcode(p.offers[0].postcode).
			SetApprovalStatus(p.status).SetNillableApprovedUntil(p.until).SaveX(ctx)
		f.providers[p.name] = pr
		for _, o := range p.offers {
			c.Course.Create().SetProvider(pr).SetQualification(q[o.qual]).SetDeliveryPostcode(o.postcode).
				SetPlaces(8).SetSessions(weekly).SetStartDates(nil).SaveX(ctx)
		}
	}
	return f
}

func (f *fixture) search(t *testing.T, flt search.Filter) *search.Result {
	t.Helper()
	res, err := search.Providers(viewer.SystemContext(context.Background()), f.client, flt, ptr(search.MaxFirst), nil, today)
	if err != nil {
		t.Fatalf("Providers(%+v): %v", flt, err)
	}
	if res.TotalCount != len(res.Matches) || res.HasNextPage || res.HasPreviousPage {
		t.Fatalf("one full page expected: total %d, %d matches, next %v, previous %v",
			res.TotalCount, len(res.Matches), res.HasNextPage, res.HasPreviousPage)
	}
	return res
}

// summary renders matches as "Provider[qual qual]" in result order, with
// each provider's courses in the order returned.
func summary(ms []search.Match) []string {
	var out []string
	for _, m := range ms {
		var qs []string
		for _, c := range m.Courses {
			if c.Edges.Provider == nil || c.Edges.Provider.ID != m.Provider.ID {
				panic("course without its provider loaded")
			}
			if c.Edges.Qualification == nil || c.Edges.Qualification.Edges.AwardingBody == nil {
				panic("course without qualification and awarding body loaded")
			}
			qs = append(qs, c.Edges.Qualification.Number)
		}
		out = append(out, m.Provider.Name+"["+strings.Join(qs, " ")+"]")
	}
	return out
}

func names(ms []search.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Provider.Name)
	}
	return out
}

func wantSummary(t *testing.T, res *search.Result, want ...string) {
	t.Helper()
	if got := summary(res.Matches); !slices.Equal(got, want) {
		t.Fatalf("matches =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func wantCode(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Code != apierr.BadUserInput || e.Field != field {
		t.Fatalf("err = %#v; want BAD_USER_INPUT on %q", err, field)
	}
}

func TestFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tests := []struct {
			name string
			flt  search.Filter
			want []string
		}{
			{"qualification number with slashes", search.Filter{Qualification: "603/3088/0"},
				[]string{"Bridgford Vehicle Workshop[603/3088/0]", "Bulwell Motor Skills[603/3088/0]"}},
			{"qualification number without slashes", search.Filter{Qualification: " 60330880 "},
				[]string{"Bridgford Vehicle Workshop[603/3088/0]", "Bulwell Motor Skills[603/3088/0]"}},
			{"qualification number ending X, lower case", search.Filter{Qualification: "6010286x"},
				[]string{"City Construction Academy[601/0286/X]"}},
			{"unknown qualification number", search.Filter{Qualification: "603/2476/0"}, nil},
			{"title words in any order and case", search.Filter{Qualification: "MAINTENANCE vehicle"},
				[]string{"Aspley Training[600/9481/3]", "Bridgford Vehicle Workshop[501/1354/9 603/3088/0]", "Bulwell Motor Skills[603/3088/0 600/9481/3]"}},
			{"every title word must appear", search.Filter{Qualification: "vehicle plumbing"}, nil},
			{"title word with punctuation", search.Filter{Qualification: "(plumbing)"},
				[]string{"City Construction Academy[601/0526/4]"}},
			{"awarding body acronym", search.Filter{AwardingBody: "imi"},
				[]string{"Aspley Training[600/9481/3]", "Bridgford Vehicle Workshop[603/3088/0]", "Bulwell Motor Skills[603/3088/0 600/9481/3]"}},
			{"awarding body acronym with spaces", search.Filter{AwardingBody: "city & GUILDS"},
				[]string{"Bridgford Vehicle Workshop[501/1354/9]", "City Construction Academy[601/0526/4 601/0286/X]"}},
			{"awarding body recognition number", search.Filter{AwardingBody: "RN5361"},
				[]string{"Aspley Training[600/9481/3]", "Bridgford Vehicle Workshop[603/3088/0]", "Bulwell Motor Skills[603/3088/0 600/9481/3]"}},
			{"recognition number typed loosely", search.Filter{AwardingBody: "rn 5133"},
				[]string{"City Construction Academy[601/8543/0]"}},
			{"awarding body name words", search.Filter{AwardingBody: "motor industry"},
				[]string{"Aspley Training[600/9481/3]", "Bridgford Vehicle Workshop[603/3088/0]", "Bulwell Motor Skills[603/3088/0 600/9481/3]"}},
			{"awarding body name words need all", search.Filter{AwardingBody: "guilds pearson"}, nil},
			{"acronym is exact, not a prefix", search.Filter{AwardingBody: "IM"}, nil},
			{"level", search.Filter{Levels: []level.Level{level.Entry3}},
				[]string{"Bridgford Vehicle Workshop[501/1354/9]"}},
			{"levels", search.Filter{Levels: []level.Level{level.Entry3, level.Level2}},
				[]string{"Aspley Training[600/9481/3]", "Beeston Sports Trust[601/3037/4]", "Bridgford Vehicle Workshop[501/1354/9]", "Bulwell Motor Skills[600/9481/3]"}},
			{"sector subject area", search.Filter{SectorSubjectArea: "construction"},
				[]string{"City Construction Academy[601/0526/4 601/0286/X 601/8543/0]"}},
			{"sector subject area words", search.Filter{SectorSubjectArea: "leisure SPORT"},
				[]string{"Beeston Sports Trust[601/2623/1 601/3037/4]", "Hyson Green Boxing Club[601/2623/1]", "Ilkeston Youth Provision[601/2623/1]"}},
			{"awarding body and level", search.Filter{AwardingBody: "NCFE", Levels: []level.Level{level.Level1}},
				[]string{"Beeston Sports Trust[601/2623/1]", "Hyson Green Boxing Club[601/2623/1]", "Ilkeston Youth Provision[601/2623/1]"}},
			{"title, level and recognition number", search.Filter{Qualification: "sport", AwardingBody: "RN5156", Levels: []level.Level{level.Level2}},
				[]string{"Beeston Sports Trust[601/3037/4]"}},
			{"subject area and awarding body", search.Filter{SectorSubjectArea: "transportation", AwardingBody: "City & Guilds"},
				[]string{"Bridgford Vehicle Workshop[501/1354/9]"}},
			{"filters that exclude each other", search.Filter{SectorSubjectArea: "construction", AwardingBody: "IMI"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.search(t, tt.flt)
				wantSummary(t, res, tt.want...)
				if res.Origin != nil {
					t.Fatalf("origin %+v without a postcode", res.Origin)
				}
				for _, m := range res.Matches {
					if m.DistanceMiles != nil {
						t.Fatalf("%s has a distance without a postcode", m.Provider.Name)
					}
				}
			})
		}

		// Rule: a qualification spanning levels (a Level 1/2 award, stored
		// at LEVEL_2 with min_level LEVEL_1) is found by a search for any
		// level it spans, and not for levels outside it.
		t.Run("level search finds qualifications spanning the level", func(t *testing.T) {
			ctx := viewer.SystemContext(context.Background())
			l12 := qualification.Number("601/3037/4")
			f.client.Qualification.Update().Where(l12).SetMinLevel(level.Level1).ExecX(ctx)
			defer f.client.Qualification.Update().Where(l12).ClearMinLevel().ExecX(ctx)
			wantSummary(t, f.search(t, search.Filter{AwardingBody: "NCFE", Levels: []level.Level{level.Level1}}),
				"Beeston Sports Trust[601/2623/1 601/3037/4]", "Hyson Green Boxing Club[601/2623/1]", "Ilkeston Youth Provision[601/2623/1]")
			wantSummary(t, f.search(t, search.Filter{AwardingBody: "NCFE", Levels: []level.Level{level.Level2}}),
				"Beeston Sports Trust[601/3037/4]")
			wantSummary(t, f.search(t, search.Filter{AwardingBody: "NCFE", Levels: []level.Level{level.Entry3, level.Level3}}))
		})

		t.Run("no filter lists every approved provider by name", func(t *testing.T) {
			if got := names(f.search(t, search.Filter{}).Matches); !slices.Equal(got, listed) {
				t.Fatalf("got %v\nwant %v", got, listed)
			}
		})
	})
}

// Rule: only providers APPROVED and approved until today or later are
// listed to schools; partnership staff can see the rest.
func TestApproval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tests := []struct {
			flt        search.Filter
			approved   []string
			unapproved []string
		}{
			{search.Filter{Qualification: "603/3088/0"},
				[]string{"Bridgford Vehicle Workshop", "Bulwell Motor Skills"},
				[]string{"Bridgford Vehicle Workshop", "Bulwell Motor Skills", "Suspended Motors"}},
			{search.Filter{SectorSubjectArea: "construction"},
				[]string{"City Construction Academy"},
				[]string{"City Construction Academy", "Lapsed Builders"}},
			{search.Filter{Qualification: "601/2623/1"},
				[]string{"Beeston Sports Trust", "Hyson Green Boxing Club", "Ilkeston Youth Provision"},
				[]string{"Beeston Sports Trust", "Hyson Green Boxing Club", "Ilkeston Youth Provision", "Pending Sports"}},
			// approved_until is today: still listed.
			{search.Filter{AwardingBody: "VTCT"}, []string{"Lenton Hair Studio"}, []string{"Lenton Hair Studio"}},
		}
		for _, tt := range tests {
			if got := names(f.search(t, tt.flt).Matches); !slices.Equal(got, tt.approved) {
				t.Errorf("%+v: got %v, want %v", tt.flt, got, tt.approved)
			}
			tt.flt.IncludeUnapproved = true
			if got := names(f.search(t, tt.flt).Matches); !slices.Equal(got, tt.unapproved) {
				t.Errorf("%+v: got %v, want %v", tt.flt, got, tt.unapproved)
			}
		}
		// A day later Lenton's approval has lapsed.
		res, err := search.Providers(viewer.SystemContext(context.Background()), f.client, search.Filter{AwardingBody: "VTCT"}, nil, nil, today.AddDate(0, 0, 1))
		if err != nil || len(res.Matches) != 0 {
			t.Fatalf("a day after approved_until: %v, %v; want no matches", err, res)
		}
	})
}

// expectDistance is geo.Miles from o to the nearest of all the provider's
// offers, using the district centre for NG7 6ZZ; ok is false when none can
// be measured. Tests using it pick filters that keep each provider's
// nearest offer.
func expectDistance(o point, name string) (float64, bool) {
	best, ok := math.Inf(1), false
	for _, p := range providers {
		if p.name != name {
			continue
		}
		for _, of := range p.offers {
			pc := strings.ToUpper(of.postcode)
			if pc == "NG92JE" {
				pc = "NG9 2JE"
			}
			pt, found := postcodes[pc]
			if pc == "NG7 6ZZ" {
				pt, found = ng7Centre(), true
			}
			if found {
				best, ok = min(best, geo.Miles(o.e, o.n, pt.e, pt.n)), true
			}
		}
	}
	return best, ok
}

func checkDistances(t *testing.T, res *search.Result, o point) {
	t.Helper()
	for _, m := range res.Matches {
		want, ok := expectDistance(o, m.Provider.Name)
		switch {
		case !ok && m.DistanceMiles != nil:
			t.Errorf("%s: distance %v, want none", m.Provider.Name, *m.DistanceMiles)
		case ok && (m.DistanceMiles == nil || math.Abs(*m.DistanceMiles-want) > 1e-9):
			t.Errorf("%s: distance %v, want %v", m.Provider.Name, m.DistanceMiles, want)
		}
	}
}

func TestNearestFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		origin := postcodes["NG7 2QQ"]

		res := f.search(t, search.Filter{Postcode: " ng72qq "})
		if o := res.Origin; o == nil || *o != (search.Origin{Postcode: "NG7 2QQ", District: "NG7", Precision: search.PrecisionPostcode}) {
			t.Fatalf("origin = %+v", res.Origin)
		}
		// Lenton 0.26 mi, Hyson Green 0.70 (district centre), Beeston 1.20,
		// City 2.35 (its nearer site), Aspley and Bridgford 2.56 (same site,
		// by name), Bulwell 4.40, then Ilkeston, which cannot be measured.
		want := []string{
			"Lenton Hair Studio", "Hyson Green Boxing Club", "Beeston Sports Trust", "City Construction Academy",
			"Aspley Training", "Bridgford Vehicle Workshop", "Bulwell Motor Skills", "Ilkeston Youth Provision",
		}
		if got := names(res.Matches); !slices.Equal(got, want) {
			t.Fatalf("order = %v\nwant %v", got, want)
		}
		checkDistances(t, res, origin)
		// A provider's courses come nearest first.
		wantCity := "City Construction Academy[601/0526/4 601/0286/X 601/8543/0]"
		if got := summary(res.Matches)[3]; got != wantCity {
			t.Fatalf("City courses = %s, want %s", got, wantCity)
		}

		// From a course's own postcode: that course is 0 miles away.
		res = f.search(t, search.Filter{Postcode: "NG7 2RD"})
		if m := res.Matches[0]; m.Provider.Name != "Lenton Hair Studio" || m.DistanceMiles == nil || *m.DistanceMiles != 0 {
			t.Fatalf("first match from NG7 2RD = %s at %v", m.Provider.Name, m.DistanceMiles)
		}
		checkDistances(t, res, postcodes["NG7 2RD"])

		// A terminated postcode is still a place to measure from.
		res = f.search(t, search.Filter{Postcode: "NG7 2NR", Levels: []level.Level{level.Level2}})
		if res.Origin.Precision != search.PrecisionPostcode {
			t.Fatalf("origin = %+v", res.Origin)
		}
		checkDistances(t, res, postcodes["NG7 2NR"])
	})
}

func TestWithinMiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		res := f.search(t, search.Filter{Postcode: "NG7 2QQ", WithinMiles: ptr(2.5)})
		// City Construction's NG3 site (3.06 mi) is out of range, so only its
		// NG1 courses match; Ilkeston cannot be measured so is dropped.
		wantSummary(t, res,
			"Lenton Hair Studio[601/5785/9]",
			"Hyson Green Boxing Club[601/2623/1]",
			"Beeston Sports Trust[601/2623/1 601/3037/4]",
			"City Construction Academy[601/0526/4 601/0286/X]",
		)
		checkDistances(t, res, postcodes["NG7 2QQ"])
		for _, m := range res.Matches {
			if *m.DistanceMiles > 2.5 {
				t.Fatalf("%s at %v miles", m.Provider.Name, *m.DistanceMiles)
			}
		}

		// The limit itself is inclusive.
		exact := geo.Miles(454235, 338849, 454603, 338640)
		res = f.search(t, search.Filter{Postcode: "NG7 2QQ", WithinMiles: &exact})
		if got := names(res.Matches); !slices.Equal(got, []string{"Lenton Hair Studio"}) {
			t.Fatalf("within %v: %v", exact, got)
		}

		res = f.search(t, search.Filter{Postcode: "NG7 2QQ", WithinMiles: ptr(float64(search.MaxWithinMiles))})
		if len(res.Matches) != len(listed)-1 {
			t.Fatalf("within 200 miles: %v; want all but Ilkeston", names(res.Matches))
		}
	})
}

func TestDistrictFallback(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		res := f.search(t, search.Filter{Postcode: "ng7 9zz"})
		want := search.Origin{
			Postcode: "NG7 9ZZ", District: "NG7", Precision: search.PrecisionDistrict,
			Message: "NG7 9ZZ is not in the postcode table; distances are from the centre of district NG7",
		}
		if res.Origin == nil || *res.Origin != want {
			t.Fatalf("origin = %+v\nwant %+v", res.Origin, want)
		}
		// From the centre: Hyson Green (also at the centre) 0, Lenton 0.58,
		// City 1.65, Beeston 1.86, Aspley/Bridgford 2.03, Bulwell 4.25.
		wantNames := []string{
			"Hyson Green Boxing Club", "Lenton Hair Studio", "City Construction Academy", "Beeston Sports Trust",
			"Aspley Training", "Bridgford Vehicle Workshop", "Bulwell Motor Skills", "Ilkeston Youth Provision",
		}
		if got := names(res.Matches); !slices.Equal(got, wantNames) {
			t.Fatalf("order = %v\nwant %v", got, wantNames)
		}
		checkDistances(t, res, ng7Centre())

		// From Hyson Green's own unknown postcode: both are at the centre.
		res = f.search(t, search.Filter{Postcode: "NG7 6ZZ", WithinMiles: ptr(0.1)})
		wantSummary(t, res, "Hyson Green Boxing Club[601/2623/1]")
		if d := res.Matches[0].DistanceMiles; d == nil || *d != 0 || res.Origin.Precision != search.PrecisionDistrict {
			t.Fatalf("distance %v, origin %+v", d, res.Origin)
		}
	})
}

func TestUnknownDistrict(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		res := f.search(t, search.Filter{Postcode: "DE7 8FS"})
		o := res.Origin
		if o == nil || o.Postcode != "DE7 8FS" || o.District != "DE7" || o.Precision != search.PrecisionNone ||
			!strings.Contains(o.Message, "DE7 8FS") || !strings.Contains(o.Message, "district DE7") || !strings.Contains(o.Message, "without distances") {
			t.Fatalf("origin = %+v", o)
		}
		wantSummary(t, res, "Ilkeston Youth Provision[601/2623/1]")
		if res.Matches[0].DistanceMiles != nil {
			t.Fatal("distance without a location")
		}

		// Other filters still apply.
		wantSummary(t, f.search(t, search.Filter{Postcode: "DE7 8FS", AwardingBody: "IMI"}))
		// Nothing can be shown to be within range.
		res = f.search(t, search.Filter{Postcode: "DE7 8FS", WithinMiles: ptr(5.0)})
		if len(res.Matches) != 0 || res.Origin.Precision != search.PrecisionNone || !strings.HasSuffix(res.Origin.Message, "without distances, so none can be shown to be within 5 miles") {
			t.Fatalf("within 5 miles of an unknown district: %v, %+v", names(res.Matches), res.Origin)
		}
	})
}

func TestBadInput(t *testing.T) {
	d := dbtest.SQLite(t)
	f := setup(t, d)
	ctx := viewer.SystemContext(context.Background())
	run := func(flt search.Filter, first *int, after *entgql.Cursor[int]) error {
		_, err := search.Providers(ctx, f.client, flt, first, after, today)
		return err
	}

	for _, pc := range []string{"NG7 2Q", "NG7", "not a postcode", "NG7-2QQ"} {
		wantCode(t, run(search.Filter{Postcode: pc}, nil, nil), "postcode")
	}
	wantCode(t, run(search.Filter{WithinMiles: ptr(5.0)}, nil, nil), "withinMiles")
	wantCode(t, run(search.Filter{Postcode: "  ", WithinMiles: ptr(5.0)}, nil, nil), "withinMiles")
	for _, w := range []float64{0, -1, 200.01, math.NaN(), math.Inf(1)} {
		wantCode(t, run(search.Filter{Postcode: "NG7 2QQ", WithinMiles: ptr(w)}, nil, nil), "withinMiles")
	}
	wantCode(t, run(search.Filter{}, ptr(-1), nil), "first")
	wantCode(t, run(search.Filter{}, ptr(search.MaxFirst+1), nil), "first")
	wantCode(t, run(search.Filter{Levels: []level.Level{"LEVEL_9"}}, nil, nil), "levels")

	// A cursor for a provider not in these results.
	stale := search.CursorFor(search.Match{Provider: f.providers["Suspended Motors"]})
	err := run(search.Filter{}, nil, &stale)
	wantCode(t, err, "after")
	if !strings.Contains(err.Error(), "cursor no longer valid, start again") {
		t.Fatalf("message = %q", err)
	}
	beeston := search.CursorFor(search.Match{Provider: f.providers["Beeston Sports Trust"]})
	wantCode(t, run(search.Filter{AwardingBody: "IMI"}, nil, &beeston), "after")
}

// walk pages through a search n at a time and returns every match.
func walk(t *testing.T, f *fixture, flt search.Filter, n int) []search.Match {
	t.Helper()
	var all []search.Match
	var after *entgql.Cursor[int]
	for page := 0; ; page++ {
		res, err := search.Providers(viewer.SystemContext(context.Background()), f.client, flt, &n, after, today)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if res.HasPreviousPage != (page > 0) {
			t.Fatalf("page %d: HasPreviousPage = %v", page, res.HasPreviousPage)
		}
		if len(res.Matches) > n || (res.HasNextPage && len(res.Matches) != n) {
			t.Fatalf("page %d: %d matches of %d, next %v", page, len(res.Matches), n, res.HasNextPage)
		}
		all = append(all, res.Matches...)
		if !res.HasNextPage {
			if res.TotalCount != len(all) {
				t.Fatalf("TotalCount %d, walked %d", res.TotalCount, len(all))
			}
			return all
		}
		c := search.CursorFor(res.Matches[len(res.Matches)-1])
		after = &c
	}
}

func TestPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, flt := range []search.Filter{{}, {Postcode: "NG7 2QQ"}, {Postcode: "NG7 9ZZ", AwardingBody: "IMI"}} {
			full := names(f.search(t, flt).Matches)
			for _, n := range []int{1, 2, 3, len(full), search.MaxFirst} {
				if got := names(walk(t, f, flt, n)); !slices.Equal(got, full) {
					t.Fatalf("%+v by %d: %v\nwant %v", flt, n, got, full)
				}
			}
		}

		// Default page size, and first: 0 still counts.
		res, err := search.Providers(viewer.SystemContext(context.Background()), f.client, search.Filter{}, ptr(0), nil, today)
		if err != nil || len(res.Matches) != 0 || res.TotalCount != len(listed) || !res.HasNextPage {
			t.Fatalf("first 0: %+v, %v", res, err)
		}
		res, err = search.Providers(viewer.SystemContext(context.Background()), f.client, search.Filter{}, nil, nil, today)
		if err != nil || len(res.Matches) != len(listed) {
			t.Fatalf("default page: %+v, %v", res, err)
		}
		// The last provider's cursor: an empty page, not an error.
		last := search.CursorFor(res.Matches[len(res.Matches)-1])
		res, err = search.Providers(viewer.SystemContext(context.Background()), f.client, search.Filter{}, nil, &last, today)
		if err != nil || len(res.Matches) != 0 || res.HasNextPage || !res.HasPreviousPage {
			t.Fatalf("after the last: %+v, %v", res, err)
		}
	})
}

// counter counts the statements a search sends, to keep it free of N+1.
func counter(d *db.DB) (*ent.Client, *atomic.Int64) {
	var n atomic.Int64
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(context.Context, ...any) { n.Add(1) })
	return ent.NewClient(ent.Driver(drv)), &n
}

func TestQueryCount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		c, n := counter(d)
		for _, tt := range []struct {
			flt  search.Filter
			want int64
		}{
			// Courses, then their providers, qualifications and awarding bodies.
			{search.Filter{}, 4},
			// Plus the postcodes, and the district centres for NG7 6ZZ and DE7 5AB.
			{search.Filter{Postcode: "NG7 2QQ"}, 6},
			{search.Filter{Postcode: "NG7 9ZZ", Levels: []level.Level{level.Level1}}, 6},
			// Every course's postcode is in the table: no district query.
			{search.Filter{Postcode: "NG7 2QQ", AwardingBody: "IMI"}, 5},
		} {
			n.Store(0)
			if _, err := search.Providers(viewer.SystemContext(context.Background()), c, tt.flt, nil, nil, today); err != nil {
				t.Fatal(err)
			}
			if got := n.Load(); got != tt.want {
				t.Errorf("%+v: %d queries, want %d", tt.flt, got, tt.want)
			}
		}
	})
}

// A qualification's span is the right way up on every write (the levelSpan
// hook): minLevel below level, or the level searches would miss it.
func TestLevelSpanIsOrdered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := viewer.SystemContext(context.Background())
		c := d.Client
		ab := c.AwardingBody.Create().SetName("Pearson").SetAcronym("PEARSON").SetRecognitionNumber("RN5131").SaveX(ctx)
		refusedSpan := func(err error) bool {
			e, ok := apierr.As(err)
			return ok && e.Code == apierr.BadUserInput && e.Field == "minLevel"
		}
		create := func(number string, hi, lo level.Level) error {
			return c.Qualification.Create().SetNumber(number).SetTitle("Span").SetLevel(hi).SetMinLevel(lo).
				SetAwardingBody(ab).Exec(ctx)
		}
		if err := create("600/0001/1", level.Level1, level.Level2); !refusedSpan(err) {
			t.Errorf("minLevel above level: %v, want BAD_USER_INPUT on minLevel", err)
		}
		if err := create("600/0002/2", level.Level2, level.Level2); !refusedSpan(err) {
			t.Errorf("minLevel equal to level: %v, want BAD_USER_INPUT on minLevel", err)
		}
		if err := create("600/0003/3", level.Level2, level.Level1); err != nil {
			t.Fatalf("a Level 1/2 span: %v", err)
		}
		q := c.Qualification.Query().Where(qualification.Number("600/0003/3")).OnlyX(ctx)
		// Lowering level alone, below the stored minLevel, turns the span over.
		if err := c.Qualification.UpdateOne(q).SetLevel(level.Entry3).Exec(ctx); !refusedSpan(err) {
			t.Errorf("level lowered below the stored minLevel: %v, want BAD_USER_INPUT on minLevel", err)
		}
		if err := c.Qualification.UpdateOne(q).SetLevel(level.Level3).Exec(ctx); err != nil {
			t.Errorf("a wider span: %v", err)
		}
	})
}
