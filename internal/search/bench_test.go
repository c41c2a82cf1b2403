package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/level"
	"github.com/apnet/apnet/internal/search"
	"github.com/apnet/apnet/internal/viewer"
)

const (
	benchPostcodes = 10_000
	benchProviders = 500
	benchCourses   = 2_000
	benchQuals     = 60
	benchDistricts = 20
)

var inwardLetters = []byte("ABDEFGHJLNPQRSTUWXYZ")

// benchData fills d with a synthetic greater Nottingham: 20 districts of 500
// postcodes scattered round their centres, 60 qualifications across the six
// levels, and 500 providers (90% listable) with 2,000 courses, 5% of them at
// postcodes missing from the table so the district fallback is exercised.
func benchData(b *testing.B, d *db.DB) {
	ctx := viewer.SystemContext(context.Background())
	r := rand.New(rand.NewPCG(1, 2))

	codes := make([]string, 0, benchPostcodes)
	var pcs []*ent.PostcodeCreate
	flush := func() {
		d.Postcode.CreateBulk(pcs...).ExecX(ctx)
		pcs = pcs[:0]
	}
	for i := range benchPostcodes {
		dist := i%benchDistricts + 1
		k := i / benchDistricts
		pc := fmt.Sprintf("NG%d %d%c%c", dist, k%10, inwardLetters[k/10%20], inwardLetters[k/200%20])
		ce, cn := 448000+(dist%5)*3000, 332000+(dist/5)*3500
		pcs = append(pcs, d.Postcode.Create().SetPostcode(pc).SetOutward(fmt.Sprintf("NG%d", dist)).
			SetEasting(ce+r.IntN(3000)-1500).SetNorthing(cn+r.IntN(3000)-1500))
		codes = append(codes, pc)
		if len(pcs) == 1000 {
			flush()
		}
	}

	var abs []*ent.AwardingBody
	for i := range 5 {
		abs = append(abs, d.AwardingBody.Create().SetName(fmt.Sprintf("Awarding Body %d", i)).
			SetAcronym(fmt.Sprintf("AB%d", i)).SetRecognitionNumber(fmt.Sprintf("RN%d", 5100+i)).SaveX(ctx))
	}
	levels := []level.Level{
		level.Entry1, level.Entry2, level.Entry3,
		level.Level1, level.Level2, level.Level3,
	}
	var qs []*ent.QualificationCreate
	for i := range benchQuals {
		qs = append(qs, d.Qualification.Create().SetNumber(fmt.Sprintf("600/%04d/%d", i, i%10)).
			SetTitle(fmt.Sprintf("Level Certificate in Subject %d", i)).SetLevel(levels[i%len(levels)]).
			SetSectorSubjectArea(fmt.Sprintf("Area %d", i%12)).SetAwardingBody(abs[i%len(abs)]))
	}
	quals := d.Qualification.CreateBulk(qs...).SaveX(ctx)

	var ps []*ent.ProviderCreate
	for i := range benchProviders {
		status := provider.ApprovalStatusAPPROVED
		if i%10 == 0 {
			status = provider.ApprovalStatusSUSPENDED
		}
		ps = append(ps, d.Provider.Create().SetName(fmt.Sprintf("Provider %03d", i)).
			SetPostcode(codes[r.IntN(len(codes))]).SetApprovalStatus(status).SetApprovedUntil(date(2027, 3, 31)))
	}
	provs := d.Provider.CreateBulk(ps...).SaveX(ctx)

	var cs []*ent.CourseCreate
	for i := range benchCourses {
		pc := codes[r.IntN(len(codes))]
		if i%20 == 0 {
			pc = fmt.Sprintf("NG%d 9ZZ", i/20%benchDistricts+1) // not in the table
		}
		cs = append(cs, d.Course.Create().SetProvider(provs[r.IntN(len(provs))]).SetQualification(quals[r.IntN(len(quals))]).
			SetDeliveryPostcode(pc).SetPlaces(10).SetSessions(weekly).SetStartDates(nil))
		if len(cs) == 1000 {
			d.Course.CreateBulk(cs...).ExecX(ctx)
			cs = cs[:0]
		}
	}
}

// BenchmarkProviders: a school's typical search, by postcode, level and
// radius, over a dataset a few times the partnership's size.
func BenchmarkProviders(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(backend.name, func(b *testing.B) {
			d := backend.open(b)
			benchData(b, d)
			f := search.Filter{
				Postcode:    "NG7 4BD",
				Levels:      []level.Level{level.Level1, level.Level2},
				WithinMiles: ptr(3.0),
			}
			ctx := viewer.SystemContext(context.Background())
			for b.Loop() {
				res, err := search.Providers(ctx, d.Client, f, nil, nil, today)
				if err != nil {
					b.Fatal(err)
				}
				if res.TotalCount == 0 {
					b.Fatal("no matches: the benchmark measures nothing")
				}
			}
		})
	}
}
