package postcodes

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/postcode"
	"github.com/apnet/apnet/internal/csvimport"
)

// BatchSize is how many accepted records Load writes per transaction. At 5
// bind parameters a row it stays far below PostgreSQL's 65,535 and SQLite's
// 32,766, and a crash loses at most one batch (re-running is safe anyway).
const BatchSize = 1000

// LoadStats is what Load did (the summary every import shares): Parse's
// counts and, for the accepted rows, how each compared with the table.
// Updated means in the table with a different location or terminated flag.
type LoadStats = csvimport.Summary

// location is what a row says about a postcode, the part compared to decide
// Updated or Unchanged (outward is derived from the postcode itself).
type location struct {
	easting, northing int
	terminated        bool
}

// Load streams a Code-Point Open or ONS Postcode Directory file (see Parse)
// into the Postcode table, BatchSize rows per transaction, and calls progress
// after each batch commits with the counts read so far (progress may be nil).
//
// It is idempotent: each batch first reads the rows it touches (one IN
// query), writes only those that are new or different, and writes them with
// an upsert on the postcode so a concurrent or repeated load cannot fail on
// the unique index. Re-running the same file reports everything Unchanged
// and writes nothing. Postcodes in the table but not in the file are left
// alone: Code-Point omits terminated postcodes, and a partial file (one
// area) must not delete the rest of the country.
func Load(ctx context.Context, client *ent.Client, r io.Reader, progress func(Stats)) (LoadStats, error) {
	var ls LoadStats
	batch := make([]Record, 0, BatchSize)
	report := func(st *Stats) {
		if progress != nil {
			progress(st.Snapshot())
		}
	}
	st, err := parse(r, func(rec Record, st *Stats) error {
		batch = append(batch, rec)
		if len(batch) < BatchSize {
			return nil
		}
		if err := loadBatch(ctx, client, batch, &ls); err != nil {
			return err
		}
		batch = batch[:0]
		report(st)
		return nil
	})
	ls.Stats = st
	if err != nil {
		return ls, err
	}
	if len(batch) > 0 {
		if err := loadBatch(ctx, client, batch, &ls); err != nil {
			return ls, fmt.Errorf("postcodes: %w", err)
		}
		report(&st)
	}
	return ls, nil
}

// loadBatch writes one batch in its own transaction and, once it commits,
// adds its outcome to ls.
func loadBatch(ctx context.Context, client *ent.Client, batch []Record, ls *LoadStats) (err error) {
	codes := make([]string, 0, len(batch))
	for _, rec := range batch {
		codes = append(codes, rec.Postcode)
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()

	existing, err := tx.Postcode.Query().
		Where(postcode.PostcodeIn(codes...)).
		Select(postcode.FieldPostcode, postcode.FieldEasting, postcode.FieldNorthing, postcode.FieldTerminated).
		All(ctx)
	if err != nil {
		return fmt.Errorf("read existing postcodes: %w", err)
	}
	current := make(map[string]location, len(existing))
	for _, p := range existing {
		current[p.Postcode] = location{p.Easting, p.Northing, p.Terminated}
	}

	// parse rejects a postcode repeated in a file, so a batch's postcodes
	// are distinct and each is written at most once, as PostgreSQL's upsert
	// requires.
	var added, updated, unchanged int
	creates := make([]*ent.PostcodeCreate, 0, len(batch))
	for _, rec := range batch {
		want := location{rec.Easting, rec.Northing, rec.Terminated}
		have, ok := current[rec.Postcode]
		switch {
		case !ok:
			added++
		case have != want:
			updated++
		default:
			unchanged++
			continue
		}
		creates = append(creates, tx.Postcode.Create().
			SetPostcode(rec.Postcode).
			SetOutward(rec.Postcode[:strings.IndexByte(rec.Postcode, ' ')]).
			SetEasting(rec.Easting).
			SetNorthing(rec.Northing).
			SetTerminated(rec.Terminated))
	}
	if len(creates) > 0 {
		err = tx.Postcode.CreateBulk(creates...).
			OnConflictColumns(postcode.FieldPostcode).
			UpdateNewValues().
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("write postcodes: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	ls.Added += added
	ls.Updated += updated
	ls.Unchanged += unchanged
	return nil
}
