// Package auth signs staff in and out, manages their accounts, and turns a
// bearer token into the request's viewer. Tokens are random and stored only
// as SHA-256 hashes; passwords as argon2id hashes. Ending a session (sign-out,
// deactivation, role change) also closes its live websockets on every replica.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/mail"
	"strings"
	"sync"
	"time"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/invitation"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/ent/session"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/audit"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/password"
	"github.com/apnet/apnet/internal/ratelimit"
	"github.com/apnet/apnet/internal/viewer"
)

// Lifetimes and throttling limits.
const (
	SessionTTL    = 12 * time.Hour
	InvitationTTL = 72 * time.Hour
	// Failures within failureWindow before sign-in is locked. The tight
	// lock is per account and address, so a stranger who knows a designated
	// lead's email cannot lock them out of the alert feed from elsewhere; a
	// whole account locks only at a count one address cannot reach alone.
	pairFailures    = 5  // per account from one client address
	accountFailures = 50 // per account from all addresses together
	addressFailures = 20 // per client address, whatever the accounts
	failureWindow   = 15 * time.Minute
	lockout         = 15 * time.Minute
)

// revokedTopic carries ended sessions to every replica.
const revokedTopic = "auth.sessions.revoked"

// Signed-in sessions are served from memory for up to sessionCacheTTL, saving
// four queries a request. Ending a session drops it from the cache at once,
// on this replica directly and on the others through revokedTopic; the TTL
// bounds how stale a replica can be if that message is lost.
const (
	sessionCacheTTL = 30 * time.Second
	maxCached       = 10000
)

var errBadCredentials = apierr.New(apierr.Unauthenticated, "incorrect email or password")

// Service is the sign-in and account service.
type Service struct {
	client    *gen.Client
	broker    broker.Broker
	log       *slog.Logger
	now       func() time.Time
	pairs     *ratelimit.Limiter
	accounts  *ratelimit.Limiter
	addresses *ratelimit.Limiter

	mu    sync.Mutex
	conns map[int]map[*int]context.CancelCauseFunc // session id → live websocket cancels

	cacheMu sync.Mutex
	cache   map[string]cachedSession // token hash → signed-in session
	// cacheGen changes with every revocation, so that a lookup which raced
	// one is not cached.
	cacheGen uint64
}

type cachedSession struct {
	v     viewer.Viewer // Address is per request, so left empty
	until time.Time
}

// New returns the service. now may be nil for the real clock.
func New(client *gen.Client, b broker.Broker, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{
		client: client, broker: b, log: log, now: now,
		pairs:     ratelimit.New(pairFailures, failureWindow, lockout),
		accounts:  ratelimit.New(accountFailures, failureWindow, lockout),
		addresses: ratelimit.New(addressFailures, failureWindow, lockout),
		conns:     map[int]map[*int]context.CancelCauseFunc{},
		cache:     map[string]cachedSession{},
	}
}

// SignedIn is a new session.
type SignedIn struct {
	Token     string
	ExpiresAt time.Time
	User      *gen.User
}

