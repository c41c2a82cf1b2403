// Package audit appends to the audit trail: every write a person makes
// (through an ent hook on all entities, in the write's own transaction) and
// every read of a learner's special-category fields (collected per response
// and written once after it). It records ids and field names, never values.
package audit

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"entgo.io/ent"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/viewer"
)

// Actions besides the write operations CREATE, UPDATE and DELETE.
const (
	ReadSpecialCategory = "READ_SPECIAL_CATEGORY"
	SignIn              = "SIGN_IN"
	SignInFailed        = "SIGN_IN_FAILED"
	SignOut             = "SIGN_OUT"
	Invite              = "INVITE"
	AcceptInvitation    = "ACCEPT_INVITATION"
	// Lapsed: a provider's approval reached its end with no new decision
	// and apnet marked it LAPSED (internal/qa).
	Lapsed = "LAPSED"
)

// unaudited types: the trail itself, sign-in plumbing recorded explicitly,
// and public reference data loaded in bulk.
var unaudited = map[string]bool{
	gen.TypeAuditEvent: true, gen.TypeSession: true, gen.TypeInvitation: true, gen.TypePostcode: true,
}

// Now is the clock; tests may set it.
var Now = time.Now

// Hook records every create, update and delete made by a person. Inside a
// transaction the records are written in it, in one insert just before it
// commits, so they commit or roll back with the write; outside one, each is
// written at once. apnet's own writes (seed, import) are not recorded row by
// row.
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v := viewer.FromContext(ctx)
			if unaudited[m.Type()] || v.Role == viewer.System || !v.Authenticated() {
				return next.Mutate(ctx, m)
			}
			var ids []int
			if !m.Op().Is(ent.OpCreate) {
				if im, ok := m.(interface {
					IDs(context.Context) ([]int, error)
				}); ok {
					var err error
					if ids, err = im.IDs(ctx); err != nil {
						return nil, err
					}
				}
			}
			val, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			if m.Op().Is(ent.OpCreate) {
				if id, ok := idOf(val); ok {
					ids = []int{id}
				}
			}
			fields := append(m.Fields(), m.ClearedFields()...)
			sort.Strings(fields)
			evs := make([]event, 0, len(ids))
			for _, id := range ids {
				evs = append(evs, event{v: v, action: opName(m.Op()), entity: m.Type(), id: id, fields: fields})
			}
			if len(evs) == 0 {
				return val, nil
			}
			// In a transaction the events wait for its commit and go in then,
			// in one insert, still inside it: the trail is all-or-nothing with
			// the change.
			if tm, ok := m.(interface{ Tx() (*gen.Tx, error) }); ok {
				if tx, err := tm.Tx(); err == nil {
					tx.OnCommit(beforeCommit(evs))
					return val, nil
				}
			}
			c, ok := m.(interface{ Client() *gen.Client })
			if !ok {
				return val, nil
			}
			if err := insert(viewer.SystemContext(ctx), c.Client(), evs); err != nil {
				return nil, err
			}
			return val, nil
		})
	}
}

// event is one audit record waiting to be written. Its time is when it is
// written: for a transaction's events, the commit that makes the change real.
type event struct {
	v              viewer.Viewer
	action, entity string
	id             int
	fields         []string
}

// maxInsert bounds the rows of one insert: PostgreSQL takes at most 65,535
// parameters a statement, and an event has 8.
const maxInsert = 1000

