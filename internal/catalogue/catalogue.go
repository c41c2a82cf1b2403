// Package catalogue imports the published reference lists apnet's directory
// is built on: regulated qualifications (the Ofqual register export or the
// DfE list of qualifications approved for funding) with their awarding
// bodies, and schools (the DfE Get Information about Schools extract).
//
// The loaders follow internal/postcodes' Load: they stream the file one row
// at a time, write BatchSize accepted rows per transaction with an upsert on
// the natural key, call progress after each batch commits, and return a
// csvimport.Summary. A bad row is counted as rejected by reason, a good row
// left out on purpose as skipped; neither stops the rest. They are idempotent: each batch reads the rows it touches
// first and writes only those that are new or different, so re-running a
// file reports everything Unchanged and writes nothing. Rows in the table but
// not in the file (or skipped or rejected from it, e.g. a school since closed) are left
// alone, because learners, placements and courses may refer to them.
//
// Writes need a context that may write reference data, e.g.
// viewer.SystemContext.
package catalogue

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apnet/apnet/internal/csvimport"
)

// BatchSize is how many accepted rows a loader writes per transaction: at
// most 8 bind parameters a row keeps a batch far below PostgreSQL's 65,535
// and SQLite's 32,766, and a crash loses at most one batch (re-running is
// safe anyway).
const BatchSize = 1000

// ErrUnknownFormat is returned when the header lacks a column the import
// needs (or the input is empty); nothing is loaded.
var ErrUnknownFormat = errors.New("unrecognised file format")

// header reads the first non-blank row as the header, wrapping what goes
// wrong so the caller can tell a wrong file (ErrUnknownFormat) from a read
// error.
func header(cr *csv.Reader) (csvimport.Header, error) {
	rec, err := csvimport.First(cr)
	if err == io.EOF {
		return csvimport.Header{}, fmt.Errorf("%w: no header line", ErrUnknownFormat)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return csvimport.Header{}, fmt.Errorf("%w: header: %v", ErrUnknownFormat, err)
		}
		return csvimport.Header{}, fmt.Errorf("read: %w", err)
	}
	return csvimport.NewHeader(rec), nil
}

// column is one column a layout may have, under any of its names.
type column struct {
	what  string   // for error messages
	names []string // as published; compared by csvimport.Key
}

// find returns the index of each column in h (-1 if absent), and an
// ErrUnknownFormat naming the first absent one of the required ones.
func find(h csvimport.Header, required []column, optional ...column) ([]int, error) {
	idx := make([]int, 0, len(required)+len(optional))
	for _, c := range required {
		i := h.Col(c.names...)
		if i < 0 {
			return nil, fmt.Errorf("%w: no %s column (%s)", ErrUnknownFormat, c.what, strings.Join(c.names, " or "))
		}
		idx = append(idx, i)
	}
	for _, c := range optional {
		idx = append(idx, h.Col(c.names...))
	}
	return idx, nil
}

// reach is one past the last of the columns idx (-1: absent): the fields a
// row needs for every column the loader reads to be there.
func reach(idx ...int) int {
	n := 0
	for _, i := range idx {
		n = max(n, i+1)
	}
	return n
}

// stream is the loop every loader shares: it reads the rows after the header,
// reads their text in the file's encoding (enc, see csvimport.Encoding), turns each into a record with parse (or a reject
// reason), hands accepted records to write BatchSize at a time, and calls
// progress after each write (progress may be nil). A row wider than the
// header (width), or too short to reach every column the loader reads (need,
// see reach), is rejected as csvimport.CheckWidth says: loading it would
// store shifted or blank cells over good values. skip (may be nil) picks out
// good rows the import leaves out on purpose (no longer awarded, closed,
// another local authority's), before they are checked any further: it
// returns the reason for csvimport.Stats.Skip, or "". They are skipped, not
// rejected: "rejected" is kept for bad rows.
// key is the row's key (qualification number, URN) if valid, else "": it
// names a rejected row in the summary's list (see csvimport.RejectedRow),
// and a row whose key an accepted row earlier in the file had is rejected
// as its duplicate (csvimport.Seen: the first row wins), so two rows for
// one key cannot take turns in the table and every re-run settles at
// unchanged.
func stream[T any](cr *csv.Reader, enc *csvimport.Encoding, width, need int, st *csvimport.Stats, key, skip func(rec []string) string,
	parse func(rec []string) (T, string), write func([]T) error, progress func(csvimport.Stats)) error {
	batch := make([]T, 0, BatchSize)
	var seen csvimport.Seen[string] // a few MB for a GIAS extract's ~50k URNs
	flush := func() error {
		if err := write(batch); err != nil {
			return err
		}
		batch = batch[:0]
		if progress != nil {
			progress(st.Snapshot())
		}
		return nil
	}
	err := csvimport.Stream(cr, st, func(line int, rec []string) error {
		if reason := csvimport.CheckWidth(rec, width, need); reason != "" {
			// No key: in a row with shifted cells the key column may hold
			// something else.
			st.Reject(line, "", reason)
			return nil
		}
		// Every row's text counts towards deciding the file's encoding,
		// skipped ones too; a skipped row is skipped whatever its text.
		reason := enc.Fix(rec)
		if skip != nil {
			if what := skip(rec); what != "" {
				st.Skip(what)
				return nil
			}
		}
		if reason != "" {
			st.Reject(line, key(rec), reason)
			return nil
		}
		r, reason := parse(rec)
		if reason != "" {
			st.Reject(line, key(rec), reason)
			return nil
		}
		k := key(rec)
		if first, dup := seen.First(k, line); dup {
			st.RejectDuplicate(line, k, first)
			return nil
		}
		st.Accept()
		batch = append(batch, r)
		if len(batch) < BatchSize {
			return nil
		}
		return flush()
	})
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

// stored is a row as the table has it: its id (0 while it is only to be
// created) and the values compared to decide Updated or Unchanged.
type stored[V comparable] struct {
	id     int
	values V
}

// writes collects what one batch must write and counts each accepted row
// Added, Updated or Unchanged. stream rejects a key repeated in a file
// (csvimport.Seen), so a batch's keys are distinct and each is written at
// most once, as PostgreSQL's upsert requires.
type writes[V comparable] struct {
	rows                      map[string]stored[V]
	order                     []string // keys in file order, for a stable write order
	added, updated, unchanged int
}

func newWrites[V comparable](n int) *writes[V] {
	return &writes[V]{rows: make(map[string]stored[V], n)}
}

// add counts one row: have is the key's state in the table when ok, and
// want what the row says.
func (w *writes[V]) add(key string, have stored[V], ok bool, want V) {
	switch {
	case !ok:
		w.added++
	case have.values == want:
		w.unchanged++
		return
	default:
		w.updated++
	}
	w.order = append(w.order, key)
	w.rows[key] = stored[V]{have.id, want}
}

// addTo adds the counts to sum, once the batch has committed.
func (w *writes[V]) addTo(sum *csvimport.Summary) {
	sum.Added += w.added
	sum.Updated += w.updated
	sum.Unchanged += w.unchanged
}

// clean trims s and collapses runs of whitespace to one space: the exports
// have trailing spaces and doubled spaces where punctuation was dropped
// ("Distribution  Warehousing"), which would otherwise make two names for
// one thing and spoil title search.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
