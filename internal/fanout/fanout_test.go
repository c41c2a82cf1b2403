package fanout

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/metrics"
	"github.com/apnet/apnet/internal/viewer"
)

// resolver stands in for gqlgen's subscription execution: each next call
// subscribes (through the field chain, as gqlgen does) and its handler
// returns what is sent on events until the subscription's context ends.
type resolver struct {
	f          *Fanout
	refuse     error
	subscribed atomic.Int32
	live       atomic.Int32
	events     chan *graphql.Response
}

func (r *resolver) next(ctx context.Context) graphql.ResponseHandler {
	fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Subscription"})
	if _, err := r.f.InterceptField(fctx, func(context.Context) (any, error) { return "ok", r.refuse }); err != nil {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: err.Error()}}})
	}
	r.subscribed.Add(1)
	r.live.Add(1)
	context.AfterFunc(ctx, func() { r.live.Add(-1) })
	return func(hctx context.Context) *graphql.Response {
		select {
		case resp := <-r.events:
			return resp
		case <-hctx.Done():
			return nil
		}
	}
}

func subscriptionCtx(ctx context.Context, v viewer.Viewer) context.Context {
	ctx = viewer.NewContext(ctx, v)
	return graphql.WithOperationContext(ctx, &graphql.OperationContext{
		RawQuery:  "subscription { x }",
		Operation: &ast.OperationDefinition{Operation: ast.Subscription},
		Variables: map[string]any{"s": 1},
	})
}

func subscribers() float64 { return testutil.ToFloat64(metrics.Subscribers) }

// settled waits for earlier tests' members to finish leaving (the gauge is
// process-wide and members leave asynchronously) and returns the count.
func settled(t *testing.T) float64 {
	t.Helper()
	eventually(t, "earlier tests' subscribers have left", func() bool { return subscribers() == 0 })
	return subscribers()
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
	}
}

