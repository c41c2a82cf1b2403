// Package timetable describes when a course or placement meets each week and
// answers which register session (AM or PM) a meeting falls in.
package timetable

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apnet/apnet/internal/apierr"
)

// Weekday is a school day. Placements only run Monday to Friday.
type Weekday string

const (
	Monday    Weekday = "MONDAY"
	Tuesday   Weekday = "TUESDAY"
	Wednesday Weekday = "WEDNESDAY"
	Thursday  Weekday = "THURSDAY"
	Friday    Weekday = "FRIDAY"
)

var weekdays = map[Weekday]time.Weekday{
	Monday: time.Monday, Tuesday: time.Tuesday, Wednesday: time.Wednesday,
	Thursday: time.Thursday, Friday: time.Friday,
}

// WeekdayOf returns the school weekday of t, or "" at weekends.
func WeekdayOf(t time.Time) Weekday {
	for w, d := range weekdays {
		if d == t.Weekday() {
			return w
		}
	}
	return ""
}

// Session is one weekly meeting: a weekday and clock times "HH:MM" (UK local time).
type Session struct {
	Weekday Weekday `json:"weekday"`
	Start   string  `json:"start"`
	End     string  `json:"end"`
}

// Period is a half-day register session, as in a school's own register.
type Period string

const (
	AM Period = "AM"
	PM Period = "PM"
)

// Period returns AM for a session starting before noon, PM otherwise.
func (s Session) Period() Period {
	if s.Start < "12:00" {
		return AM
	}
	return PM
}

// Minutes is the session's length.
func (s Session) Minutes() int {
	end, _ := clock(s.End)
	return end - s.StartMinutes()
}

// StartMinutes is the session's start as minutes after midnight.
func (s Session) StartMinutes() int {
	m, _ := clock(s.Start)
	return m
}

// Validate checks the weekday and that Start is before End.
func (s Session) Validate() error {
	if _, ok := weekdays[s.Weekday]; !ok {
		return apierr.Invalid("weekday", "%q is not a school weekday (MONDAY to FRIDAY)", s.Weekday)
	}
	start, err := clock(s.Start)
	if err != nil {
		return apierr.Invalid("start", "%s", err.Error())
	}
	end, err := clock(s.End)
	if err != nil {
		return apierr.Invalid("end", "%s", err.Error())
	}
	if end <= start {
		return apierr.Invalid("end", "session end %s must be after its start %s", s.End, s.Start)
	}
	return nil
}

// ValidateAll checks each session and that no two share a weekday and period,
// since a register holds one mark per date and period. Errors name the
// field within the list's owner, e.g. sessions[1].end.
func ValidateAll(ss []Session) error {
	if len(ss) == 0 {
		return apierr.Invalid("sessions", "at least one weekly session is needed")
	}
	seen := map[string]bool{}
	for i, s := range ss {
		if err := s.Validate(); err != nil {
			if e, ok := apierr.As(err); ok {
				return apierr.Invalid(fmt.Sprintf("sessions[%d].%s", i, e.Field), "%s", e.Message)
			}
			return err
		}
		k := string(s.Weekday) + string(s.Period())
		if seen[k] {
			return apierr.Invalid(fmt.Sprintf("sessions[%d]", i), "two sessions on %s %s; a register has one mark per half day", s.Weekday, s.Period())
		}
		seen[k] = true
	}
	return nil
}

// On returns the session held on date's weekday in period, if any.
func On(ss []Session, date time.Time, p Period) (Session, bool) {
	w := WeekdayOf(date)
	for _, s := range ss {
		if s.Weekday == w && s.Period() == p {
			return s, true
		}
	}
	return Session{}, false
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, apierr.Invalid("time", "%q is not a 24-hour time HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// String renders a session like "MONDAY 09:00-12:00".
func (s Session) String() string { return fmt.Sprintf("%s %s-%s", s.Weekday, s.Start, s.End) }

// Day truncates t to its calendar date in UTC, the form dates are stored in.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MarshalGQL writes the weekday as a GraphQL enum value.
func (w Weekday) MarshalGQL(out io.Writer) { _, _ = io.WriteString(out, strconv.Quote(string(w))) }

// UnmarshalGQL reads a GraphQL enum value, refusing weekends and unknown days.
func (w *Weekday) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if _, ok := weekdays[Weekday(s)]; !ok {
		return apierr.Invalid("weekday", "%v is not a school weekday (MONDAY to FRIDAY)", v)
	}
	*w = Weekday(s)
	return nil
}
