package schema

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"

	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/level"
	"github.com/apnet/apnet/internal/timetable"
)

// noEdgeInput keeps an edge out of the generated create/update inputs: rows
// such as placements and alerts are made by their own operations, never
// attached through another entity's update.
var noEdgeInput = entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// noFieldInput keeps a field out of the generated create/update inputs: it
// is set by its own operation.
var noFieldInput = entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// normalize validates and rewrites a string field on every create and update,
// whoever writes it (API, import or seed), so stored identifiers always have
// one form. Errors are apierr BAD_USER_INPUT errors naming the field.
func normalize(field string, fn func(string) (string, error)) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field(field); ok {
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("normalize %s: %T is not a string", field, v)
				}
				n, err := fn(s)
				if err != nil {
					return nil, err
				}
				if err := m.SetField(field, n); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// validSessions checks a weekly pattern on every create and update.
func validSessions(field string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field(field); ok {
				ss, ok := v.([]timetable.Session)
				if !ok {
					return nil, fmt.Errorf("validate %s: %T is not a session list", field, v)
				}
				if err := timetable.ValidateAll(ss); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

func (School) Hooks() []ent.Hook {
	return []ent.Hook{normalize("urn", ident.ValidateURN), normalize("postcode", ident.NormalizePostcode)}
}

func (Provider) Hooks() []ent.Hook {
	return []ent.Hook{
		normalize("postcode", ident.NormalizePostcode),
		normalize("email", ident.OptionalEmail),
		normalize("website", ident.OptionalWebsite),
		normalize("ukprn", orEmpty(ident.ValidateUKPRN)),
		normalize("urn", orEmpty(ident.ValidateOfstedURN)),
	}
}

// orEmpty lets an optional identifier stay blank.
func orEmpty(fn func(string) (string, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		if strings.TrimSpace(s) == "" {
			return "", nil
		}
		return fn(s)
	}
}

func (Qualification) Hooks() []ent.Hook {
	return []ent.Hook{normalize("number", ident.NormalizeQualificationNumber), levelSpan}
}

func (Course) Hooks() []ent.Hook {
	return []ent.Hook{normalize("delivery_postcode", ident.NormalizePostcode), validSessions("sessions")}
}

func (Learner) Hooks() []ent.Hook {
	return []ent.Hook{
		normalize("upn", ident.NormalizeUPN),
		normalize("first_name", ident.PersonName),
		normalize("last_name", ident.PersonName),
		validDateOfBirth,
	}
}

// validDateOfBirth refuses impossible dates of birth on every write.
var validDateOfBirth ent.Hook = func(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if v, ok := m.Field("date_of_birth"); ok {
			dob, _ := v.(time.Time)
			if err := ident.ValidDateOfBirth(dob, timetable.Day(time.Now())); err != nil {
				return nil, err
			}
		}
		return next.Mutate(ctx, m)
	})
}

// levelSpan keeps a qualification's min_level below its level on every
// write: a span upside down would hide the qualification from searches for
// the levels it really has.
var levelSpan ent.Hook = func(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		lo, setLo := m.Field("min_level")
		hi, setHi := m.Field("level")
		if (setLo || setHi) && m.Op().Is(ent.OpUpdateOne) {
			if !setLo {
				lo, _ = m.OldField(ctx, "min_level")
			}
			if !setHi {
				hi, _ = m.OldField(ctx, "level")
			}
		}
		l, h := levelOf(lo), levelOf(hi)
		if l.Valid() && h.Valid() && !l.Below(h) {
			return nil, apierr.Invalid("minLevel", "minLevel %s must be below level %s (leave it empty for a qualification at one level)", l, h)
		}
		return next.Mutate(ctx, m)
	})
}

// levelOf is v as a level, or "" for none; v is a level or a pointer to one
// (a nillable field's old value).
func levelOf(v ent.Value) level.Level {
	switch v := v.(type) {
	case level.Level:
		return v
	case *level.Level:
		if v != nil {
			return *v
		}
	}
	return ""
}

func (Placement) Hooks() []ent.Hook {
	return []ent.Hook{validSessions("sessions")}
}

func (Postcode) Hooks() []ent.Hook {
	return []ent.Hook{normalize("postcode", ident.NormalizePostcode), normalize("outward", ident.NormalizeOutward)}
}