// Login checks an email and password and starts a session. Failures say
// nothing about whether the email exists, and are throttled per account and
// per client address.
func (s *Service) Login(ctx context.Context, email, pw string) (*SignedIn, error) {
	addr := viewer.FromContext(ctx).Address
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	for _, check := range []struct {
		l   *ratelimit.Limiter
		key string
	}{{s.pairs, pairKey(email, addr)}, {s.accounts, email}, {s.addresses, addr}} {
		if ok, wait := check.l.Allow(check.key, now); !ok {
			return nil, apierr.New(apierr.Unauthenticated,
				"too many failed sign-in attempts; try again in %d minutes", int(math.Ceil(wait.Minutes())))
		}
	}
	sys := viewer.SystemContext(ctx)
	u, err := s.client.User.Query().Where(user.Email(email)).Only(sys)
	switch {
	case gen.IsNotFound(err):
		password.DummyVerify(pw) // same cost as a real check: timing reveals nothing
		return nil, s.failed(ctx, email, addr, now, 0)
	case err != nil:
		return nil, err
	}
	ok, err := password.Verify(pw, u.PasswordHash)
	if errors.Is(err, password.ErrMalformed) {
		s.log.Error("stored password hash is malformed", "user_id", u.ID)
	}
	if err != nil || !ok || !u.Active {
		return nil, s.failed(ctx, email, addr, now, u.ID)
	}
	s.pairs.Reset(pairKey(email, addr))
	if password.NeedsRehash(u.PasswordHash) {
		// The cost settings have changed since this hash was made: upgrade it now that the password is known.
		if hash, err := password.Hash(pw); err == nil {
			if u, err = s.client.User.UpdateOne(u).SetPasswordHash(hash).Save(sys); err != nil {
				return nil, err
			}
		}
	}
	signed, err := s.startSession(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := audit.Record(viewer.NewContext(ctx, viewer.Viewer{UserID: u.ID, Role: viewer.Role(u.Role), Address: addr}),
		s.client, audit.SignIn, gen.TypeUser, u.ID); err != nil {
		return nil, err
	}
	return signed, nil
}

// pairKey keys the per-account, per-address limiter; a NUL cannot occur in
// either part.
func pairKey(email, addr string) string { return email + "\x00" + addr }

func (s *Service) failed(ctx context.Context, email, addr string, now time.Time, userID int) error {
	s.pairs.Fail(pairKey(email, addr), now)
	s.accounts.Fail(email, now)
	s.addresses.Fail(addr, now)
	if err := audit.Record(ctx, s.client, audit.SignInFailed, gen.TypeUser, userID); err != nil {
		s.log.Error("audit failed sign-in", "err", err)
	}
	return errBadCredentials
}

func (s *Service) startSession(ctx context.Context, u *gen.User) (*SignedIn, error) {
	token, hash := newToken()
	now := s.now()
	sys := viewer.SystemContext(ctx)
	if _, err := s.client.Session.Create().
		SetTokenHash(hash).SetUser(u).SetCreatedAt(now).SetExpiresAt(now.Add(SessionTTL)).
		SetClientAddress(viewer.FromContext(ctx).Address).Save(sys); err != nil {
		return nil, err
	}
	if err := s.client.User.UpdateOne(u).SetLastSignInAt(now).Exec(sys); err != nil {
		return nil, err
	}
	// The caller is not signed in yet for the rest of this request, so the
	// user's school and provider are loaded here for the response to show.
	u, err := s.client.User.Query().Where(user.ID(u.ID)).WithSchool().WithProvider().Only(sys)
	if err != nil {
		return nil, err
	}
	return &SignedIn{Token: token, ExpiresAt: now.Add(SessionTTL), User: u}, nil
}

// Authenticate returns the viewer a bearer token stands for.
func (s *Service) Authenticate(ctx context.Context, token string) (viewer.Viewer, error) {
	if token == "" {
		return viewer.Viewer{}, apierr.New(apierr.Unauthenticated, "sign in first")
	}
	hash, now, addr := hashToken(token), s.now(), viewer.FromContext(ctx).Address
	if v, ok := s.cached(hash, now); ok {
		v.Address = addr
		return v, nil
	}
	s.cacheMu.Lock()
	generation := s.cacheGen
	s.cacheMu.Unlock()
	sess, err := s.client.Session.Query().
		Where(session.TokenHash(hash), session.RevokedAtIsNil(), session.ExpiresAtGT(now)).
		WithUser(func(q *gen.UserQuery) { q.WithSchool().WithProvider() }).
		Only(viewer.SystemContext(ctx))
	if gen.IsNotFound(err) {
		return viewer.Viewer{}, apierr.New(apierr.Unauthenticated, "the session has ended or the token is not valid; sign in again")
	}
	if err != nil {
		return viewer.Viewer{}, err
	}
	u := sess.Edges.User
	if !u.Active {
		return viewer.Viewer{}, apierr.New(apierr.Unauthenticated, "the account is deactivated")
	}
	v := viewer.Viewer{UserID: u.ID, Role: viewer.Role(u.Role), SessionID: sess.ID}
	if u.Edges.School != nil {
		v.SchoolID = u.Edges.School.ID
	}
	if u.Edges.Provider != nil {
		v.ProviderID = u.Edges.Provider.ID
	}
	until := now.Add(sessionCacheTTL)
	if sess.ExpiresAt.Before(until) {
		until = sess.ExpiresAt
	}
	s.remember(hash, v, generation, until)
	v.Address = addr
	return v, nil
}

func (s *Service) cached(hash string, now time.Time) (viewer.Viewer, bool) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	c, ok := s.cache[hash]
	if !ok || !now.Before(c.until) {
		return viewer.Viewer{}, false
	}
	return c.v, true
}

