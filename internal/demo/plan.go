package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
	_ "time/tzdata" // session times are UK clock times wherever the server runs

	"github.com/apnet/apnet/ent/learner"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/geo"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/timetable"
)

const (
	learnersPerSchool = 25
	// historyDays is about one half-term of school days.
	historyDays = 30
	// nearestCourses: a learner is placed on one of the nearest courses to
	// their school that still has places, as schools search by postcode.
	nearestCourses = 8
	// laCode is Nottingham City's local authority number, the start of its UPNs.
	laCode = "892"
	// lateAlertMinutes is every demo school's threshold.
	lateAlertMinutes = register.DefaultLateAlertMinutes
	// recorder is who recorded and acknowledged everything the demo writes.
	recorder = "demo"
)

// A fixed seed keeps the demo the same for the same date, so screenshots,
// walkthroughs and tests can rely on it.
const seed1, seed2 = 0x61706e6574, 0x4e6f7474696e67

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is embedded, so this cannot happen
	}
	return loc
}()

// profile is a learner's attendance pattern.
type profile int

const (
	regular            profile = iota // about 95% present
	oftenLate                         // late about a third of sessions, sometimes after the register closes
	persistentlyAbsent                // misses 10% or more of sessions
)

type plannedCourse struct {
	provider, qualification int
	Course
	startDates []time.Time
	taken      int
}

type plannedLearner struct {
	school           int
	upn, first, last string
	dob              time.Time
	year             int
	sen              learner.SenStatus
	profile          profile
	current          int // this year's placement index, -1 for none
}

type plannedPlacement struct {
	learner, course int
	start, end      time.Time
	sessions        []timetable.Session
	status          placement.Status
	laArranged      bool
}

type plannedMark struct {
	placement  int
	date       time.Time
	session    timetable.Session
	mark       register.Mark
	code       string
	recordedAt time.Time
}

type plannedAlert struct {
	mark     int
	kind     register.AlertKind
	raisedAt time.Time
	ackedAt  *time.Time
}

// plan is everything Seed writes, worked out before touching the database
// so the transaction is only bulk inserts. Rows refer to each other by index.
type plan struct {
	ref           ReferenceData
	today         time.Time
	grid          map[string]Postcode
	bodyIndex     map[string]int
	qualIndex     map[string]int
	approvedUntil []*time.Time
	courses       []plannedCourse
	learners      []plannedLearner
	placements    []plannedPlacement
	marks         []plannedMark
	alerts        []plannedAlert
	agreements    []plannedAgreement
	referrals     []plannedReferral
	referralOf    map[int]int // placement index → referral index
	progress      []plannedProgress
	rng           *rand.Rand
}

func newPlan(ref ReferenceData, now time.Time) (*plan, error) {
	p := &plan{
		ref:       ref,
		today:     timetable.Day(now.In(london)),
		grid:      map[string]Postcode{},
		bodyIndex: map[string]int{},
		qualIndex: map[string]int{},
		rng:       rand.New(rand.NewPCG(seed1, seed2)),
	}
	if err := p.index(); err != nil {
		return nil, err
	}
	cal := newCalendar(academicYear(p.today))
	p.planProviders(cal)
	if err := p.planLearners(cal); err != nil {
		return nil, err
	}
	p.planPlacements(cal, newCalendar(cal.year-1))
	p.planMarks()
	p.planProcess()
	return p, nil
}

// index checks the reference data hangs together: every postcode used has
// coordinates and every qualification and awarding body referred to exists.
func (p *plan) index() error {
	for _, pc := range p.ref.Postcodes {
		p.grid[pc.Postcode] = pc
	}
	has := func(pc string) error {
		if _, ok := p.grid[pc]; !ok {
			return fmt.Errorf("demo: postcode %s has no coordinates", pc)
		}
		return nil
	}
	for i, b := range p.ref.AwardingBodies {
		p.bodyIndex[b.RecognitionNumber] = i
	}
	for i, q := range p.ref.Qualifications {
		if _, ok := p.bodyIndex[q.AwardingBody]; !ok {
			return fmt.Errorf("demo: qualification %s: unknown awarding body %s", q.Number, q.AwardingBody)
		}
		p.qualIndex[q.Number] = i
	}
	for _, s := range p.ref.Schools {
		if err := has(s.Postcode); err != nil {
			return err
		}
	}
	for _, pr := range p.ref.Providers {
		if err := has(pr.Postcode); err != nil {
			return err
		}
		for _, c := range pr.Courses {
			if err := has(c.DeliveryPostcode); err != nil {
				return err
			}
			if _, ok := p.qualIndex[c.Qualification]; !ok {
				return fmt.Errorf("demo: course of provider %q: unknown qualification %s", pr.Name, c.Qualification)
			}
		}
	}
	return nil
}

