package dbtest_test

import (
	"context"
	"testing"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/viewer"
)

// node(id:) works only if ids are unique across types: each table has its own id range.
func TestGlobalIDsResolveToTheirType(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := viewer.SystemContext(context.Background())
		s := d.School.Create().SetUrn("100000").SetName("x").SetPostcode("NG7 2QQ").SaveX(ctx)
		a := d.AwardingBody.Create().SetName("x").SaveX(ctx)
		if s.ID == a.ID {
			t.Fatalf("school and awarding body share id %d", s.ID)
		}
		for id, want := range map[int]string{s.ID: "School", a.ID: "AwardingBody"} {
			n, err := d.Noder(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := typeName(n); got != want {
				t.Fatalf("id %d resolved to %s, want %s", id, got, want)
			}
		}
	})
}

func typeName(n ent.Noder) string {
	switch n.(type) {
	case *ent.School:
		return "School"
	case *ent.AwardingBody:
		return "AwardingBody"
	}
	return "?"
}
