package catalogue

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/ident"
)

// Reasons a school row is rejected (keys of Stats.Rejects), besides
// csvimport's.
const (
	ReasonBadURN      = "invalid URN"
	ReasonNoName      = "missing name"
	ReasonBadPostcode = "invalid postcode"
)

// Reasons a good school row is skipped, i.e. left out on purpose (keys of
// Stats.Skips), besides AgeReason's: nothing is wrong with these rows.
const (
	// SkippedOtherLA: the rows of other local authorities, when Schools is
	// given one.
	SkippedOtherLA = "other local authority"
	SkipClosed     = "closed"
)

// AgeReason is the skip reason for an establishment with no pupils of 14
// to 16, named by its phase, e.g. "not teaching ages 14–16 (Primary)".
func AgeReason(phase string) string {
	if phase == "" {
		phase = "phase not given"
	}
	return "not teaching ages 14–16 (" + phase + ")"
}

// Column names in the Get Information about Schools establishment extract
// (edubasealldata*.csv), e.g. "LA (code)", "EstablishmentStatus (name)".
var (
	colURN      = column{"URN", []string{"URN"}}
	colName     = column{"establishment name", []string{"EstablishmentName"}}
	colPostcode = column{"postcode", []string{"Postcode"}}
	colLA       = column{"local authority code", []string{"LA (code)"}}

	colStreet   = column{"street", []string{"Street"}}
	colLocality = column{"locality", []string{"Locality"}}
	colAddress3 = column{"address 3", []string{"Address3"}}
	colTown     = column{"town", []string{"Town"}}
	colPhone    = column{"telephone", []string{"TelephoneNum"}}
	colEstab    = column{"status", []string{"EstablishmentStatus (name)"}}
	colPhase    = column{"phase", []string{"PhaseOfEducation (name)"}}
	colLowAge   = column{"statutory low age", []string{"StatutoryLowAge"}}
	colHighAge  = column{"statutory high age", []string{"StatutoryHighAge"}}
)

type schoolColumns struct {
	urn, name, postcode, la                                           int
	street, locality, address3, town, phone, status, phase, low, high int
	onlyLA                                                            string // "" for every LA
}

type schoolRecord struct {
	urn string
	schoolValues
}

// schoolValues is what the file sets and is compared to decide Updated or
// Unchanged. Other fields (the late-alert threshold) belong to the
// partnership and are never written.
type schoolValues struct {
	name, address, postcode, phone string
}

// Schools streams a Get Information about Schools establishment extract into
// the School table, matching schools by URN, and calls progress after each
// batch commits (progress may be nil). With la (a DfE local authority code,
// e.g. "892" for Nottingham) it loads only that authority's establishments;
// the rest are counted as skipped (SkippedOtherLA), whatever else is in them.
//
// Also skipped, not rejected (they are good rows): closed establishments
// (SkipClosed), and ones whose statutory age range stops before 15 or
// starts after it (primary, nursery, middle-deemed-primary, 16–19;
// AgeReason): the table is of the learners' home schools, and the
// partnership places 14–16 year olds. Where a row gives no ages, its phase
// decides. Rejected: bad URNs, names and postcodes. The address is Street, Locality,
// Address3 and Town joined; the telephone number is stored as given.
func Schools(ctx context.Context, client *ent.Client, r io.Reader, la string, progress func(csvimport.Stats)) (csvimport.Summary, error) {
	var sum csvimport.Summary
	la = strings.TrimSpace(la)
	if la != "" && (len(la) != 3 || strings.Trim(la, "0123456789") != "") {
		return sum, fmt.Errorf("schools: local authority code %q: want the DfE 3-digit code, e.g. 892 for Nottingham", la)
	}
	st := csvimport.NewStats()
	cr, bom := csvimport.NewReaderBOM(r)
	h, err := header(cr)
	if err != nil {
		return sum, fmt.Errorf("schools: %w", err)
	}
	required := []column{colURN, colName, colPostcode}
	if la != "" {
		required = append(required, colLA)
	}
	i, err := find(h, required, colStreet, colLocality, colAddress3, colTown, colPhone, colEstab, colPhase, colLowAge, colHighAge, colLA)
	if err != nil {
		return sum, fmt.Errorf("schools: %w", err)
	}
	n := len(required)
	cols := schoolColumns{urn: i[0], name: i[1], postcode: i[2],
		street: i[n], locality: i[n+1], address3: i[n+2], town: i[n+3], phone: i[n+4],
		status: i[n+5], phase: i[n+6], low: i[n+7], high: i[n+8], la: i[n+9], onlyLA: la}
	err = stream(cr, csvimport.NewEncoding(bom), h.Width(), reach(i...), &st, cols.key, cols.skip, cols.parse, func(batch []schoolRecord) error {
		return writeSchools(ctx, client, batch, &sum)
	}, progress)
	sum.Stats = st
	if err != nil {
		return sum, fmt.Errorf("schools: %w", err)
	}
	return sum, nil
}

