// Package search is the provider directory behind the searchProviders query:
// schools find courses by qualification, awarding body, level and subject
// area, nearest first from a postcode.
//
// Everything is computed per request from a handful of queries (the matching
// courses with their provider, qualification and awarding body; the
// postcodes involved; district centres when a postcode is missing), then
// grouped, measured, ordered and paged in memory. A partnership lists
// hundreds of courses, not millions, so this is cheaper and simpler than
// distance in SQL, and works the same on SQLite and PostgreSQL.
package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/contrib/entgql"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/awardingbody"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/postcode"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/qualification"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/geo"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/level"
)

// Page sizes, the radius limit, and the longest text filter: each word of a
// filter is one LIKE in SQL, so unbounded text makes unbounded SQL (SQLite
// refuses LIKE patterns over 50,000 bytes and expressions over 1,000 deep).
// 200 characters is far more than any title, body, area or postcode.
const (
	DefaultFirst   = 20
	MaxFirst       = 100
	MaxWithinMiles = 200
	MaxFilterText  = 200
)

// Filter is what the school searched for; every field given must match.
type Filter struct {
	// Qualification is an Ofqual number in either form (exact match on the
	// normalised number) or words of the title (every word must appear,
	// case-insensitive).
	Qualification string
	// AwardingBody is a name (words, case-insensitive), an acronym (exact,
	// case-insensitive) or a recognition number (RN5156).
	AwardingBody string
	Levels       []level.Level
	// SectorSubjectArea is words of the area, case-insensitive.
	SectorSubjectArea string
	// Postcode is where distances are measured from, in any case and spacing.
	Postcode string
	// WithinMiles keeps providers with a matching course at most this far
	// away; it needs Postcode and must be > 0 and ≤ MaxWithinMiles.
	WithinMiles *float64
	// IncludeUnapproved lists every provider, for partnership staff. Otherwise
	// only providers APPROVED with approved_until today or later are listed.
	IncludeUnapproved bool
}

// Precision says how exactly the origin was located (the GraphQL
// LocationPrecision values).
type Precision string

const (
	PrecisionPostcode Precision = "POSTCODE" // the postcode's own coordinates
	PrecisionDistrict Precision = "DISTRICT" // postcode unknown: its district's centre
	PrecisionNone     Precision = "NONE"     // district unknown too: no distances
)

// Origin is where distances were measured from. Message is empty when the
// postcode itself was found, and otherwise says in words what was done.
type Origin struct {
	Postcode, District string
	Precision          Precision
	Message            string
}

// Match is one provider and its courses that matched the filter, nearest
// first when there is an origin, else in id order. DistanceMiles is the
// distance to the nearest of them, nil when it cannot be measured.
type Match struct {
	Provider      *ent.Provider
	Courses       []*ent.Course // with Provider and Qualification→AwardingBody loaded
	DistanceMiles *float64
}

// Result is one page of matches. TotalCount counts every match, not just
// this page's. Origin is set when the filter has a postcode.
type Result struct {
	Matches                      []Match
	TotalCount                   int
	HasNextPage, HasPreviousPage bool
	Origin                       *Origin
}

// CursorFor returns the cursor that pages on after m: its provider's id.
func CursorFor(m Match) entgql.Cursor[int] { return entgql.Cursor[int]{ID: m.Provider.ID} }

// Providers runs a search and returns the page of first matches (default
// DefaultFirst, at most MaxFirst) after the cursor. today is the caller's
// current time; its UK calendar day decides whether an approval has lapsed
// (access.CurrentlyApproved).
//
// Bad input is an *apierr.Error with code BAD_USER_INPUT. A well-formed
// postcode that is not in the postcode table never fails: the origin falls
// back to its district (see Origin).
func Providers(ctx context.Context, client *ent.Client, f Filter, first *int, after *entgql.Cursor[int], today time.Time) (*Result, error) {
	limit, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	origin, err := checkFilter(f)
	if err != nil {
		return nil, err
	}

	courses, err := client.Course.Query().
		Where(coursePredicates(f, today)...).
		WithProvider().
		WithQualification(func(q *ent.QualificationQuery) { q.WithAwardingBody() }).
		Order(course.ByID()).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("search courses: %w", err)
	}

	var loc *locator
	if origin != "" {
		if loc, err = locate(ctx, client, origin, courses, f.WithinMiles); err != nil {
			return nil, err
		}
	}
	matches := group(courses, loc, f.WithinMiles)
	sortMatches(matches)

	res := &Result{TotalCount: len(matches)}
	if loc != nil {
		o := loc.origin
		res.Origin = &o
	}
	start := 0
	if after != nil {
		i := slices.IndexFunc(matches, func(m Match) bool { return m.Provider.ID == after.ID })
		if i < 0 {
			// The provider left the results (filter changed, approval lapsed)
			// so there is no position to continue from.
			return nil, apierr.Invalid("after", "cursor no longer valid, start again")
		}
		start = i + 1
	}
	end := min(start+limit, len(matches))
	res.Matches = matches[start:end]
	res.HasPreviousPage = start > 0
	res.HasNextPage = end < len(matches)
	return res, nil
}

