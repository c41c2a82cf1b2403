// Package audit appends to the audit trail: every write a person makes
// (through an ent hook on all entities, in the write's own transaction) and
// every read of a learner's special-category fields (collected per response
// and written once after it). It records ids and field names, never values.
package audit

import (
	"context"
	"reflect"
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

// Hook records every create, update and delete made by a person. The record
// is written with the mutation's own client, so inside a transaction it
// commits or rolls back with the write. apnet's own writes (seed, import) are
// not recorded row by row.
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
			c, ok := m.(interface{ Client() *gen.Client })
			if !ok {
				return val, nil
			}
			fields := append(m.Fields(), m.ClearedFields()...)
			sort.Strings(fields)
			action := opName(m.Op())
			bulk := make([]*gen.AuditEventCreate, 0, len(ids))
			for _, id := range ids {
				bulk = append(bulk, create(c.Client(), v, action, m.Type(), id, fields))
			}
			if len(bulk) > 0 {
				if err := c.Client().AuditEvent.CreateBulk(bulk...).Exec(viewer.SystemContext(ctx)); err != nil {
					return nil, err
				}
			}
			return val, nil
		})
	}
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

// Flush writes one READ_SPECIAL_CATEGORY event per record read, naming the fields.
func (r *Reads) Flush(ctx context.Context, c *gen.Client) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := viewer.FromContext(ctx)
	if len(r.seen) == 0 || v.Role == viewer.System {
		return nil
	}
	type rec struct {
		entity string
		id     int
	}
	byRecord := map[rec][]string{}
	for k := range r.seen {
		byRecord[rec{k.entity, k.id}] = append(byRecord[rec{k.entity, k.id}], k.field)
	}
	bulk := make([]*gen.AuditEventCreate, 0, len(byRecord))
	for k, fields := range byRecord {
		sort.Strings(fields)
		bulk = append(bulk, create(c, v, ReadSpecialCategory, k.entity, k.id, fields))
	}
	r.seen = map[readKey]bool{}
	return c.AuditEvent.CreateBulk(bulk...).Exec(viewer.SystemContext(ctx))
}
