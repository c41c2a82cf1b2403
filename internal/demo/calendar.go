package demo

import "time"

// The demo needs school days, half-terms and the academic year. Nottingham
// City's published term dates are not in the repository, so this follows
// the usual English pattern closely enough for demo data: autumn term from
// 3 September with half-term in the last week of October; Christmas from
// the Friday on or before 20 December; spring term from the first Monday on
// or after 4 January, half-term in the week of the Monday from 12 to 18
// February; two weeks at Easter; summer half-term in the week of the late
// May bank holiday; the year ends on the weekday on or before 22 July. The
// early May bank holiday is not a school day. All dates are UTC midnights,
// the form dates are stored in.

type span struct{ start, end time.Time } // inclusive

type calendar struct {
	year      int     // the academic year runs from September of year
	halfTerms [6]span // autumn 1 … summer 2
	mayDay    time.Time
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// academicYear is the calendar year in which the academic year containing
// day began. August belongs to the year just ended: its placements are over.
func academicYear(day time.Time) int {
	if day.Month() >= time.September {
		return day.Year()
	}
	return day.Year() - 1
}

func onOrAfter(d time.Time, wd time.Weekday) time.Time {
	return d.AddDate(0, 0, (int(wd)-int(d.Weekday())+7)%7)
}

func onOrBefore(d time.Time, wd time.Weekday) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) - int(wd) + 7) % 7))
}

// lastWeekday is the weekday on or before d.
func lastWeekday(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, -2)
	}
	return d
}

func firstWeekday(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, 2)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}

// easter is Easter Sunday (anonymous Gregorian algorithm).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(y, time.Month(month), day)
}

func newCalendar(year int) calendar {
	next := year + 1
	octHalf := onOrBefore(date(year, time.October, 31), time.Monday)
	febHalf := onOrAfter(date(next, time.February, 12), time.Monday)
	ester := easter(next)
	mayHalf := onOrBefore(date(next, time.May, 31), time.Monday)
	return calendar{
		year: year,
		halfTerms: [6]span{
			{firstWeekday(date(year, time.September, 3)), octHalf.AddDate(0, 0, -3)},
			{octHalf.AddDate(0, 0, 7), onOrBefore(date(year, time.December, 20), time.Friday)},
			{onOrAfter(date(next, time.January, 4), time.Monday), febHalf.AddDate(0, 0, -3)},
			{febHalf.AddDate(0, 0, 7), ester.AddDate(0, 0, -9)}, // to the Friday before Holy Week
			{ester.AddDate(0, 0, 8), mayHalf.AddDate(0, 0, -3)}, // from the Monday after Easter week
			{mayHalf.AddDate(0, 0, 7), lastWeekday(date(next, time.July, 22))},
		},
		mayDay: onOrAfter(date(next, time.May, 1), time.Monday),
	}
}

func (c calendar) start() time.Time { return c.halfTerms[0].start }
func (c calendar) end() time.Time   { return c.halfTerms[5].end }

// januaryStart is the first day of the spring term, the second intake.
func (c calendar) januaryStart() time.Time { return c.halfTerms[2].start }

func (c calendar) isSchoolDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || d.Equal(c.mayDay) {
		return false
	}
	for _, h := range c.halfTerms {
		if !d.Before(h.start) && !d.After(h.end) {
			return true
		}
	}
	return false
}

// halfTermStart is the start of the half-term under way on day, or of the
// last one to have started (during a holiday); before the year starts, the
// first.
func (c calendar) halfTermStart(day time.Time) time.Time {
	s := c.halfTerms[0].start
	for _, h := range c.halfTerms {
		if !h.start.After(day) {
			s = h.start
		}
	}
	return s
}

// schoolDaysBefore returns up to n school days before day (exclusive),
// oldest first, crossing into the previous academic year if need be. It
// looks back at most a year, so a long holiday gives fewer days, not a hang.
func schoolDaysBefore(day time.Time, n int) []time.Time {
	cals := map[int]calendar{}
	var days []time.Time
	for d := day.AddDate(0, 0, -1); len(days) < n && day.Sub(d) < 366*24*time.Hour; d = d.AddDate(0, 0, -1) {
		y := academicYear(d)
		c, ok := cals[y]
		if !ok {
			c = newCalendar(y)
			cals[y] = c
		}
		if c.isSchoolDay(d) {
			days = append(days, d)
		}
	}
	for i, j := 0, len(days)-1; i < j; i, j = i+1, j-1 {
		days[i], days[j] = days[j], days[i]
	}
	return days
}
