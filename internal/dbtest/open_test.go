package dbtest_test

import (
	"context"
	"testing"

	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
)

func TestOpen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, err := d.School.Create().SetUrn("100000").SetName("x").SetPostcode("NG7 2QQ").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(s.ID)
	})
}