func (p *plan) planProviders(cal calendar) {
	for i, pr := range p.ref.Providers {
		var until *time.Time
		if pr.ApprovedMonths != 0 {
			t := p.today.AddDate(0, pr.ApprovedMonths, 0)
			until = &t
		}
		p.approvedUntil = append(p.approvedUntil, until)
		for _, c := range pr.Courses {
			starts := []time.Time{cal.start()}
			if c.JanuaryIntake {
				starts = append(starts, cal.januaryStart())
			}
			p.courses = append(p.courses, plannedCourse{
				provider: i, qualification: p.qualIndex[c.Qualification], Course: c, startDates: starts,
			})
		}
	}
}

// Names are drawn from short lists of common first names and surnames, so
// they describe no real child; the lists avoid pairing into famous names.
var (
	girlsNames = []string{"Amara", "Darcy", "Eden", "Esme", "Isla", "Kacey", "Leah", "Lexi", "Maisie", "Nia", "Phoebe", "Sienna", "Zara", "Kyla", "Tia", "Jasmine"}
	boysNames  = []string{"Alfie", "Callum", "Finley", "Jayden", "Kian", "Logan", "Mason", "Owen", "Reece", "Tayo", "Zain", "Kacper", "Rhys", "Brandon", "Dexter", "Ethan"}
	surnames   = []string{"Ashworth", "Birchall", "Coldwell", "Denholm", "Fairbrother", "Greatorex", "Hallam", "Ingleby",
		"Jessop", "Kettleborough", "Lomax", "Marriott", "Newbold", "Oldroyd", "Pilkington", "Quarmby", "Rowbotham",
		"Sealey", "Tansley", "Varley", "Whitworth", "Yeomans", "Adeyemi", "Bhatt", "Chowdhury", "Kowalczyk",
		"Mensah", "Nowak", "Okafor", "Ibrahim"}
)

func (p *plan) planLearners(cal calendar) error {
	rng := p.rng
	for si, s := range p.ref.Schools {
		serials := map[int]int{}
		names := map[string]bool{}
		for range learnersPerSchool {
			year := 11
			if rng.Float64() < 0.45 {
				year = 10
			}
			// Year 11 were born September to August 16 years before the
			// academic year began, year 10 a year later.
			born := date(cal.year-year-5, time.September, 1)
			dob := born.AddDate(0, 0, rng.IntN(int(born.AddDate(1, 0, 0).Sub(born).Hours()/24)))
			// A UPN's year is when it was allocated, on first entering a
			// maintained school: usually reception, eleven years before
			// year 11.
			allocated := (cal.year - year) % 100
			if serials[allocated] == 0 {
				serials[allocated] = 1 + rng.IntN(40)
			}
			serial := serials[allocated]
			serials[allocated] += 1 + rng.IntN(5)
			body := fmt.Sprintf("%s%s%02d%03d", laCode, s.Establishment, allocated, serial)
			check, err := ident.UPNCheckLetter(body)
			if err != nil {
				return fmt.Errorf("demo: school %s: %w", s.URN, err)
			}
			firsts := boysNames
			if s.GirlsOnly || rng.IntN(2) == 0 {
				firsts = girlsNames
			}
			var first, last string
			for {
				first, last = firsts[rng.IntN(len(firsts))], surnames[rng.IntN(len(surnames))]
				if !names[first+" "+last] {
					names[first+" "+last] = true
					break
				}
			}
			sen := learner.SenStatusNONE
			switch r := rng.Float64(); {
			case r < 0.05:
				sen = learner.SenStatusEHCP
			case r < 0.25:
				sen = learner.SenStatusSEN_SUPPORT
			}
			p.learners = append(p.learners, plannedLearner{
				school: si, upn: string(check) + body, first: first, last: last,
				dob: dob, year: year, sen: sen, current: -1,
			})
		}
	}
	// Profiles by a shuffle, so the shares are exact rather than left to chance.
	n := len(p.learners)
	for rank, i := range rng.Perm(n) {
		switch {
		case rank < n*5/100:
			p.learners[i].profile = persistentlyAbsent
		case rank < n*20/100:
			p.learners[i].profile = oftenLate
		}
	}
	return nil
}

