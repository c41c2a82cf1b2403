package catalogue

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/awardingbody"
	"github.com/apnet/apnet/ent/qualification"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/level"
)

// Reasons a qualification row is rejected (keys of Stats.Rejects), besides
// csvimport's and BadLevelReason's.
const (
	ReasonBadQualificationNumber = "invalid qualification number"
	ReasonNoTitle                = "missing title"
	ReasonNoAwardingBody         = "missing awarding organisation"
	ReasonBadGLH                 = "invalid guided learning hours"
)

// Reasons a good qualification row is skipped, i.e. left out of the
// directory on purpose (keys of Stats.Skips), besides LevelReason's.
const (
	// SkipNoLongerAwarded: Ofqual's "No longer awarded" (certification has
	// ended). No learner placed now could achieve it, so it has no place in
	// a directory of courses to place learners on. "No longer available to
	// new learners" is still imported: it is still awarded, and providers'
	// existing courses lead to it.
	SkipNoLongerAwarded = "no longer awarded"
	SkipWithdrawn       = "withdrawn"
	// SkipNotInEngland: the register also lists qualifications offered
	// only in Northern Ireland.
	SkipNotInEngland = "not offered in England"
)

// LevelReason is the skip reason for a qualification above Level 3, e.g.
// "level not offered to 14–16 year olds (Level 4)".
func LevelReason(level string) string {
	return "level not offered to 14–16 year olds (" + level + ")"
}

// BadLevelReason is the reject reason for a level that is not one, e.g.
// "unrecognised level (Not Applicable)".
func BadLevelReason(level string) string {
	if level == "" {
		level = "none given"
	}
	return "unrecognised level (" + level + ")"
}

// QualificationSummary is what Qualifications did: the rows, and the awarding
// bodies it created or changed on the way.
type QualificationSummary struct {
	csvimport.Summary
	AwardingBodiesAdded, AwardingBodiesUpdated int
}

// String is the summary `apnet import` prints: csvimport.Summary's
// headline, the awarding bodies, then the rejected rows.
func (s QualificationSummary) String() string {
	return fmt.Sprintf("%s; awarding bodies: %d added, %d updated%s",
		s.Headline(), s.AwardingBodiesAdded, s.AwardingBodiesUpdated, s.RejectedList())
}

// Column names in the Ofqual register export ("Qualification Number", …;
// OfqualGovUK/ofqual-register-frontend Models/FullDataSetCSV/QualificationCSV.cs)
// and the DfE list of qualifications approved for funding
// ("QualificationNumber", …). Header matching ignores case, spaces and
// punctuation, so one name covers both spellings where they differ only so.
var (
	colNumber = column{"qualification number", []string{"Qualification Number"}}
	colTitle  = column{"title", []string{"Qualification Title", "QualificationName", "Title"}}
	colBody   = column{"awarding organisation", []string{"Owner Organisation Name", "AwardingOrganisation", "Awarding Organisation Name", "OrganisationName"}}
	colLevel  = column{"level", []string{"Qualification Level", "Level"}}

	colAcronym = column{"acronym", []string{"Owner Organisation Acronym"}}
	colRN      = column{"recognition number", []string{"Owner Organisation Recognition Number"}}
	colSub     = column{"sub level", []string{"Qualification Sub Level", "SubLevel"}}
	colType    = column{"type", []string{"Qualification Type"}}
	colSSA     = column{"sector subject area", []string{"Qualification SSA", "Sector Subject Area", "SSA"}}
	colGLH     = column{"guided learning hours", []string{"Guided Learning Hours", "GLH"}}
	colMinGLH  = column{"minimum guided learning hours", []string{"Minimum Guided Learning Hours"}}
	colStatus  = column{"status", []string{"Qualification Status", "Status"}}
	colEngland = column{"offered in England", []string{"Offered In England"}}
	colOffered = column{"offered in", []string{"Offered In"}} // older register exports: "England|Northern Ireland"
)

// qualColumns is where a file's columns are (-1: absent).
type qualColumns struct {
	number, title, body, level                                          int
	acronym, rn, sub, typ, ssa, glh, minGLH, status, england, offeredIn int
}

func findQualColumns(h csvimport.Header) (qualColumns, error) {
	i, err := find(h, []column{colNumber, colTitle, colBody, colLevel},
		colAcronym, colRN, colSub, colType, colSSA, colGLH, colMinGLH, colStatus, colEngland, colOffered)
	if err != nil {
		return qualColumns{}, err
	}
	return qualColumns{i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7], i[8], i[9], i[10], i[11], i[12], i[13]}, nil
}

// need is the fields a row must have to reach every column read.
func (c qualColumns) need() int {
	return reach(c.number, c.title, c.body, c.level, c.acronym, c.rn, c.sub, c.typ, c.ssa,
		c.glh, c.minGLH, c.status, c.england, c.offeredIn)
}