func pageSize(first *int) (int, error) {
	switch {
	case first == nil:
		return DefaultFirst, nil
	case *first < 0 || *first > MaxFirst:
		return 0, apierr.Invalid("first", "first must be between 0 and %d, not %d", MaxFirst, *first)
	}
	return *first, nil
}

// checkFilter validates what the database cannot, and returns the
// normalised postcode ("" when none was given).
func checkFilter(f Filter) (string, error) {
	for _, t := range []struct{ field, s string }{
		{"qualification", f.Qualification}, {"awardingBody", f.AwardingBody},
		{"sectorSubjectArea", f.SectorSubjectArea}, {"postcode", f.Postcode},
	} {
		if utf8.RuneCountInString(t.s) > MaxFilterText {
			return "", apierr.Invalid(t.field, "%s may be at most %d characters", t.field, MaxFilterText)
		}
	}
	for _, l := range f.Levels {
		if !l.Valid() {
			return "", apierr.Invalid("levels", "%q is not a qualification level", string(l))
		}
	}
	var pc string
	if strings.TrimSpace(f.Postcode) != "" {
		var err error
		if pc, err = ident.NormalizePostcode(f.Postcode); err != nil {
			return "", err
		}
	}
	if w := f.WithinMiles; w != nil {
		if pc == "" {
			return "", apierr.Invalid("withinMiles", "withinMiles needs a postcode to measure from")
		}
		// The negated test also rejects NaN.
		if !(*w > 0 && *w <= MaxWithinMiles) {
			return "", apierr.Invalid("withinMiles", "withinMiles must be more than 0 and at most %d miles, not %v", MaxWithinMiles, *w)
		}
	}
	return pc, nil
}

// coursePredicates turns the filter into SQL, so only matching courses of
// listable providers leave the database.
func coursePredicates(f Filter, today time.Time) []predicate.Course {
	var qual []predicate.Qualification
	if s := strings.TrimSpace(f.Qualification); s != "" {
		if n, err := ident.NormalizeQualificationNumber(s); err == nil {
			qual = append(qual, qualification.NumberEQ(n))
		} else {
			for _, w := range strings.Fields(s) {
				qual = append(qual, qualification.TitleContainsFold(w))
			}
		}
	}
	if len(f.Levels) > 0 {
		qual = append(qual, levelsMatch(f.Levels))
	}
	for _, w := range strings.Fields(f.SectorSubjectArea) {
		qual = append(qual, qualification.SectorSubjectAreaContainsFold(w))
	}
	if s := strings.TrimSpace(f.AwardingBody); s != "" {
		qual = append(qual, qualification.HasAwardingBodyWith(awardingBodyMatches(s)))
	}

	var ps []predicate.Course
	if len(qual) > 0 {
		ps = append(ps, course.HasQualificationWith(qual...))
	}
	if !f.IncludeUnapproved {
		// The one definition of a current approval, on the UK date.
		ps = append(ps, course.HasProviderWith(access.CurrentlyApproved(today)))
	}
	return ps
}

// levelsMatch matches a qualification that can be awarded at any of want:
// its level (its highest) is one of them, or it spans one (min_level at or
// below it, level above it), so a search for Level 1 finds a "Level 1/2"
// technical award stored as LEVEL_2 with min_level LEVEL_1.
func levelsMatch(want []level.Level) predicate.Qualification {
	all := level.All()
	alts := []predicate.Qualification{qualification.LevelIn(want...)}
	for _, w := range want {
		i := w.Rank()
		if i < 0 || i == len(all)-1 {
			continue // nothing is above the top level
		}
		alts = append(alts, qualification.And(qualification.LevelIn(all[i+1:]...), qualification.MinLevelIn(all[:i+1]...)))
	}
	return qualification.Or(alts...)
}