// pickCourse chooses among the nearest courses to the learner's school that
// have places left and whose provider status allows the placement; -1 if none.
func (p *plan) pickCourse(l plannedLearner, allowed func(provider.ApprovalStatus) bool, not int) int {
	school := p.grid[p.ref.Schools[l.school].Postcode]
	var open []int
	for ci, c := range p.courses {
		if ci != not && c.taken < c.Places && allowed(p.ref.Providers[c.provider].Status) {
			open = append(open, ci)
		}
	}
	miles := func(ci int) float64 {
		at := p.grid[p.courses[ci].DeliveryPostcode]
		return geo.Miles(school.Easting, school.Northing, at.Easting, at.Northing)
	}
	slices.SortStableFunc(open, func(a, b int) int { return cmp.Compare(miles(a), miles(b)) })
	if len(open) == 0 {
		return -1
	}
	return open[p.rng.IntN(min(nearestCourses, len(open)))]
}

func (p *plan) planPlacements(cal, prev calendar) {
	rng := p.rng
	htStart := cal.halfTermStart(p.today)
	approved := func(s provider.ApprovalStatus) bool { return s == provider.ApprovalStatusAPPROVED }
	for _, li := range rng.Perm(len(p.learners)) {
		l := &p.learners[li]
		if rng.Float64() < 0.08 {
			continue // referred, not yet placed
		}
		ci := p.pickCourse(*l, approved, -1)
		if ci < 0 {
			continue
		}
		c := &p.courses[ci]
		// Most started in September; some at the January intake, some
		// joined at the start of the current half-term.
		start := cal.start()
		switch r := rng.Float64(); {
		case c.JanuaryIntake && !cal.januaryStart().After(htStart) && r < 0.3:
			start = cal.januaryStart()
		case r > 0.9:
			start = htStart
		}
		sessions := slices.Clone(c.Sessions)
		if len(sessions) > 1 && rng.Float64() < 0.15 {
			sessions = []timetable.Session{sessions[rng.IntN(len(sessions))]} // a reduced timetable
		}
		l.current = p.addPlacement(li, ci, start, cal.end(), sessions, rng.Float64() < 0.06)
	}
	// Some year 11s were placed last year too; the providers then approved
	// may since have lapsed or been suspended, but none was still pending.
	wasApproved := func(s provider.ApprovalStatus) bool { return s != provider.ApprovalStatusPENDING }
	for li := range p.learners {
		l := &p.learners[li]
		if l.year != 11 || rng.Float64() >= 0.15 {
			continue
		}
		not := -1
		if l.current >= 0 {
			not = p.placements[l.current].course
		}
		ci := p.pickCourse(*l, wasApproved, not)
		if ci < 0 {
			continue
		}
		p.addPlacement(li, ci, prev.start(), prev.end(), slices.Clone(p.courses[ci].Sessions), rng.Float64() < 0.06)
	}
}

func (p *plan) addPlacement(li, ci int, start, end time.Time, sessions []timetable.Session, la bool) int {
	status := placement.StatusACTIVE
	switch {
	case p.today.Before(start):
		status = placement.StatusPLANNED
	case p.today.After(end):
		status = placement.StatusCOMPLETED
	}
	p.courses[ci].taken++
	p.placements = append(p.placements, plannedPlacement{
		learner: li, course: ci, start: start, end: end, sessions: sessions, status: status, laArranged: la,
	})
	return len(p.placements) - 1
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](rng *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, w := range ws {
		total += w.w
	}
	n := rng.IntN(total)
	for _, w := range ws {
		if n < w.w {
			return w.v
		}
		n -= w.w
	}
	return ws[len(ws)-1].v
}

var (
	usualReasons = []weighted[register.AbsenceReason]{
		{register.Illness, 6}, {register.MedicalAppointment, 2}, {register.NoReasonYet, 1}, {register.OtherAuthorised, 1},
	}
	persistentReasons = []weighted[register.AbsenceReason]{
		{register.NoReasonYet, 3}, {register.Illness, 3}, {register.Unauthorised, 3}, {register.MedicalAppointment, 1},
	}
)