// skip picks out the good rows left out: when Schools was given a local
// authority, every other one's; closed establishments; and ones with no
// pupils of 14 to 16.
func (c schoolColumns) skip(f []string) string {
	if c.onlyLA != "" && csvimport.Field(f, c.la) != c.onlyLA {
		return SkippedOtherLA
	}
	// GIAS statuses: Open, Closed, "Open, but proposed to close" (still
	// open) and "Proposed to open" (kept: it will have pupils soon).
	if strings.EqualFold(csvimport.Field(f, c.status), "closed") {
		return SkipClosed
	}
	if phase := clean(csvimport.Field(f, c.phase)); !teaches14to16(csvimport.Field(f, c.low), csvimport.Field(f, c.high), phase) {
		return AgeReason(phase)
	}
	return ""
}

// key is the row's URN, or "" if invalid.
func (c schoolColumns) key(f []string) string {
	urn, err := ident.ValidateURN(csvimport.Field(f, c.urn))
	if err != nil {
		return ""
	}
	return urn
}

func (c schoolColumns) parse(f []string) (schoolRecord, string) {
	urn, err := ident.ValidateURN(csvimport.Field(f, c.urn))
	if err != nil {
		return schoolRecord{}, ReasonBadURN
	}
	name := clean(csvimport.Field(f, c.name))
	if name == "" {
		return schoolRecord{}, ReasonNoName
	}
	pc, err := ident.NormalizePostcode(csvimport.Field(f, c.postcode))
	if err != nil {
		return schoolRecord{}, ReasonBadPostcode
	}
	var addr []string
	for _, i := range []int{c.street, c.locality, c.address3, c.town} {
		if s := clean(csvimport.Field(f, i)); s != "" {
			addr = append(addr, s)
		}
	}
	return schoolRecord{urn, schoolValues{
		name: name, address: strings.Join(addr, ", "), postcode: pc,
		phone: clean(csvimport.Field(f, c.phone)),
	}}, ""
}

// teaches14to16 reports whether an establishment can have pupils in Years 10
// and 11: its statutory age range includes 15 (an 11–16 school's is 11 to
// 16; a primary's 4 to 11; a sixth-form college's 16 to 19). Without ages,
// only the phases that never do are excluded.
func teaches14to16(low, high, phase string) bool {
	lo, err1 := strconv.Atoi(low)
	hi, err2 := strconv.Atoi(high)
	if err1 == nil && err2 == nil {
		return lo <= 15 && hi >= 15
	}
	switch strings.ToLower(phase) {
	case "nursery", "primary", "middle deemed primary", "16 plus":
		return false
	}
	return true
}

// writeSchools writes one batch in its own transaction and, once it commits,
// adds its outcome to sum.
func writeSchools(ctx context.Context, client *ent.Client, batch []schoolRecord, sum *csvimport.Summary) (err error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()

	urns := make([]string, 0, len(batch))
	for _, rec := range batch {
		urns = append(urns, rec.urn)
	}
	existing, err := tx.School.Query().
		Where(school.UrnIn(urns...)).
		Select(school.FieldID, school.FieldUrn, school.FieldName, school.FieldAddress, school.FieldPostcode, school.FieldPhone).
		All(ctx)
	if err != nil {
		return fmt.Errorf("read existing schools: %w", err)
	}
	current := make(map[string]stored[schoolValues], len(existing))
	for _, s := range existing {
		current[s.Urn] = stored[schoolValues]{s.ID, schoolValues{s.Name, s.Address, s.Postcode, s.Phone}}
	}

	w := newWrites[schoolValues](len(batch))
	for _, rec := range batch {
		have, ok := current[rec.urn]
		w.add(rec.urn, have, ok, rec.schoolValues)
	}
	creates := make([]*ent.SchoolCreate, 0, len(w.order))
	for _, urn := range w.order {
		v := w.rows[urn].values
		creates = append(creates, tx.School.Create().
			SetUrn(urn).SetName(v.name).SetAddress(v.address).SetPostcode(v.postcode).SetPhone(v.phone))
	}
	if len(creates) > 0 {
		// Only the file's fields are written on conflict: UpdateNewValues
		// would also reset late_alert_minutes to its default.
		err = tx.School.CreateBulk(creates...).
			OnConflictColumns(school.FieldUrn).
			Update(func(u *ent.SchoolUpsert) {
				u.UpdateName().UpdateAddress().UpdatePostcode().UpdatePhone()
			}).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("write schools: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	w.addTo(sum)
	return nil
}