// bodyRef is how a row names its awarding body.
type bodyRef struct{ name, acronym, rn string }

// qualRecord is one accepted row. Fields from columns the file lacks are
// left to the table (see merge): the DfE list has no hours, and must not
// clear the hours an Ofqual import stored.
type qualRecord struct {
	number, title string
	level         level.Level
	minLevel      level.Level // "": level only
	typ, ssa      string
	glh           *int
	body          bodyRef
}

// key is the row's qualification number, normalised, or "" if invalid.
func (c qualColumns) key(f []string) string {
	number, err := ident.NormalizeQualificationNumber(csvimport.Field(f, c.number))
	if err != nil {
		return ""
	}
	return number
}

func (c qualColumns) parse(f []string) (qualRecord, string) {
	number, err := ident.NormalizeQualificationNumber(csvimport.Field(f, c.number))
	if err != nil {
		return qualRecord{}, ReasonBadQualificationNumber
	}
	title := clean(csvimport.Field(f, c.title))
	minLevel, level, ok := mapLevel(csvimport.Field(f, c.level), csvimport.Field(f, c.sub), title)
	if !ok {
		return qualRecord{}, BadLevelReason(clean(csvimport.Field(f, c.level)))
	}
	if title == "" {
		return qualRecord{}, ReasonNoTitle
	}
	body := bodyRef{
		name:    clean(csvimport.Field(f, c.body)),
		acronym: clean(csvimport.Field(f, c.acronym)),
		rn:      recognitionNumber(csvimport.Field(f, c.rn)),
	}
	if body.name == "" {
		return qualRecord{}, ReasonNoAwardingBody
	}
	glh, ok := guidedLearningHours(csvimport.Field(f, c.glh), csvimport.Field(f, c.minGLH))
	if !ok {
		return qualRecord{}, ReasonBadGLH
	}
	if minLevel == level {
		minLevel = ""
	}
	return qualRecord{
		number: number, title: title, level: level, minLevel: minLevel,
		typ: clean(csvimport.Field(f, c.typ)), ssa: clean(csvimport.Field(f, c.ssa)),
		glh: glh, body: body,
	}, ""
}

// skip picks out the good rows the directory leaves out: qualifications no
// longer awarded, withdrawn, not offered in England, or above Level 3.
func (c qualColumns) skip(f []string) string {
	status := strings.ToLower(csvimport.Field(f, c.status))
	switch {
	case strings.Contains(status, "no longer awarded"):
		return SkipNoLongerAwarded
	case strings.Contains(status, "withdrawn"):
		return SkipWithdrawn
	}
	if !offeredInEngland(csvimport.Field(f, c.england), csvimport.Field(f, c.offeredIn)) {
		return SkipNotInEngland
	}
	if level := clean(csvimport.Field(f, c.level)); aboveLevel3(level) {
		return LevelReason(level)
	}
	return ""
}

// offeredInEngland is false only when the file says so: "Offered In England"
// False, or an "Offered In" list without England. Blank means not stated.
func offeredInEngland(flag, list string) bool {
	switch strings.ToLower(flag) {
	case "false", "no", "0":
		return false
	}
	return list == "" || strings.Contains(strings.ToLower(list), "england")
}

// recognitionNumber normalises an Ofqual recognition number to "RN5156";
// "5156" and "rn5156" are the same organisation.
func recognitionNumber(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if s != "" && !strings.HasPrefix(s, "RN") {
		s = "RN" + s
	}
	return s
}

// guidedLearningHours prefers "Guided Learning Hours" and falls back to the
// minimum the register gives for qualifications with a range. Zero means
// not recorded: the register writes 0 for old NVQs that had no hours set.
// nil, true means none given; false means the value is not a number.
func guidedLearningHours(glh, minimum string) (*int, bool) {
	for _, s := range []string{glh, minimum} {
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64) // some exports write "87.0"
		if err != nil || f < 0 || f != float64(int(f)) {
			return nil, false
		}
		if n := int(f); n > 0 {
			return &n, true
		}
	}
	return nil, true
}

var (
	// "Level 2", "Level 1/Level 2", "Level 1/2", "Level 2/3".
	levelRE = regexp.MustCompile(`^level ?([0-9]+)(?: ?/ ?(?:level ?)?([0-9]+))?$`)
	// "Entry Level", "Entry", and "Entry Level 3" / "Entry 3" should a file
	// put the sub level in the level.
	entryLevelRE = regexp.MustCompile(`^entry(?: level)?(?: ?([1-3]))?$`)
	// A sub level in the sub level column or a title: "Entry 3", "Entry
	// Level 3", "(Entry 3)", and ranges such as "Entry 1-3" or "Entry 1/2".
	entrySubRE = regexp.MustCompile(`(?i)\bentry(?:\s+level)?\s*[1-3](?:\s*(?:-|–|/|to|and|&|or)\s*(?:entry(?:\s+level)?\s*)?[1-3])*\b`)
)

