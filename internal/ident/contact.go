package ident

import (
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apnet/apnet/internal/apierr"
)

const maxNameRunes = 100

// PersonName trims a first or last name and refuses blank, overlong or
// control-character names. Markup is stored as typed: displays escape it.
func PersonName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", apierr.Invalid("name", "a name cannot be blank")
	case utf8.RuneCountInString(s) > maxNameRunes:
		return "", apierr.Invalid("name", "a name may be at most %d characters", maxNameRunes)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", apierr.Invalid("name", "a name cannot contain control characters")
	}
	return s, nil
}

// Pupils in alternative provision here are of secondary school age; a date of
// birth outside this span is a typing mistake.
const (
	minAgeYears = 10
	maxAgeYears = 20
)

// ValidDateOfBirth refuses a date of birth in the future or one that makes
// the learner younger than 10 or older than 20 on today's date.
func ValidDateOfBirth(dob, today time.Time) error {
	switch {
	case !dob.Before(today):
		return apierr.Invalid("dateOfBirth", "the date of birth %s is not in the past", dob.Format(time.DateOnly))
	case dob.After(today.AddDate(-minAgeYears, 0, 0)) || dob.Before(today.AddDate(-maxAgeYears, 0, 0)):
		return apierr.Invalid("dateOfBirth", "a learner born on %s would be under %d or over %d; check the date",
			dob.Format(time.DateOnly), minAgeYears, maxAgeYears)
	}
	return nil
}

// OptionalEmail normalises an email address; empty stays empty.
func OptionalEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", apierr.Invalid("email", "%q is not an email address", s)
	}
	return s, nil
}

// OptionalWebsite accepts an http or https address; empty stays empty. Other
// schemes (javascript:, data:) are refused so a link can never run script.
func OptionalWebsite(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", apierr.Invalid("website", "%q is not a web address (expected e.g. https://example.org)", s)
	}
	return s, nil
}
