package ident

import (
	"strings"
	"testing"
	"time"
)

func TestPersonName(t *testing.T) {
	if got, err := PersonName("  Ada  "); err != nil || got != "Ada" {
		t.Fatalf("trim: %q %v", got, err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("x", 101), "Ada\x00"} {
		if _, err := PersonName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestValidDateOfBirth(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for dob, ok := range map[string]bool{
		"2011-06-01": true,  // 15
		"2030-01-01": false, // future
		"2026-12-03": false, // today
		"1900-01-01": false, // 126
		"2020-01-01": false, // 6
	} {
		d, _ := time.Parse(time.DateOnly, dob)
		if err := ValidDateOfBirth(d, today); (err == nil) != ok {
			t.Errorf("%s: %v, want ok=%v", dob, err, ok)
		}
	}
}

func TestOptionalEmailAndWebsite(t *testing.T) {
	if v, err := OptionalEmail(""); err != nil || v != "" {
		t.Fatal("empty email refused")
	}
	if _, err := OptionalEmail("notanemail"); err == nil {
		t.Error("notanemail accepted")
	}
	if _, err := OptionalEmail("info@example.org"); err != nil {
		t.Error(err)
	}
	for site, ok := range map[string]bool{"https://example.org": true, "http://x.example/a": true,
		"javascript:alert(1)": false, "example.org": false, "data:text/html,x": false, "": true} {
		if _, err := OptionalWebsite(site); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", site, err, ok)
		}
	}
}
