// Package level is the regulated qualification level apnet's learners take,
// Entry 1 to Level 3. It is the Go type of both of a qualification's level
// fields (level and min_level, see ent/schema/qualification.go) and of the
// GraphQL enum QualificationLevel, so one concept has one type.
//
// It must not import ent: ent's schema and generated code import it.
package level

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Level is a regulated qualification level, stored and sent as its name
// (ENTRY_1 … LEVEL_3). The zero value is no level.
type Level string

// The levels, lowest first.
const (
	Entry1 Level = "ENTRY_1"
	Entry2 Level = "ENTRY_2"
	Entry3 Level = "ENTRY_3"
	Level1 Level = "LEVEL_1"
	Level2 Level = "LEVEL_2"
	Level3 Level = "LEVEL_3"
)

var all = []Level{Entry1, Entry2, Entry3, Level1, Level2, Level3}

// All returns the levels, lowest first.
func All() []Level { return slices.Clone(all) }

// Values returns the levels' names, lowest first: the values of an ent enum
// field declared with GoType(level.Level("")).
func (Level) Values() []string {
	vs := make([]string, len(all))
	for i, l := range all {
		vs[i] = string(l)
	}
	return vs
}

func (l Level) String() string { return string(l) }

// Rank is l's place in All (0 for Entry 1), or -1 when l is not a level.
func (l Level) Rank() int { return slices.Index(all, l) }

// Valid reports whether l is a level.
func (l Level) Valid() bool { return l.Rank() >= 0 }

// Below reports whether l and m are levels and l is lower than m.
func (l Level) Below(m Level) bool {
	return l.Valid() && m.Valid() && l.Rank() < m.Rank()
}

// Validate returns an error when l is not a level.
func (l Level) Validate() error {
	if !l.Valid() {
		return fmt.Errorf("%q is not a valid QualificationLevel", string(l))
	}
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (l Level) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(l))) }

// UnmarshalGQL implements graphql.Unmarshaler: an unknown value is an error
// and leaves l unchanged.
func (l *Level) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("QualificationLevel must be a string, not %T", v)
	}
	if err := Level(s).Validate(); err != nil {
		return err
	}
	*l = Level(s)
	return nil
}