// remember caches v until until, unless a revocation happened since
// generation was read.
func (s *Service) remember(hash string, v viewer.Viewer, generation uint64, until time.Time) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if generation != s.cacheGen {
		return
	}
	if len(s.cache) >= maxCached {
		now := s.now()
		for h, c := range s.cache {
			if !now.Before(c.until) {
				delete(s.cache, h)
			}
		}
		if len(s.cache) >= maxCached {
			clear(s.cache)
		}
	}
	s.cache[hash] = cachedSession{v: v, until: until}
}

// forget drops ended sessions from the cache.
func (s *Service) forget(sessionIDs []int) {
	ended := make(map[int]bool, len(sessionIDs))
	for _, id := range sessionIDs {
		ended[id] = true
	}
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	s.cacheGen++
	for h, c := range s.cache {
		if ended[c.v.SessionID] {
			delete(s.cache, h)
		}
	}
}

// Logout ends the viewer's session.
func (s *Service) Logout(ctx context.Context) error {
	v := viewer.FromContext(ctx)
	if v.SessionID == 0 {
		return apierr.New(apierr.Unauthenticated, "sign in first")
	}
	if err := s.revoke(ctx, session.ID(v.SessionID)); err != nil {
		return err
	}
	return audit.Record(ctx, s.client, audit.SignOut, gen.TypeUser, v.UserID)
}

