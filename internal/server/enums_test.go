package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apnet/apnet/internal/dbtest"
)

// An enum value in a variable that is not spelled exactly as the schema
// spells it is the caller's mistake: BAD_USER_INPUT naming the allowed
// values, never an internal error (gqlparser lets the wrong case through
// validation; the enum types' UnmarshalGQL then failed with a plain error).
func TestEnumVariablesInTheWrongCaseAreBadInput(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	const apply = `mutation($in: SubmitApplicationInput!) { submitApplication(input: $in) { reference } }`
	application := func(change func(in map[string]any)) map[string]any {
		in := map[string]any{"kind": "PROVIDER", "organisationName": "Forest Skills CIC", "ukprn": "10012345",
			"settingType": "OTH", "contactName": "Sam Ray", "email": "sam@forest.example", "postcode": "NG7 2QQ",
			"courses": []any{map[string]any{"qualificationNumber": "60324760",
				"sessions": []any{map[string]any{"weekday": "TUESDAY", "start": "09:00", "end": "12:00"}},
				"places":   6, "deliveryPostcode": "NG7 2QQ"}}}
		change(in)
		return map[string]any{"in": in}
	}
	const levels = "ENTRY_1, ENTRY_2, ENTRY_3, LEVEL_1, LEVEL_2, LEVEL_3"
	for name, tc := range map[string]struct {
		c      string // client: anon, school or admin
		query  string
		vars   map[string]any
		want   []string // in the message
		wantAt string   // the error's path
	}{
		"setting type, anonymous submitApplication": {"anon", apply,
			application(func(in map[string]any) { in["settingType"] = "oth" }),
			[]string{`"oth" is not a valid ApplicationSettingType`, "NFE, OOT, OTH, WBP"}, "variable.in.settingType"},
		"kind, anonymous submitApplication": {"anon", apply,
			application(func(in map[string]any) { in["kind"] = "Provider" }),
			[]string{`"Provider" is not a valid ApplicationKind`}, "variable.in.kind"},
		"enum nested in lists of input objects": {"anon", apply,
			application(func(in map[string]any) {
				in["courses"].([]any)[0].(map[string]any)["sessions"].([]any)[0].(map[string]any)["weekday"] = "tuesday"
			}),
			[]string{`"tuesday" is not a valid Weekday`, "MONDAY"}, "variable.in.courses[0].sessions[0].weekday"},
		"qualification level variable": {"school",
			`query($l: QualificationLevel!) { searchProviders(filter: {levels: [$l], postcode: "NG7 2QQ"}) { edges { cursor } } }`,
			map[string]any{"l": "level_2"}, []string{`"level_2" is not a valid QualificationLevel`, levels}, "variable.l"},
		"qualification levels list variable": {"school",
			`query($l: [QualificationLevel!]) { searchProviders(filter: {levels: $l, postcode: "NG7 2QQ"}) { edges { cursor } } }`,
			map[string]any{"l": []any{"LEVEL_1", "level_2"}}, []string{`"level_2" is not a valid QualificationLevel`, levels}, "variable.l[1]"},
		"qualification minLevel shares the level enum": {"admin",
			`query($l: [QualificationLevel!]) { qualifications(where: {minLevelIn: $l}) { totalCount } }`,
			map[string]any{"l": []any{"Level_1"}}, []string{`"Level_1" is not a valid QualificationLevel`, levels}, "variable.l[0]"},
		"entgql order direction": {"school",
			`query($d: OrderDirection!) { learners(first: 1, orderBy: {direction: $d, field: UPN}) { totalCount } }`,
			map[string]any{"d": "asc"}, []string{`"asc" is not a valid OrderDirection`, "ASC, DESC"}, "variable.d"},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.anon
			switch tc.c {
			case "school":
				c = e.schoolA
			case "admin":
				c = e.admin
			}
			r := do(t, c, tc.query, tc.vars)
			msg := wantCode(t, r, "BAD_USER_INPUT")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if got := pathString(r.Errors[0].Path); got != tc.wantAt {
				t.Errorf("path %s, want %s", got, tc.wantAt)
			}
			if d := string(r.Data); d != "" && d != "null" {
				t.Errorf("ran anyway: %s", d)
			}
		})
	}

	// Spelled right, the same operations run.
	data(t, e.anon, apply, application(func(map[string]any) {}), nil)
	data(t, e.schoolA, `query($l: [QualificationLevel!]) { searchProviders(filter: {levels: $l, postcode: "NG7 2QQ"}) { edges { cursor } } }`,
		map[string]any{"l": []any{"LEVEL_1", "LEVEL_2"}}, nil)
	data(t, e.admin, `query($l: QualificationLevel) { qualifications(where: {minLevel: $l, levelNEQ: $l}) { totalCount } }`,
		map[string]any{"l": "LEVEL_1"}, nil)
	data(t, e.schoolA, `query($d: OrderDirection!) { learners(first: 1, orderBy: {direction: $d, field: UPN}) { totalCount } }`,
		map[string]any{"d": "DESC"}, nil)
}

// pathString writes an error's path as a.b[0].c.
func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		default:
			fmt.Fprintf(&b, "[%v]", p)
		}
	}
	return b.String()
}
