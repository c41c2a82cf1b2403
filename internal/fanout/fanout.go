// Package fanout executes identical subscriptions once per event. Subscribers
// whose operations would render the same bytes (same document, operation,
// variables and viewer scope) join one group: the group subscribes once,
// executes each event's selection set once and hands the same response to
// every member. Without it gqlgen executes the selection set once per
// subscriber per event, which is most of the cost of a large fan-out.
package fanout

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/audit"
	"github.com/apnet/apnet/internal/metrics"
	"github.com/apnet/apnet/internal/viewer"
)

// DefaultBuffer is how many events a member may fall behind before it is dropped.
const DefaultBuffer = 64

// Options configure a Fanout.
type Options struct {
	// Deliver, when set, runs for each member and each shared response, under
	// the member's own context (its viewer), with the special-category reads
	// the shared execution noted. It returns what the member is sent: the
	// server flushes the reads to the audit trail per member here.
	Deliver func(ctx context.Context, resp *graphql.Response, reads audit.ReadSet) *graphql.Response
	// Buffer is each member's queue length; zero means DefaultBuffer.
	Buffer int
	Log    *slog.Logger
}

// Fanout is a gqlgen extension. Register it last (innermost) so every other
// operation middleware (authorisation, limits) still runs per subscriber.
type Fanout struct {
	opts   Options
	schema *ast.Schema
	mu     sync.Mutex
	groups map[key]*group
}

var (
	_ graphql.HandlerExtension     = (*Fanout)(nil)
	_ graphql.OperationInterceptor = (*Fanout)(nil)
	_ graphql.FieldInterceptor     = (*Fanout)(nil)
)

// New returns the extension.
func New(o Options) *Fanout {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Fanout{opts: o, groups: map[key]*group{}}
}

// ExtensionName names the extension for gqlgen.
func (*Fanout) ExtensionName() string { return "Fanout" }

// Validate keeps the schema: the key needs to know which types may be a User.
func (f *Fanout) Validate(es graphql.ExecutableSchema) error {
	f.schema = es.Schema()
	return nil
}

// Groups is the number of shared executions running.
func (f *Fanout) Groups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.groups)
}

func (f *Fanout) remove(k key, g *group) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.groups[k] == g {
		delete(f.groups, k)
	}
}

func emptyHandler(context.Context) *graphql.Response { return nil }

// key identifies subscriptions that render identically. Row rules and
// resolvers depend on the viewer's role, school and provider only; the one
// exception, a User row (a user sees only themselves), puts the user in the
// scope when the selection can reach one.
type key struct {
	query, operation, variables string
	scope                       scope
}

type scope struct {
	Role                 viewer.Role
	SchoolID, ProviderID int
	UserID               int
}

func (s scope) viewer() viewer.Viewer {
	return viewer.Viewer{Role: s.Role, SchoolID: s.SchoolID, ProviderID: s.ProviderID, UserID: s.UserID}
}

// group is one shared execution and its members.
type group struct {
	ready  chan struct{} // closed once the subscribe has succeeded or failed
	failed bool
	cancel context.CancelFunc

	mu      sync.Mutex
	members map[*member]struct{}
	closed  bool // no more members: a new subscriber starts a new group
}

type member struct {
	ctx     context.Context
	ch      chan *event
	dropped bool        // fell behind; ch is closed
	left    atomic.Bool // its context ended; ch is closed
	stop    func() bool
}

// event is one shared response and the reads its execution noted.
type event struct {
	resp  *graphql.Response
	reads audit.ReadSet
}

// started records whether the group's subscription resolver succeeded:
// gqlgen reports a refused subscribe only as a response, not to the caller.
type started struct{ ok bool }

type startedKey struct{}

// InterceptField notes the outcome of the root subscription field's
// resolver while a group is subscribing.
func (f *Fanout) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if s, ok := ctx.Value(startedKey{}).(*started); ok {
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Subscription" {
			s.ok = err == nil && res != nil
		}
	}
	return res, err
}

// InterceptOperation puts each subscription in its group, starting the
// group when it is the first. Queries and mutations pass through.
func (f *Fanout) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	vars, err := json.Marshal(oc.Variables) // map keys sorted: canonical
	if err != nil {
		// Coerced JSON input always marshals; if not, share with nobody.
		vars = fmt.Appendf(nil, "unshared %p", oc)
	}
	v := viewer.FromContext(ctx)
	s := scope{Role: v.Role, SchoolID: v.SchoolID, ProviderID: v.ProviderID}
	if f.reachesUser(oc.Operation.SelectionSet, map[string]bool{}) {
		s.UserID = v.UserID
	}
	k := key{query: oc.RawQuery, operation: oc.OperationName, variables: string(vars), scope: s}
	for {
		f.mu.Lock()
		g := f.groups[k]
		if g == nil {
			g = &group{ready: make(chan struct{}), members: map[*member]struct{}{}}
			f.groups[k] = g
			f.mu.Unlock()
			return f.start(ctx, k, g, s, next)
		}
		f.mu.Unlock()
		select {
		case <-g.ready:
		case <-ctx.Done():
			return emptyHandler
		}
		if g.failed {
			continue // subscribe for ourselves: the caller gets its own answer
		}
		if h := f.join(ctx, g); h != nil {
			return h
		}
		// The group closed as we arrived; start or join the next one.
		f.remove(k, g)
	}
}