// insert writes evs in one statement (or one per maxInsert events).
func insert(ctx context.Context, c *gen.Client, evs []event) error {
	for chunk := range slices.Chunk(evs, maxInsert) {
		bulk := make([]*gen.AuditEventCreate, len(chunk))
		for i, e := range chunk {
			bulk[i] = create(c, e.v, e.action, e.entity, e.id, e.fields)
		}
		if err := c.AuditEvent.CreateBulk(bulk...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// pending is a transaction's audit events, inserted just before it commits.
type pending struct {
	events []event
	next   gen.Committer
}

// beforeCommit adds evs to the transaction's pending events. Commit hooks
// wrap one another, the first registered outermost; consecutive audit hooks
// fold into one pending, so the events of a transaction take one insert.
func beforeCommit(evs []event) gen.CommitHook {
	return func(next gen.Committer) gen.Committer {
		if p, ok := next.(*pending); ok {
			p.events = slices.Concat(evs, p.events) // hooks wrap last-registered first: keep mutation order
			return p
		}
		return &pending{events: evs, next: next}
	}
}

// Commit writes the events, then commits. If they cannot be written the
// transaction is rolled back: no change goes unrecorded.
func (p *pending) Commit(ctx context.Context, tx *gen.Tx) error {
	if err := insert(viewer.SystemContext(ctx), tx.Client(), p.events); err != nil {
		_ = tx.Rollback()
		return err
	}
	return p.next.Commit(ctx, tx)
}

func create(c *gen.Client, v viewer.Viewer, action, entity string, id int, fields []string) *gen.AuditEventCreate {
	return c.AuditEvent.Create().
		SetAt(Now()).SetActorID(v.UserID).SetActorRole(string(v.Role)).
		SetAction(action).SetEntity(entity).SetEntityID(id).
		SetFields(fields).SetClientAddress(v.Address)
}

// Record appends one event outside any hook: sign-ins, invitations.
func Record(ctx context.Context, c *gen.Client, action, entity string, id int) error {
	return create(c, viewer.FromContext(ctx), action, entity, id, nil).Exec(viewer.SystemContext(ctx))
}

func opName(op ent.Op) string {
	switch {
	case op.Is(ent.OpCreate):
		return "CREATE"
	case op.Is(ent.OpDelete | ent.OpDeleteOne):
		return "DELETE"
	default:
		return "UPDATE"
	}
}

// idOf reads the ID of an entity returned by a create.
func idOf(v ent.Value) (int, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return 0, false
	}
	f := rv.FieldByName("ID")
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, false
	}
	return int(f.Int()), true
}

// Reads collects special-category reads during one response.
type Reads struct {
	mu   sync.Mutex
	seen map[readKey]bool
}

type readKey struct {
	entity, field string
	id            int
}

type readsKey struct{}

// WithReads returns ctx collecting reads into a new Reads.
func WithReads(ctx context.Context) (context.Context, *Reads) {
	r := &Reads{seen: map[readKey]bool{}}
	return context.WithValue(ctx, readsKey{}, r), r
}

// NoteRead records that the viewer read field of entity id in this response.
func NoteRead(ctx context.Context, entity string, id int, field string) {
	r, _ := ctx.Value(readsKey{}).(*Reads)
	if r == nil {
		return
	}
	r.mu.Lock()
	r.seen[readKey{entity, field, id}] = true
	r.mu.Unlock()
}

// Collecting reports whether ctx already collects reads for a caller that
// flushes them itself (a shared subscription execution, internal/fanout).
func Collecting(ctx context.Context) bool {
	r, _ := ctx.Value(readsKey{}).(*Reads)
	return r != nil
}

// ReadSet is a snapshot of the special-category reads of one response.
type ReadSet map[readKey]bool

// Take returns the reads noted so far and starts a new set. A shared
// subscription execution takes them once and flushes them per member.
func (r *Reads) Take() ReadSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := ReadSet(r.seen)
	r.seen = map[readKey]bool{}
	return s
}

// Flush writes the reads noted so far under ctx's viewer (see ReadSet.Flush).
func (r *Reads) Flush(ctx context.Context, c *gen.Client) error {
	return r.Take().Flush(ctx, c)
}

// Flush writes one READ_SPECIAL_CATEGORY event per record read, naming the
// fields, attributed to ctx's viewer. It does not change s, so the same set
// can be flushed for several viewers.
func (s ReadSet) Flush(ctx context.Context, c *gen.Client) error {
	v := viewer.FromContext(ctx)
	if len(s) == 0 || v.Role == viewer.System {
		return nil
	}
	type rec struct {
		entity string
		id     int
	}
	byRecord := map[rec][]string{}
	for k := range s {
		byRecord[rec{k.entity, k.id}] = append(byRecord[rec{k.entity, k.id}], k.field)
	}
	bulk := make([]*gen.AuditEventCreate, 0, len(byRecord))
	for k, fields := range byRecord {
		sort.Strings(fields)
		bulk = append(bulk, create(c, v, ReadSpecialCategory, k.entity, k.id, fields))
	}
	return c.AuditEvent.CreateBulk(bulk...).Exec(viewer.SystemContext(ctx))
}