// awardingBodyMatches: any of name words, the exact acronym, or the
// recognition number. Names and acronyms overlap ("NCFE" is both), so
// trying all three is what a user means.
func awardingBodyMatches(s string) predicate.AwardingBody {
	var name []predicate.AwardingBody
	for _, w := range strings.Fields(s) {
		name = append(name, awardingbody.NameContainsFold(w))
	}
	alts := []predicate.AwardingBody{awardingbody.And(name...), awardingbody.AcronymEqualFold(s)}
	// "RN 5156" and "rn5156" are both the recognition number RN5156.
	if rn := strings.ToUpper(strings.Join(strings.Fields(s), "")); isRecognitionNumber(rn) {
		alts = append(alts, awardingbody.RecognitionNumberEQ(rn))
	}
	return awardingbody.Or(alts...)
}

func isRecognitionNumber(s string) bool {
	if len(s) < 3 || !strings.HasPrefix(s, "RN") {
		return false
	}
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// point is a British National Grid location in metres.
type point struct{ e, n int }

// locator knows the origin and where each course is delivered.
type locator struct {
	origin Origin
	at     *point           // nil for PrecisionNone
	places map[string]point // normalised delivery postcode → its point or its district's centre
}

// locate finds the origin and the courses' delivery sites in two queries at
// most: every postcode involved in one IN query, then, only if some are
// missing from the table, the centres of their districts in one GROUP BY.
func locate(ctx context.Context, client *ent.Client, origin string, courses []*ent.Course, within *float64) (*locator, error) {
	district := outward(origin)
	codes := []string{origin}
	seen := map[string]bool{origin: true}
	for _, c := range courses {
		if p := deliveryPostcode(c); p != "" && !seen[p] {
			seen[p] = true
			codes = append(codes, p)
		}
	}

	found := make(map[string]point, len(codes))
	// Chunked only to stay under bind-parameter limits in extreme cases;
	// one query in practice.
	for chunk := range slices.Chunk(codes, 10000) {
		rows, err := client.Postcode.Query().
			Where(postcode.PostcodeIn(chunk...)).
			Select(postcode.FieldPostcode, postcode.FieldEasting, postcode.FieldNorthing).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("look up postcodes: %w", err)
		}
		for _, r := range rows {
			found[r.Postcode] = point{r.Easting, r.Northing}
		}
	}

	var districts []string
	for _, p := range codes {
		if _, ok := found[p]; !ok && !slices.Contains(districts, outward(p)) {
			districts = append(districts, outward(p))
		}
	}
	centres, err := districtCentres(ctx, client, districts)
	if err != nil {
		return nil, err
	}

	l := &locator{
		origin: Origin{Postcode: origin, District: district},
		places: make(map[string]point, len(codes)),
	}
	for _, p := range codes { // the origin too: a course may be there
		if pt, ok := found[p]; ok {
			l.places[p] = pt
		} else if pt, ok := centres[outward(p)]; ok {
			l.places[p] = pt
		}
	}
	pt, located := l.places[origin]
	_, exact := found[origin]
	switch {
	case exact:
		l.origin.Precision, l.at = PrecisionPostcode, &pt
	case located:
		l.origin.Precision, l.at = PrecisionDistrict, &pt
		l.origin.Message = fmt.Sprintf("%s is not in the postcode table; distances are from the centre of district %s", origin, district)
	default:
		l.origin.Precision = PrecisionNone
		l.origin.Message = fmt.Sprintf("Neither %s nor any other postcode in district %s is in the postcode table; "+
			"only providers with a course in %s are listed, without distances", origin, district, district)
		if within != nil {
			l.origin.Message += fmt.Sprintf(", so none can be shown to be within %g miles", *within)
		}
	}
	return l, nil
}