func (p *plan) markFor(pr profile) register.Mark {
	rng := p.rng
	absent := func(reasons []weighted[register.AbsenceReason]) register.Mark {
		return register.Mark{Status: register.Absent, Reason: pick(rng, reasons)}
	}
	late := func(lo, hi int) register.Mark {
		return register.Mark{Status: register.Late, MinutesLate: lo + rng.IntN(hi-lo+1)}
	}
	r := rng.Float64()
	switch pr {
	case persistentlyAbsent:
		switch {
		case r < 0.22:
			return absent(persistentReasons)
		case r < 0.30:
			return late(5, 20)
		}
	case oftenLate:
		switch {
		case r < 0.02:
			return absent(usualReasons)
		case r < 0.30:
			return late(5, 25)
		case r < 0.35:
			return late(26, 40) // two in three of these arrive after the register closes: U
		}
	default:
		switch {
		case r < 0.015:
			return absent(usualReasons)
		case r < 0.05:
			return late(2, 12)
		}
	}
	return register.Mark{Status: register.Present}
}

// planMarks plans the register for the last half-term of school days up
// to yesterday, then the alerts those marks raise.
func (p *plan) planMarks() {
	rng := p.rng
	days := schoolDaysBefore(p.today, historyDays)
	if len(days) == 0 {
		return
	}
	lastDay := days[len(days)-1]
	byLearner := make([][]int, len(p.learners))
	for pi, pl := range p.placements {
		prof := p.learners[pl.learner].profile
		for _, d := range days {
			if d.Before(pl.start) || d.After(pl.end) {
				continue
			}
			for _, s := range pl.sessions {
				if s.Weekday != timetable.WeekdayOf(d) {
					continue
				}
				byLearner[pl.learner] = append(byLearner[pl.learner], len(p.marks))
				p.marks = append(p.marks, plannedMark{placement: pi, date: d, session: s, mark: p.markFor(prof)})
			}
		}
	}
	for li, ms := range byLearner {
		if p.learners[li].profile == persistentlyAbsent {
			p.ensurePersistent(ms)
		}
	}
	for mi := range p.marks {
		m := &p.marks[mi]
		pl := p.placements[m.placement]
		m.code = register.Code(m.mark, register.DefaultRegisterCloses, pl.laArranged)
		// Providers mark within minutes of the start; a late arrival is
		// marked when the learner arrives.
		delay := 2 + rng.IntN(12)
		if m.mark.Status == register.Late {
			delay = m.mark.MinutesLate + 1 + rng.IntN(4)
		}
		start := m.session.StartMinutes()
		m.recordedAt = time.Date(m.date.Year(), m.date.Month(), m.date.Day(), start/60, start%60+delay, 0, 0, london).UTC()
		kind, ok := register.AlertFor(m.mark, m.code, lateAlertMinutes)
		if !ok {
			continue
		}
		a := plannedAlert{mark: mi, kind: kind, raisedAt: m.recordedAt}
		// Schools have followed up all but the last day's alerts.
		if m.date.Before(lastDay) {
			t := m.recordedAt.Add(time.Duration(5+rng.IntN(85)) * time.Minute)
			a.ackedAt = &t
		}
		p.alerts = append(p.alerts, a)
	}
}

// ensurePersistent turns present marks into absences, latest first, until
// the learner has missed 10% of sessions: with few sessions in the window,
// chance alone might leave a "persistently absent" learner below the line.
func (p *plan) ensurePersistent(ms []int) {
	missed := 0
	for _, mi := range ms {
		// Whether the provision was LA-arranged changes only which
		// attendance code is used, not whether the session was missed.
		if !register.CountsAsAttendance(register.Code(p.marks[mi].mark, register.DefaultRegisterCloses, false)) {
			missed++
		}
	}
	for i := len(ms) - 1; i >= 0 && register.AbsenceBand(len(ms), missed) == ""; i-- {
		m := &p.marks[ms[i]]
		if m.mark.Status == register.Present {
			m.mark = register.Mark{Status: register.Absent, Reason: pick(p.rng, persistentReasons)}
			missed++
		}
	}
}
