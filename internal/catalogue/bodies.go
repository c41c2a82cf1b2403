package catalogue

import (
	"context"
	"fmt"
	"strings"

	"github.com/apnet/apnet/ent"
)

// body is an awarding body as the table has it ("" rn: none).
type body struct {
	id                int
	name, acronym, rn string
}

// bodyCache holds every awarding body in memory (there are a few hundred
// recognised organisations at most), so each row resolves its body without
// a query. Changes made in a batch's transaction are logged, to be undone if
// it rolls back and counted once it commits.
type bodyCache struct {
	byRN, byName   map[string]*body
	undo           []func()
	added, updated int // in the open transaction
}

func nameKey(name string) string { return strings.ToLower(clean(name)) }

func loadBodies(ctx context.Context, client *ent.Client) (*bodyCache, error) {
	all, err := client.AwardingBody.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read awarding bodies: %w", err)
	}
	c := &bodyCache{byRN: map[string]*body{}, byName: map[string]*body{}}
	for _, ab := range all {
		b := &body{id: ab.ID, name: ab.Name, acronym: ab.Acronym}
		if ab.RecognitionNumber != nil {
			b.rn = *ab.RecognitionNumber
			c.byRN[b.rn] = b
		}
		// Names are unique only case-sensitively; should two differ only in
		// case, rows match the first.
		if _, dup := c.byName[nameKey(b.name)]; !dup {
			c.byName[nameKey(b.name)] = b
		}
	}
	return c, nil
}

// resolve returns the id of the body ref names, creating or updating it in
// tx as Qualifications documents. A blank acronym or recognition number in
// the file never clears the table's.
func (c *bodyCache) resolve(ctx context.Context, tx *ent.Tx, ref bodyRef) (int, error) {
	var b *body
	if ref.rn != "" {
		b = c.byRN[ref.rn]
	}
	if b == nil {
		b = c.byName[nameKey(ref.name)]
	}
	if b == nil {
		create := tx.AwardingBody.Create().SetName(ref.name).SetAcronym(ref.acronym)
		if ref.rn != "" {
			create.SetRecognitionNumber(ref.rn)
		}
		ab, err := create.Save(ctx)
		if err != nil {
			return 0, fmt.Errorf("create awarding body %q: %w", ref.name, err)
		}
		c.set(nil, &body{id: ab.ID, name: ref.name, acronym: ref.acronym, rn: ref.rn})
		c.added++
		return ab.ID, nil
	}

	next := *b
	if ref.rn != "" && ref.name != b.name {
		// A row with a recognition number is the register's: its name is
		// the organisation's current one (or, matched by name, its exact
		// spelling), unless another body already has it, which renaming
		// would break the unique name.
		if o := c.byName[nameKey(ref.name)]; o == nil || o == b {
			next.name = ref.name
		}
	}
	if ref.acronym != "" {
		next.acronym = ref.acronym
	}
	if ref.rn != "" && b.rn == "" {
		next.rn = ref.rn
	}
	// Matched by name while the table has a different recognition number:
	// the table's number stands (the row is still linked to the body).
	if next == *b {
		return b.id, nil
	}
	upd := tx.AwardingBody.UpdateOneID(b.id).SetName(next.name).SetAcronym(next.acronym)
	if next.rn != "" {
		upd.SetRecognitionNumber(next.rn)
	}
	if err := upd.Exec(ctx); err != nil {
		return 0, fmt.Errorf("update awarding body %q: %w", b.name, err)
	}
	c.set(b, &next)
	c.updated++
	return b.id, nil
}

// set replaces old (nil for a new body) with b in the maps, logging how to
// undo it.
func (c *bodyCache) set(old, b *body) {
	if old != nil {
		saved := *old
		c.unindex(old)
		*old = *b
		b = old
		c.undo = append(c.undo, func() { c.unindex(b); *b = saved; c.index(b) })
	} else {
		c.undo = append(c.undo, func() { c.unindex(b) })
	}
	c.index(b)
}

func (c *bodyCache) index(b *body) {
	if b.rn != "" {
		c.byRN[b.rn] = b
	}
	if _, dup := c.byName[nameKey(b.name)]; !dup {
		c.byName[nameKey(b.name)] = b
	}
}

func (c *bodyCache) unindex(b *body) {
	if b.rn != "" && c.byRN[b.rn] == b {
		delete(c.byRN, b.rn)
	}
	if k := nameKey(b.name); c.byName[k] == b {
		delete(c.byName, k)
	}
}

// rollback undoes the open transaction's changes to the cache.
func (c *bodyCache) rollback() {
	for i := len(c.undo) - 1; i >= 0; i-- {
		c.undo[i]()
	}
	c.undo, c.added, c.updated = nil, 0, 0
}

// commit adds the committed transaction's counts to sum.
func (c *bodyCache) commit(sum *QualificationSummary) {
	sum.AwardingBodiesAdded += c.added
	sum.AwardingBodiesUpdated += c.updated
	c.undo, c.added, c.updated = nil, 0, 0
}