// start subscribes once for the group, detached from the first
// subscriber's cancellation: the group outlives any one member.
func (f *Fanout) start(ctx context.Context, k key, g *group, s scope, next graphql.OperationHandler) graphql.ResponseHandler {
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	// The group acts for the scope it was keyed on, not for the person who
	// happened to subscribe first (their reads are audited per member).
	gctx = viewer.NewContext(gctx, s.viewer())
	g.cancel = cancel
	st := &started{}
	// Until it has subscribed the group is the first subscriber's alone: if
	// that one goes, so does the subscribe (a stalled broker, say).
	stop := context.AfterFunc(ctx, cancel)
	h := next(context.WithValue(gctx, startedKey{}, st))
	if !stop() || !st.ok {
		// Refused (FORBIDDEN, bad arguments), failed or abandoned: no group,
		// and the caller gets the answer it would get without one.
		f.remove(k, g)
		g.failed = true
		close(g.ready)
		cancel()
		return h
	}
	m := f.join(ctx, g) // never nil: nobody else can close a group still starting
	close(g.ready)
	go f.run(k, g, gctx, h)
	return m
}

// join adds a member for ctx, or returns nil if the group has closed.
func (f *Fanout) join(ctx context.Context, g *group) graphql.ResponseHandler {
	m := &member{ctx: ctx, ch: make(chan *event, f.opts.Buffer)}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.members[m] = struct{}{}
	metrics.Subscribers.Inc()
	// Registered under g.mu: leave (which may run at once) waits for it,
	// and run and end read m.stop under g.mu.
	m.stop = context.AfterFunc(ctx, func() { f.leave(g, m) })
	g.mu.Unlock()
	return func(context.Context) *graphql.Response {
		// The caller's ctx may be the group's (gqlgen hands back the
		// context passed to next), so the end of this subscriber's is seen
		// as m.ch closing: every way out of the group closes it.
		ev, ok := <-m.ch
		if m.left.Load() {
			return nil // gone: send nothing queued before it left
		}
		if !ok {
			if m.dropped {
				m.dropped = false
				return &graphql.Response{Errors: gqlerror.List{{
					Message:    "this subscription fell too far behind and was ended; subscribe again",
					Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"},
				}}}
			}
			return nil
		}
		if f.opts.Deliver != nil {
			return f.opts.Deliver(m.ctx, ev.resp, ev.reads)
		}
		return ev.resp
	}
}

// leave removes m; the last member out ends the group.
func (f *Fanout) leave(g *group, m *member) {
	g.mu.Lock()
	_, in := g.members[m]
	if in {
		m.left.Store(true)
		delete(g.members, m)
		close(m.ch)
	}
	last := in && len(g.members) == 0 && !g.closed
	if last {
		g.closed = true
	}
	g.mu.Unlock()
	if in {
		metrics.Subscribers.Dec()
	}
	if last {
		g.cancel()
	}
}

// run pulls each response once and queues it for every member.
func (f *Fanout) run(k key, g *group, ctx context.Context, h graphql.ResponseHandler) {
	defer f.end(k, g)
	defer func() {
		// gqlgen's transport recovers a subscription's panics in the
		// subscriber's goroutine; the shared execution runs in this one.
		if v := recover(); v != nil {
			f.opts.Log.Error("panic in a shared subscription", "panic", v, "operation", k.operation)
			f.broadcast(k, g, &event{resp: &graphql.Response{Errors: gqlerror.List{{
				Message:    "internal error",
				Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"},
			}}}})
		}
	}()
	for {
		ectx, reads := audit.WithReads(ctx)
		resp := h(ectx)
		if resp == nil || ctx.Err() != nil {
			return
		}
		// gqlgen reuses the subscription's buffer for the next event.
		resp.Data = bytes.Clone(resp.Data)
		f.broadcast(k, g, &event{resp: resp, reads: reads.Take()})
	}
}

// broadcast queues ev for every member, dropping those whose queue is full.
func (f *Fanout) broadcast(k key, g *group, ev *event) {
	var dropped int
	g.mu.Lock()
	for m := range g.members {
		select {
		case m.ch <- ev:
		default:
			// A member that cannot keep up must not hold up the rest.
			dropped++
			delete(g.members, m)
			m.dropped = true
			close(m.ch)
			m.stop()
			metrics.Subscribers.Dec()
			metrics.EventsDropped.Inc()
		}
	}
	if len(g.members) == 0 && !g.closed {
		g.closed = true
		g.cancel()
	}
	g.mu.Unlock()
	if dropped > 0 {
		f.opts.Log.Warn("subscribers dropped for falling behind", "operation", k.operation, "dropped", dropped,
			"school_id", k.scope.SchoolID, "provider_id", k.scope.ProviderID)
	}
}

// end closes every remaining member's stream: the resolver's channel
// closed, or the last member left.
func (f *Fanout) end(k key, g *group) {
	f.remove(k, g)
	g.mu.Lock()
	g.closed = true
	for m := range g.members {
		delete(g.members, m)
		close(m.ch)
		m.stop()
		metrics.Subscribers.Dec()
	}
	g.mu.Unlock()
	g.cancel()
}

// reachesUser reports whether sel can return a User, directly or as an
// interface or union User belongs to: what a user may see of users depends
// on who they are, so such subscriptions are shared only by the same user.
func (f *Fanout) reachesUser(sel ast.SelectionSet, seen map[string]bool) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Definition != nil && s.Definition.Type != nil && f.mayBeUser(s.Definition.Type.Name()) {
				return true
			}
			if f.reachesUser(s.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if f.reachesUser(s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if seen[s.Name] || s.Definition == nil {
				continue
			}
			seen[s.Name] = true
			if f.reachesUser(s.Definition.SelectionSet, seen) {
				return true
			}
		}
	}
	return false
}

const userType = "User"

func (f *Fanout) mayBeUser(typeName string) bool {
	if typeName == userType {
		return true
	}
	if f.schema == nil {
		return false
	}
	for _, d := range f.schema.PossibleTypes[typeName] {
		if d.Name == userType {
			return true
		}
	}
	return false
}
