package level_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/apnet/apnet/internal/level"
)

func TestOrderAndValues(t *testing.T) {
	all := level.All()
	want := []string{"ENTRY_1", "ENTRY_2", "ENTRY_3", "LEVEL_1", "LEVEL_2", "LEVEL_3"}
	if got := level.Level("").Values(); !slices.Equal(got, want) {
		t.Fatalf("Values %v, want %v", got, want)
	}
	for i, l := range all {
		if l.Rank() != i || !l.Valid() || l.String() != want[i] {
			t.Errorf("%s: rank %d valid %v", l, l.Rank(), l.Valid())
		}
	}
	all[0] = "changed"
	if level.All()[0] != level.Entry1 {
		t.Fatal("All shares its slice")
	}
	for _, l := range []level.Level{"", "level_2", "LEVEL_4"} {
		if l.Valid() || l.Rank() != -1 || l.Validate() == nil {
			t.Errorf("%q counts as a level", l)
		}
	}
}

func TestBelow(t *testing.T) {
	for _, tc := range []struct {
		lo, hi level.Level
		want   bool
	}{
		{level.Entry3, level.Level1, true},
		{level.Level1, level.Level2, true},
		{level.Level2, level.Level2, false},
		{level.Level3, level.Level1, false},
		{"", level.Level1, false},
		{level.Level1, "LEVEL_9", false},
	} {
		if got := tc.lo.Below(tc.hi); got != tc.want {
			t.Errorf("%q below %q: %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestGQL(t *testing.T) {
	var b bytes.Buffer
	level.Level2.MarshalGQL(&b)
	if b.String() != `"LEVEL_2"` {
		t.Errorf("MarshalGQL wrote %s", b.String())
	}
	l := level.Entry1
	if err := l.UnmarshalGQL("LEVEL_3"); err != nil || l != level.Level3 {
		t.Errorf("UnmarshalGQL LEVEL_3: %q, %v", l, err)
	}
	for _, v := range []any{"level_3", "LEVEL_4", "", 2} {
		if err := l.UnmarshalGQL(v); err == nil {
			t.Errorf("UnmarshalGQL(%#v) took it", v)
		}
		if l != level.Level3 {
			t.Errorf("UnmarshalGQL(%#v) changed the level to %q", v, l)
		}
	}
}
