package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
)

// Free text in searchProviders' filter is capped at 200 characters: a
// longer one (here 50,000, as one word and as many) is BAD_USER_INPUT
// naming the field and the limit, not an internal error from SQL.
func TestSearchProvidersCapsFilterText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, huge := range []string{strings.Repeat("a", 50000), strings.Repeat("ab ", 16666)} {
			for _, field := range []string{"qualification", "awardingBody", "sectorSubjectArea", "postcode"} {
				r := do(t, e.schoolA, `query($s: String!) { searchProviders(filter: {`+field+`: $s}) { totalCount } }`,
					map[string]any{"s": huge})
				if msg := wantCode(t, r, "BAD_USER_INPUT"); msg != field+" may be at most 200 characters" {
					t.Fatalf("%s: message %q", field, msg)
				}
			}
		}
		// At the limit: searched (nothing matches).
		var out struct{ SearchProviders struct{ TotalCount int } }
		data(t, e.schoolA, `query($s: String!) { searchProviders(filter: {qualification: $s, awardingBody: $s, sectorSubjectArea: $s}) { totalCount } }`,
			map[string]any{"s": strings.Repeat("é", 200)}, &out)
		if out.SearchProviders.TotalCount != 0 {
			t.Fatalf("totalCount %d", out.SearchProviders.TotalCount)
		}
	})
}

// Every WhereInput string (top-level, nested, in lists, given inline or
// as a variable, in a nested connection) is capped at 200 characters by
// one check of the whole operation.
func TestWhereInputCapsFilterText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		huge := strings.Repeat("a", 50000)
		for query, field := range map[string]string{
			`query($s: String!) { providers(where: {nameContainsFold: $s}) { totalCount } }`:                                                       "where.nameContainsFold",
			`query($s: String!) { qualifications(where: {titleContainsFold: $s}) { totalCount } }`:                                                 "where.titleContainsFold",
			`query($s: String!) { schools(where: {nameHasPrefix: $s}) { totalCount } }`:                                                            "where.nameHasPrefix",
			`query($s: String!) { providers(where: {nameIn: ["x", $s]}) { totalCount } }`:                                                          "where.nameIn[1]",
			`query($s: String!) { providers(where: {or: [{hasCoursesWith: [{hasQualificationWith: [{titleContains: $s}]}]}]}) { totalCount } }`:    "where.or[0].hasCoursesWith[0].hasQualificationWith[0].titleContains",
			`query($s: String!) { qualifications(first: 1) { edges { node { courses(where: {deliveryPostcodeContains: $s}) { totalCount } } } } }`: "where.deliveryPostcodeContains",
			`{ providers(where: {nameContainsFold: "` + huge + `"}) { totalCount } }`:                                                              "where.nameContainsFold",
			`query($s: String!) { ...F } fragment F on Query { schools(where: {nameContains: $s}) { totalCount } }`:                                "where.nameContains",
		} {
			r := do(t, e.admin, query, map[string]any{"s": huge})
			if msg := wantCode(t, r, "BAD_USER_INPUT"); msg != field+" may be at most 200 characters" || r.Errors[0].Extensions["field"] != field {
				t.Fatalf("%.80s: message %q, field %v", query, msg, r.Errors[0].Extensions["field"])
			}
		}
		// At the limit the filter runs.
		var out struct{ Providers struct{ TotalCount int } }
		data(t, e.admin, `query($s: String!) { providers(where: {nameContainsFold: $s}) { totalCount } }`,
			map[string]any{"s": strings.Repeat("a", 200)}, &out)
	})
}

// Distances are shown to a tenth of a mile, but matches stay in order of
// their exact distance: Test Provider (1,950 m, 1.2117 miles) before Other
// Provider (2,000 m, 1.2427 miles), though both show 1.2 and by name Other
// would come first.
func TestSearchProvidersRoundsDistances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.addOtherProvider(t)
		for pc, east := range map[string]int{"NG7 2QQ": 450000, "NG1 1AA": 451950, "NG2 1AA": 452000} {
			e.db.Postcode.Create().SetPostcode(pc).SetOutward(pc[:3]).SetEasting(east).SetNorthing(340000).SaveX(sys)
		}
		var out struct {
			SearchProviders struct {
				Edges []struct {
					Node struct {
						DistanceMiles *float64
						Provider      struct{ Name string }
					}
				}
			}
		}
		data(t, e.admin, `{ searchProviders(filter: {postcode: "ng72qq"}) { edges { node { distanceMiles provider { name } } } } }`, nil, &out)
		var got []string
		for _, e := range out.SearchProviders.Edges {
			if e.Node.DistanceMiles == nil {
				t.Fatalf("%s: no distance", e.Node.Provider.Name)
			}
			got = append(got, fmt.Sprintf("%s %v", e.Node.Provider.Name, *e.Node.DistanceMiles))
		}
		if want := []string{"Test Provider 1.2", "Other Provider 1.2"}; !slices.Equal(got, want) {
			t.Fatalf("matches %q; want %q", got, want)
		}
	})
}