// Invite creates an inactive account and a one-time invitation token that
// sets its password. The caller's privacy rules decide who may invite.
func (s *Service) Invite(ctx context.Context, email, name string, role user.Role, schoolID, providerID *int) (*gen.User, string, error) {
	if err := checkTenancy(role, schoolID, providerID); err != nil {
		return nil, "", err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return nil, "", apierr.Invalid("email", "%q is not an email address", email)
	}
	if err := s.checkTenant(ctx, schoolID, providerID); err != nil {
		return nil, "", err
	}
	sys := viewer.SystemContext(ctx)
	if taken, err := s.client.User.Query().Where(user.Email(email)).Exist(sys); err != nil || taken {
		if err == nil {
			err = apierr.New(apierr.Conflict, "an account with the email %s already exists; reinviteUser sends it a new invitation", email)
		}
		return nil, "", err
	}
	var token string
	var u *gen.User
	err := s.tx(ctx, func(tx *gen.Tx) error {
		var err error
		u, err = tx.User.Create().
			SetEmail(email).SetName(strings.TrimSpace(name)).SetRole(role).SetCreatedAt(s.now()).
			SetNillableSchoolID(schoolID).SetNillableProviderID(providerID).
			Save(ctx)
		if gen.IsConstraintError(err) {
			return apierr.New(apierr.Conflict, "an account with the email %s already exists", email)
		}
		if err != nil {
			return err
		}
		token, err = s.newInvitation(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return u.Unwrap(), token, nil
}

// Reinvite sends an inactive account (a lost invitation, or a deactivated
// member of staff coming back) a new invitation; earlier unused ones stop
// working. Accepting it sets a new password and reactivates the account.
func (s *Service) Reinvite(ctx context.Context, id int) (*gen.User, string, error) {
	u, err := s.client.User.Get(ctx, id)
	if err != nil {
		return nil, "", notFound(err, id)
	}
	if u.Active {
		return nil, "", apierr.New(apierr.Conflict, "user %d is active; only an inactive account can be invited again", id)
	}
	var token string
	err = s.tx(ctx, func(tx *gen.Tx) error {
		if err := tx.Invitation.Update().
			Where(invitation.HasUserWith(user.ID(id)), invitation.UsedAtIsNil()).
			SetUsedAt(s.now()).Exec(viewer.SystemContext(ctx)); err != nil {
			return err
		}
		token, err = s.newInvitation(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return u, token, audit.Record(ctx, s.client, audit.Invite, gen.TypeUser, id)
}

func (s *Service) newInvitation(ctx context.Context, tx *gen.Tx, userID int) (string, error) {
	token, hash := newToken()
	return token, tx.Invitation.Create().
		SetTokenHash(hash).SetUserID(userID).SetCreatedAt(s.now()).SetExpiresAt(s.now().Add(InvitationTTL)).
		SetInvitedBy(viewer.FromContext(ctx).UserID).
		Exec(viewer.SystemContext(ctx))
}

// checkTenant makes sure the school or provider an account is for exists.
func (s *Service) checkTenant(ctx context.Context, schoolID, providerID *int) error {
	sys := viewer.SystemContext(ctx)
	if schoolID != nil {
		if ok, err := s.client.School.Query().Where(school.ID(*schoolID)).Exist(sys); err != nil || !ok {
			if err == nil {
				err = apierr.New(apierr.NotFound, "school %d not found", *schoolID)
			}
			return err
		}
	}
	if providerID != nil {
		if ok, err := s.client.Provider.Query().Where(provider.ID(*providerID)).Exist(sys); err != nil || !ok {
			if err == nil {
				err = apierr.New(apierr.NotFound, "provider %d not found", *providerID)
			}
			return err
		}
	}
	return nil
}

// keepAnAdmin refuses a change that would leave no active partnership admin,
// since nobody could then manage accounts.
func (s *Service) keepAnAdmin(ctx context.Context, id int) error {
	others, err := s.client.User.Query().
		Where(user.RoleEQ(user.RolePARTNERSHIP_ADMIN), user.Active(true), user.IDNEQ(id)).
		Exist(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	if !others {
		return apierr.New(apierr.Conflict, "this would leave no active partnership admin; invite another admin first")
	}
	return nil
}

// AcceptInvitation sets the password of an invited account, activates it and signs in.
func (s *Service) AcceptInvitation(ctx context.Context, token, pw string) (*SignedIn, error) {
	if err := password.Validate(pw); err != nil {
		return nil, err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	var u *gen.User
	err = s.tx(sys, func(tx *gen.Tx) error {
		inv, err := tx.Invitation.Query().
			Where(invitation.TokenHash(hashToken(token)), invitation.UsedAtIsNil(), invitation.ExpiresAtGT(s.now())).
			WithUser().Only(sys)
		if gen.IsNotFound(err) {
			return apierr.New(apierr.NotFound, "the invitation is not valid: it may have been used or have expired")
		}
		if err != nil {
			return err
		}
		// Used only once, even when two acceptances race.
		n, err := tx.Invitation.Update().Where(invitation.ID(inv.ID), invitation.UsedAtIsNil()).SetUsedAt(s.now()).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apierr.New(apierr.NotFound, "the invitation is not valid: it may have been used or have expired")
		}
		u, err = tx.User.UpdateOne(inv.Edges.User).SetPasswordHash(hash).SetActive(true).Save(sys)
		return err
	})
	if err != nil {
		return nil, err
	}
	actor := viewer.NewContext(ctx, viewer.Viewer{UserID: u.ID, Role: viewer.Role(u.Role), Address: viewer.FromContext(ctx).Address})
	if err := audit.Record(actor, s.client, audit.AcceptInvitation, gen.TypeUser, u.ID); err != nil {
		return nil, err
	}
	return s.startSession(ctx, u)
}

// Deactivate disables an account and ends its sessions at once.
func (s *Service) Deactivate(ctx context.Context, id int) (*gen.User, error) {
	if viewer.FromContext(ctx).UserID == id {
		return nil, apierr.New(apierr.Conflict, "you cannot deactivate your own account")
	}
	if err := s.keepAnAdmin(ctx, id); err != nil {
		return nil, err
	}
	u, err := s.client.User.UpdateOneID(id).SetActive(false).Save(ctx)
	if err != nil {
		return nil, notFound(err, id)
	}
	return u, s.revoke(ctx, session.HasUserWith(user.ID(id)))
}

// ChangeRole changes an account's role and tenancy; its sessions end so that
// the new rules apply from the next sign-in.
func (s *Service) ChangeRole(ctx context.Context, id int, role user.Role, schoolID, providerID *int) (*gen.User, error) {
	if err := checkTenancy(role, schoolID, providerID); err != nil {
		return nil, err
	}
	if viewer.FromContext(ctx).UserID == id {
		return nil, apierr.New(apierr.Conflict, "you cannot change your own role; ask another partnership admin")
	}
	if role != user.RolePARTNERSHIP_ADMIN {
		if err := s.keepAnAdmin(ctx, id); err != nil {
			return nil, err
		}
	}
	if err := s.checkTenant(ctx, schoolID, providerID); err != nil {
		return nil, err
	}
	upd := s.client.User.UpdateOneID(id).SetRole(role).ClearSchool().ClearProvider().
		SetNillableSchoolID(schoolID).SetNillableProviderID(providerID)
	u, err := upd.Save(ctx)
	if err != nil {
		return nil, notFound(err, id)
	}
	return u, s.revoke(ctx, session.HasUserWith(user.ID(id)))
}

func notFound(err error, id int) error {
	if gen.IsNotFound(err) {
		return apierr.New(apierr.NotFound, "user %d not found", id)
	}
	return err
}

func checkTenancy(role user.Role, schoolID, providerID *int) error {
	switch role {
	case user.RoleSCHOOL_STAFF:
		if schoolID == nil || providerID != nil {
			return apierr.Invalid("schoolID", "school staff belong to exactly one school (and no provider)")
		}
	case user.RolePROVIDER_STAFF:
		if providerID == nil || schoolID != nil {
			return apierr.Invalid("providerID", "provider staff belong to exactly one provider (and no school)")
		}
	case user.RolePARTNERSHIP_ADMIN, user.RoleQA_OFFICER:
		if schoolID != nil || providerID != nil {
			return apierr.Invalid("role", "partnership staff belong to no school or provider")
		}
	default:
		return apierr.Invalid("role", "%q is not a role", role)
	}
	return nil
}

// revoke ends the matching live sessions and tells every replica to close
// their websockets. Sockets on this replica close even if the broker is down.
func (s *Service) revoke(ctx context.Context, where predicate.Session) error {
	sys := viewer.SystemContext(ctx)
	ids, err := s.client.Session.Query().Where(where, session.RevokedAtIsNil()).IDs(sys)
	if err != nil || len(ids) == 0 {
		return err
	}
	if err := s.client.Session.Update().Where(session.IDIn(ids...)).SetRevokedAt(s.now()).Exec(sys); err != nil {
		return err
	}
	s.forget(ids)
	s.closeSockets(ids)
	payload, _ := json.Marshal(ids)
	if err := s.broker.Publish(ctx, revokedTopic, payload); err != nil {
		s.log.Error("publish session revocation; other replicas keep their sockets until they reconnect",
			"sessions", ids, "err", err)
	}
	return nil
}

// errSessionEnded is the cause a revoked session's websockets close with.
var errSessionEnded = errors.New("session ended")

// Track ties a websocket's context to its session: when the session is
// revoked on any replica, the context is cancelled and gqlgen closes the socket.
func (s *Service) Track(ctx context.Context, sessionID int) context.Context {
	ctx, cancel := context.WithCancelCause(ctx)
	key := new(int)
	s.mu.Lock()
	if s.conns[sessionID] == nil {
		s.conns[sessionID] = map[*int]context.CancelCauseFunc{}
	}
	s.conns[sessionID][key] = cancel
	s.mu.Unlock()
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		delete(s.conns[sessionID], key)
		if len(s.conns[sessionID]) == 0 {
			delete(s.conns, sessionID)
		}
		s.mu.Unlock()
	})
	return ctx
}

func (s *Service) closeSockets(sessionIDs []int) {
	s.mu.Lock()
	var cancels []context.CancelCauseFunc
	for _, id := range sessionIDs {
		for _, c := range s.conns[id] {
			cancels = append(cancels, c)
		}
	}
	s.mu.Unlock()
	for _, c := range cancels {
		c(errSessionEnded)
	}
}

// Run closes this replica's websockets of sessions revoked on other
// replicas, and drops them from its session cache, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	ch, err := s.broker.Subscribe(ctx, revokedTopic)
	if err != nil {
		return err
	}
	go func() {
		for payload := range ch {
			var ids []int
			if err := json.Unmarshal(payload, &ids); err != nil {
				s.log.Error("decode session revocation", "err", err)
				continue
			}
			s.forget(ids)
			s.closeSockets(ids)
		}
	}()
	return nil
}

func (s *Service) tx(ctx context.Context, fn func(*gen.Tx) error) error {
	return db.InTx(ctx, s.client, fn)
}

func newToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
