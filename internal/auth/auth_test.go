package auth_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/viewer"
)

// replicas is two sign-in services on one database and broker, as two
// apnet instances are; a's statements are counted.
type replicas struct {
	a, b    *auth.Service
	counter *dbtest.Counter
	clock   *time.Time
	admin   context.Context
	world   *fixture.World
}

func newReplicas(t *testing.T) *replicas {
	d := dbtest.SQLite(t)
	w := fixture.Build(t, d.Client)
	b := broker.NewInProcess()
	t.Cleanup(func() { _ = b.Close() })
	clock := time.Now()
	now := func() time.Time { return clock }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, counter := dbtest.Counting(d)
	r := &replicas{a: auth.New(client, b, log, now), b: auth.New(d.Client, b, log, now), counter: counter, clock: &clock, world: w}
	for _, s := range []*auth.Service{r.a, r.b} {
		if err := s.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	fixture.Account(t, d.Client, "admin@test.example", user.RolePARTNERSHIP_ADMIN, 0, 0)
	fixture.Account(t, d.Client, "provider@test.example", user.RolePROVIDER_STAFF, 0, w.Provider.ID)
	admin, err := r.a.Authenticate(context.Background(), r.signIn(t, "admin@test.example"))
	if err != nil {
		t.Fatal(err)
	}
	r.admin = viewer.NewContext(context.Background(), admin)
	return r
}

func (r *replicas) signIn(t *testing.T, email string) string {
	t.Helper()
	s, err := r.a.Login(viewer.NewContext(context.Background(), viewer.Viewer{Address: "192.0.2.1"}), email, fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	return s.Token
}

func wantRefused(t *testing.T, s *auth.Service, token, why string) {
	t.Helper()
	if _, err := s.Authenticate(context.Background(), token); !apierr.Is(err, apierr.Unauthenticated) {
		t.Fatalf("%s: got %v, want UNAUTHENTICATED", why, err)
	}
}

func TestCachedSessionIsServedWithoutQueries(t *testing.T) {
	r := newReplicas(t)
	token := r.signIn(t, "provider@test.example")
	first, err := r.a.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	r.counter.Reset()
	*r.clock = r.clock.Add(29 * time.Second)
	got, err := r.a.Authenticate(viewer.NewContext(context.Background(), viewer.Viewer{Address: "198.51.100.7"}), token)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.counter.Statements()); n != 0 {
		t.Fatalf("a cached session cost %d queries:\n%s", n, strings.Join(r.counter.Statements(), "\n"))
	}
	if got.UserID != first.UserID || got.Role != viewer.ProviderStaff || got.ProviderID != r.world.Provider.ID ||
		got.SessionID != first.SessionID || got.Address != "198.51.100.7" {
		t.Fatalf("cached viewer %+v, first %+v", got, first)
	}
	// After the cache's lifetime the session is checked in the database again.
	*r.clock = r.clock.Add(2 * time.Second)
	if _, err := r.a.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if len(r.counter.Statements()) == 0 {
		t.Fatal("a session cached over 30 s ago was not checked again")
	}
}

func TestEndedSessionsAreRefusedAtOnce(t *testing.T) {
	t.Run("signed out", func(t *testing.T) {
		r := newReplicas(t)
		token := r.signIn(t, "provider@test.example")
		v, err := r.a.Authenticate(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.a.Logout(viewer.NewContext(context.Background(), v)); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, r.a, token, "signed-out session")
	})
	t.Run("deactivated", func(t *testing.T) {
		r := newReplicas(t)
		token := r.signIn(t, "provider@test.example")
		v, err := r.a.Authenticate(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.a.Deactivate(r.admin, v.UserID); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, r.a, token, "deactivated account")
	})
	t.Run("expired", func(t *testing.T) {
		r := newReplicas(t)
		token := r.signIn(t, "provider@test.example")
		*r.clock = r.clock.Add(auth.SessionTTL - 10*time.Second)
		if _, err := r.a.Authenticate(context.Background(), token); err != nil {
			t.Fatal(err)
		}
		// Cached 10 s before the session's end: not served past it.
		*r.clock = r.clock.Add(11 * time.Second)
		wantRefused(t, r.a, token, "expired session")
	})
	t.Run("revoked on another replica", func(t *testing.T) {
		r := newReplicas(t)
		token := r.signIn(t, "provider@test.example")
		v, err := r.b.Authenticate(context.Background(), token) // cached on b
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.a.Deactivate(r.admin, v.UserID); err != nil {
			t.Fatal(err)
		}
		// b hears of it through the broker, asynchronously.
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err := r.b.Authenticate(context.Background(), token)
			if apierr.Is(err, apierr.Unauthenticated) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica b still accepts a session revoked on a: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// Failures from one address lock the account only from that address, so a
// stranger who knows a designated lead's email cannot lock them out from
// elsewhere; failures from many addresses together lock the whole account.
func TestSignInLockIsPerAddressUntilTheAccountCeiling(t *testing.T) {
	r := newReplicas(t)
	from := func(addr string) context.Context {
		return viewer.NewContext(context.Background(), viewer.Viewer{Address: addr})
	}
	locked := func(err error) bool { return err != nil && strings.Contains(err.Error(), "too many") }
	const email = "provider@test.example"
	for i := range 5 {
		if _, err := r.a.Login(from("203.0.113.9"), email, "not the password"); locked(err) {
			t.Fatalf("locked after %d failures", i)
		}
	}
	if _, err := r.a.Login(from("203.0.113.9"), email, fixture.Password); !locked(err) {
		t.Fatalf("the failing address after 5 failures: %v, want locked", err)
	}
	if _, err := r.a.Login(from("192.0.2.1"), email, fixture.Password); err != nil {
		t.Fatalf("the owner from another address: %v", err)
	}
	// 50 failures in all, 5 from each of ten addresses: the account locks
	// everywhere, the owner's address included.
	for a := range 9 {
		for range 5 {
			_, _ = r.a.Login(from(fmt.Sprintf("198.51.100.%d", a)), email, "not the password")
		}
	}
	if _, err := r.a.Login(from("192.0.2.1"), email, fixture.Password); !locked(err) {
		t.Fatalf("after 50 failures from ten addresses: %v, want the account locked", err)
	}
	*r.clock = r.clock.Add(time.Hour)
	if _, err := r.a.Login(from("192.0.2.1"), email, fixture.Password); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}