// aboveLevel3 reports a numbered level whose top is above Level 3 ("Level
// 4", "Level 3/4"): a real level, but not one 14–16 year olds take.
func aboveLevel3(level string) bool {
	_, hi, ok := numberedLevels(strings.ToLower(level))
	return ok && hi > 3
}

// numberedLevels reads a lower-case numbered level ("level 2", "level 1/2")
// as its lowest and highest number; ok is false when l is not one.
func numberedLevels(l string) (lo, hi int, ok bool) {
	m := levelRE.FindStringSubmatch(l)
	if m == nil {
		return 0, 0, false
	}
	a, _ := strconv.Atoi(m[1])
	b := a
	if m[2] != "" {
		b, _ = strconv.Atoi(m[2])
	}
	return min(a, b), max(a, b), true
}

// levels lists the schema's levels in order, lowest first.
var levels = level.All()

// mapLevel maps a row's level to the schema's (14–16 year olds take Entry 1
// to Level 3) as the span of levels the qualification can be awarded at:
// lo is its lowest, hi its highest (equal for most). The Qualification's
// level is hi, which is what its title and the register lead with, and its
// min_level is lo when lower, so a search for Level 1 finds "Level 1/Level
// 2" (register) or "Level 1/2" (DfE) technical awards, stored as LEVEL_2.
//
// An Entry Level qualification takes its sub level from the level itself
// ("Entry 3"), else the sub level column, else the title ("(Entry 3)",
// "Entry 1-3"). If none names one it spans Entry 1 to Entry 3: the register
// gives no sub level for qualifications assessed across the entry levels,
// e.g. Pearson's Entry Level Certificates, graded Entry 1, 2 or 3, and
// nothing says such a qualification is Entry 3 only. ok is false for Level
// 4 and above and for anything unrecognised.
func mapLevel(rowLevel, sub, title string) (lo, hi level.Level, ok bool) {
	l := strings.ToLower(clean(rowLevel))
	if a, b, ok := numberedLevels(l); ok {
		if a < 1 || b > 3 {
			return "", "", false
		}
		return levels[2+a], levels[2+b], true
	}
	m := entryLevelRE.FindStringSubmatch(l)
	if m == nil {
		return "", "", false
	}
	a, b := 0, 0
	if m[1] != "" {
		a = int(m[1][0] - '0')
		b = a
	}
	if a == 0 {
		a, b = entrySub(sub)
	}
	if a == 0 {
		a, b = entrySub(title)
	}
	if a == 0 {
		a, b = 1, 3
	}
	return levels[a-1], levels[b-1], true
}

// entrySub returns the lowest and highest Entry sub levels s mentions
// ("Entry 1-3": 1, 3), or 0, 0.
func entrySub(s string) (lo, hi int) {
	for _, m := range entrySubRE.FindAllString(s, -1) {
		for i := len("entry"); i < len(m); i++ {
			if c := m[i]; '1' <= c && c <= '3' {
				n := int(c - '0')
				if lo == 0 || n < lo {
					lo = n
				}
				hi = max(hi, n)
			}
		}
	}
	return lo, hi
}

// Qualifications streams an Ofqual register export or a DfE qualifications
// approved for funding file into the Qualification table, creating or
// updating awarding bodies as it goes, and calls progress after each batch
// commits (progress may be nil). Columns are found by header name. A
// qualification is matched by its number, normalised (the DfE file writes
// 60324760, the register 603/2476/0).
//
// An awarding body is matched by recognition number, else by name (ignoring
// case and spacing); unknown bodies are created. A row that gives a
// recognition number (the register's) sets the body's number if it had
// none, and its name unless another body already has that name. A row's
// acronym replaces the body's; a blank one, or a file with no acronym column
// (the DfE list), never clears it.
func Qualifications(ctx context.Context, client *ent.Client, r io.Reader, progress func(csvimport.Stats)) (QualificationSummary, error) {
	var sum QualificationSummary
	st := csvimport.NewStats()
	cr, bom := csvimport.NewReaderBOM(r)
	h, err := header(cr)
	if err != nil {
		return sum, fmt.Errorf("qualifications: %w", err)
	}
	cols, err := findQualColumns(h)
	if err != nil {
		return sum, fmt.Errorf("qualifications: %w", err)
	}
	bodies, err := loadBodies(ctx, client)
	if err != nil {
		return sum, fmt.Errorf("qualifications: %w", err)
	}
	err = stream(cr, csvimport.NewEncoding(bom), h.Width(), cols.need(), &st, cols.key, cols.skip, cols.parse, func(batch []qualRecord) error {
		return writeQualifications(ctx, client, cols, bodies, batch, &sum)
	}, progress)
	sum.Stats = st
	if err != nil {
		return sum, fmt.Errorf("qualifications: %w", err)
	}
	return sum, nil
}