// districtCentres averages the grid references of each district's postcodes
// in SQL, so a fallback costs one grouped query however big the district.
func districtCentres(ctx context.Context, client *ent.Client, districts []string) (map[string]point, error) {
	if len(districts) == 0 {
		return nil, nil
	}
	var rows []struct {
		Outward  string  `json:"outward"`
		Easting  float64 `json:"easting"`
		Northing float64 `json:"northing"`
	}
	err := client.Postcode.Query().
		Where(postcode.OutwardIn(districts...)).
		GroupBy(postcode.FieldOutward).
		Aggregate(
			ent.As(ent.Mean(postcode.FieldEasting), "easting"),
			ent.As(ent.Mean(postcode.FieldNorthing), "northing"),
		).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("district centres: %w", err)
	}
	m := make(map[string]point, len(rows))
	for _, r := range rows {
		m[r.Outward] = point{int(math.Round(r.Easting)), int(math.Round(r.Northing))}
	}
	return m, nil
}

// deliveryPostcode is the course's delivery postcode normalised, or "" when
// it is not a postcode (it is then never located).
func deliveryPostcode(c *ent.Course) string {
	p, err := ident.NormalizePostcode(c.DeliveryPostcode)
	if err != nil {
		return ""
	}
	return p
}

// outward is the district of a normalised postcode.
func outward(p string) string { return p[:strings.IndexByte(p, ' ')] }

// group collects the courses (in id order) into one match per provider,
// measuring each course from the origin. Courses outside the origin's
// district (PrecisionNone) or beyond withinMiles are not matches, so they
// are left out of Match.Courses too.
func group(courses []*ent.Course, loc *locator, within *float64) []Match {
	type item struct {
		match Match
		dists map[int]float64 // course id → miles, for those measured
	}
	var items []*item
	byProvider := make(map[int]*item)
	for _, c := range courses {
		var d *float64
		if loc != nil {
			p := deliveryPostcode(c)
			if loc.at == nil && (p == "" || outward(p) != loc.origin.District) {
				continue
			}
			if pt, ok := loc.places[p]; ok && loc.at != nil {
				miles := geo.Miles(loc.at.e, loc.at.n, pt.e, pt.n)
				d = &miles
			}
		}
		if within != nil && (d == nil || *d > *within) {
			continue
		}
		prov := c.Edges.Provider
		it := byProvider[prov.ID]
		if it == nil {
			it = &item{match: Match{Provider: prov}, dists: map[int]float64{}}
			byProvider[prov.ID] = it
			items = append(items, it)
		}
		it.match.Courses = append(it.match.Courses, c)
		if d != nil {
			it.dists[c.ID] = *d
			if it.match.DistanceMiles == nil || *d < *it.match.DistanceMiles {
				it.match.DistanceMiles = d
			}
		}
	}

	out := make([]Match, len(items))
	for i, it := range items {
		if len(it.dists) > 0 {
			// Nearest course first; unmeasured ones last, by id (stable sort
			// keeps the id order they arrived in).
			slices.SortStableFunc(it.match.Courses, func(a, b *ent.Course) int {
				da, aok := it.dists[a.ID]
				db, bok := it.dists[b.ID]
				return compareDistance(da, aok, db, bok)
			})
		}
		out[i] = it.match
	}
	return out
}

// compareDistance orders measured before unmeasured, then nearest first.
func compareDistance(a float64, aok bool, b float64, bok bool) int {
	switch {
	case aok && bok:
		return cmp.Compare(a, b)
	case aok:
		return -1
	case bok:
		return 1
	}
	return 0
}

// sortMatches orders nearest first (unmeasured last), then by provider name
// ignoring case, then by id, so every page of a search sees one order and
// the cursor's position is well defined.
func sortMatches(ms []Match) {
	keys := make(map[int]string, len(ms))
	for _, m := range ms {
		keys[m.Provider.ID] = strings.ToLower(m.Provider.Name)
	}
	slices.SortFunc(ms, func(a, b Match) int {
		var da, db float64
		if a.DistanceMiles != nil {
			da = *a.DistanceMiles
		}
		if b.DistanceMiles != nil {
			db = *b.DistanceMiles
		}
		if c := compareDistance(da, a.DistanceMiles != nil, db, b.DistanceMiles != nil); c != 0 {
			return c
		}
		if c := cmp.Compare(keys[a.Provider.ID], keys[b.Provider.ID]); c != 0 {
			return c
		}
		return cmp.Compare(a.Provider.ID, b.Provider.ID)
	})
}