// A member that stops reading is dropped with an error once its queue is
// full; the others keep receiving every event.
func TestSlowMemberDropped(t *testing.T) {
	f := New(Options{Buffer: 2})
	r := &resolver{f: f, events: make(chan *graphql.Response)}
	staff := viewer.Viewer{UserID: 1, Role: viewer.SchoolStaff, SchoolID: 1}
	before := settled(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fast := f.InterceptOperation(subscriptionCtx(ctx, staff), r.next)
	staff.UserID = 2
	slow := f.InterceptOperation(subscriptionCtx(ctx, staff), r.next)
	if r.subscribed.Load() != 1 || f.Groups() != 1 || subscribers() != before+2 {
		t.Fatalf("%d subscriptions, %d groups, %v subscribers", r.subscribed.Load(), f.Groups(), subscribers()-before)
	}
	for i := range 4 {
		r.events <- &graphql.Response{Data: []byte(`{"n":` + string(rune('0'+i)) + `}`)}
		if got := fast(ctx); got == nil || string(got.Data) != `{"n":`+string(rune('0'+i))+`}` {
			t.Fatalf("fast member, event %d: %+v", i, got)
		}
	}
	for i := range 2 {
		if got := slow(ctx); got == nil || len(got.Errors) != 0 {
			t.Fatalf("slow member, queued event %d: %+v", i, got)
		}
	}
	if got := slow(ctx); got == nil || len(got.Errors) != 1 {
		t.Fatalf("slow member after its queue overflowed: %+v, want an error", got)
	}
	if got := slow(ctx); got != nil {
		t.Fatalf("slow member after the error: %+v, want the end", got)
	}
	eventually(t, "the dropped member uncounted", func() bool { return subscribers() == before+1 })
}

// A refused subscribe reaches the caller and leaves no group behind.
func TestRefusedSubscribeStartsNoGroup(t *testing.T) {
	f := New(Options{})
	r := &resolver{f: f, refuse: errors.New("you may only follow your own school's events")}
	before := settled(t)
	h := f.InterceptOperation(subscriptionCtx(context.Background(), viewer.Viewer{UserID: 1, Role: viewer.SchoolStaff, SchoolID: 2}), r.next)
	if got := h(context.Background()); got == nil || len(got.Errors) != 1 {
		t.Fatalf("got %+v, want the refusal", got)
	}
	if f.Groups() != 0 || subscribers() != before {
		t.Fatalf("%d groups, %v subscribers after a refusal", f.Groups(), subscribers()-before)
	}
}

// Members leave on their own context; the last one out ends the shared
// subscription, and a later subscriber starts a new one.
func TestLastMemberEndsGroup(t *testing.T) {
	f := New(Options{})
	r := &resolver{f: f, events: make(chan *graphql.Response)}
	v := viewer.Viewer{Role: viewer.PartnershipAdmin}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	h1 := f.InterceptOperation(subscriptionCtx(ctx1, v), r.next)
	h2 := f.InterceptOperation(subscriptionCtx(ctx2, v), r.next)
	cancel1()
	if got := h1(context.Background()); got != nil {
		t.Fatalf("left member got %+v", got)
	}
	r.events <- &graphql.Response{Data: []byte(`{}`)}
	if got := h2(ctx2); got == nil {
		t.Fatal("the remaining member got nothing")
	}
	if r.live.Load() != 1 {
		t.Fatalf("%d live subscriptions with one member left", r.live.Load())
	}
	cancel2()
	eventually(t, "the shared subscription ended", func() bool { return r.live.Load() == 0 && f.Groups() == 0 })
	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	f.InterceptOperation(subscriptionCtx(ctx3, v), r.next)
	if r.subscribed.Load() != 2 || r.live.Load() != 1 {
		t.Fatalf("%d subscriptions, %d live", r.subscribed.Load(), r.live.Load())
	}
}

// Different scopes, variables or documents do not share; a selection that
// can reach a User is shared only by the same user.
func TestKeyScope(t *testing.T) {
	f := New(Options{})
	r := &resolver{f: f, events: make(chan *graphql.Response)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, v := range []viewer.Viewer{
		{UserID: 1, Role: viewer.SchoolStaff, SchoolID: 1},
		{UserID: 2, Role: viewer.SchoolStaff, SchoolID: 1}, // shares with the first
		{UserID: 3, Role: viewer.SchoolStaff, SchoolID: 2},
		{UserID: 4, Role: viewer.PartnershipAdmin},
		{UserID: 5, Role: viewer.QAOfficer},
	} {
		f.InterceptOperation(subscriptionCtx(ctx, v), r.next)
	}
	if got := r.subscribed.Load(); got != 4 {
		t.Fatalf("%d subscriptions, want 4", got)
	}
	userField := &ast.Field{Name: "acknowledgedBy", Definition: &ast.FieldDefinition{Type: ast.NamedType("User", nil)}}
	for _, id := range []int{6, 7} {
		c := subscriptionCtx(ctx, viewer.Viewer{UserID: id, Role: viewer.SchoolStaff, SchoolID: 1})
		graphql.GetOperationContext(c).Operation.SelectionSet = ast.SelectionSet{userField}
		f.InterceptOperation(c, r.next)
	}
	if got := r.subscribed.Load(); got != 6 {
		t.Fatalf("%d subscriptions, want 6: a User in the selection keys on the user", got)
	}
}

// A panic in the shared execution ends the group with an internal error
// for each member instead of taking the process down.
func TestPanicInSharedExecution(t *testing.T) {
	f := New(Options{})
	r := &resolver{f: f, events: make(chan *graphql.Response)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v := viewer.Viewer{Role: viewer.PartnershipAdmin}
	release := make(chan struct{})
	h1 := f.InterceptOperation(subscriptionCtx(ctx, v), func(ctx context.Context) graphql.ResponseHandler {
		r.next(ctx)
		return func(context.Context) *graphql.Response { <-release; panic("boom") }
	})
	h2 := f.InterceptOperation(subscriptionCtx(ctx, v), r.next)
	if r.subscribed.Load() != 1 {
		t.Fatalf("%d subscriptions, want 1 shared", r.subscribed.Load())
	}
	close(release)
	for i, h := range []graphql.ResponseHandler{h1, h2} {
		if got := h(ctx); got == nil || len(got.Errors) != 1 || got.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" {
			t.Fatalf("member %d: %+v, want an internal error", i, got)
		}
		if got := h(ctx); got != nil {
			t.Fatalf("member %d after the error: %+v", i, got)
		}
	}
	eventually(t, "the group gone", func() bool { return f.Groups() == 0 && r.live.Load() == 0 })
}

// A first subscriber that leaves while subscribing takes the subscribe with
// it; the next subscriber starts afresh.
func TestFirstSubscriberLeavesWhileSubscribing(t *testing.T) {
	f := New(Options{})
	r := &resolver{f: f, events: make(chan *graphql.Response)}
	v := viewer.Viewer{Role: viewer.PartnershipAdmin}
	ctx1, cancel1 := context.WithCancel(context.Background())
	f.InterceptOperation(subscriptionCtx(ctx1, v), func(ctx context.Context) graphql.ResponseHandler {
		cancel1() // the socket closes mid-subscribe
		return r.next(ctx)
	})
	eventually(t, "the abandoned subscribe ended", func() bool { return r.live.Load() == 0 && f.Groups() == 0 })
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	h := f.InterceptOperation(subscriptionCtx(ctx2, v), r.next)
	r.events <- &graphql.Response{Data: []byte(`{}`)}
	if got := h(ctx2); got == nil || r.subscribed.Load() != 2 {
		t.Fatalf("got %+v after %d subscriptions", got, r.subscribed.Load())
	}
}