// qualValues is what is compared to decide Updated or Unchanged.
type qualValues struct {
	title    string
	level    level.Level
	minLevel level.Level // "": none
	typ, ssa string
	glh      int // 0: none
	bodyID   int
}

// merge is the row as it will be stored: the file's values, except for
// columns the file does not have, which keep the table's (or the defaults,
// for a new qualification).
func (c qualColumns) merge(rec qualRecord, bodyID int, have *qualValues) qualValues {
	v := qualValues{title: rec.title, level: rec.level, minLevel: rec.minLevel, typ: rec.typ, ssa: rec.ssa, bodyID: bodyID}
	if rec.glh != nil {
		v.glh = *rec.glh
	}
	if have != nil {
		if c.typ < 0 {
			v.typ = have.typ
		}
		if c.ssa < 0 {
			v.ssa = have.ssa
		}
		if c.glh < 0 && c.minGLH < 0 {
			v.glh = have.glh
		}
	}
	return v
}

// writeQualifications writes one batch in its own transaction and, once it
// commits, adds its outcome to sum.
func writeQualifications(ctx context.Context, client *ent.Client, cols qualColumns, bodies *bodyCache, batch []qualRecord, sum *QualificationSummary) (err error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			bodies.rollback()
		}
	}()

	numbers := make([]string, 0, len(batch))
	for _, rec := range batch {
		numbers = append(numbers, rec.number)
	}
	existing, err := tx.Qualification.Query().
		Where(qualification.NumberIn(numbers...)).
		WithAwardingBody(func(q *ent.AwardingBodyQuery) { q.Select(awardingbody.FieldID) }).
		All(ctx)
	if err != nil {
		return fmt.Errorf("read existing qualifications: %w", err)
	}
	current := make(map[string]stored[qualValues], len(existing))
	for _, q := range existing {
		v := qualValues{title: q.Title, level: q.Level, typ: q.Type, ssa: q.SectorSubjectArea}
		if q.MinLevel != nil {
			v.minLevel = *q.MinLevel
		}
		if q.GuidedLearningHours != nil {
			v.glh = *q.GuidedLearningHours
		}
		if q.Edges.AwardingBody != nil {
			v.bodyID = q.Edges.AwardingBody.ID
		}
		current[q.Number] = stored[qualValues]{q.ID, v}
	}

	w := newWrites[qualValues](len(batch))
	for _, rec := range batch {
		bodyID, err := bodies.resolve(ctx, tx, rec.body)
		if err != nil {
			return err
		}
		have, ok := current[rec.number]
		var prev *qualValues
		if ok {
			prev = &have.values
		}
		w.add(rec.number, have, ok, cols.merge(rec, bodyID, prev))
	}

	creates := make([]*ent.QualificationCreate, 0, len(w.order))
	for _, number := range w.order {
		row := w.rows[number]
		v := row.values
		if row.id != 0 {
			// Written field by field, not by upsert: a bulk upsert writes
			// the same columns for every row, so one row's cleared hours
			// would be lost when no other row in the batch had hours.
			u := tx.Qualification.UpdateOneID(row.id).
				SetTitle(v.title).SetLevel(v.level).SetType(v.typ).SetSectorSubjectArea(v.ssa).
				SetAwardingBodyID(v.bodyID)
			if v.glh > 0 {
				u.SetGuidedLearningHours(v.glh)
			} else {
				u.ClearGuidedLearningHours()
			}
			if v.minLevel != "" {
				u.SetMinLevel(v.minLevel)
			} else {
				u.ClearMinLevel()
			}
			if err = u.Exec(ctx); err != nil {
				return fmt.Errorf("update qualification %s: %w", number, err)
			}
			continue
		}
		c := tx.Qualification.Create().
			SetNumber(number).SetTitle(v.title).SetLevel(v.level).SetType(v.typ).SetSectorSubjectArea(v.ssa).
			SetAwardingBodyID(v.bodyID)
		if v.glh > 0 {
			c.SetGuidedLearningHours(v.glh)
		}
		if v.minLevel != "" {
			c.SetMinLevel(v.minLevel)
		}
		creates = append(creates, c)
	}
	if len(creates) > 0 {
		// The upsert only matters if another import added the same number
		// since this batch read the table; the later file then wins.
		err = tx.Qualification.CreateBulk(creates...).
			OnConflictColumns(qualification.FieldNumber).
			UpdateNewValues().
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("write qualifications: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	bodies.commit(sum)
	w.addTo(&sum.Summary)
	return nil
}
