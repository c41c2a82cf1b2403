// Package qa runs the partnership's quality assurance of providers:
// applications to join, the compliance visit checklist and its versions,
// compliance and evaluation visits, the QA Management Group's decisions,
// the automatic lapse of approvals that reach their end, and the QA
// officers' worklist (DOMAIN.md, the partnership's process, 1).
//
// Each operation runs in one transaction as the signed-in viewer, so the
// row rules of internal/access apply and the audit hook records every write;
// live alerts are published only after commit.
package qa

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/ratelimit"
)

// AlertPublisher is told of alerts saved by a committed change.
type AlertPublisher interface {
	AlertRaised(ctx context.Context, schoolID, alertID int)
}

// Service runs quality assurance.
type Service struct {
	Client *ent.Client
	Alerts AlertPublisher
	Log    *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
	// submissions throttles public applications per client address.
	submissions *ratelimit.Limiter
	once        sync.Once
}

// Applications from one address: at most this many per window. Submitting
// needs no account, so it is throttled like signing in.
const (
	maxSubmissions   = 5
	submissionWindow = time.Hour
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) today() time.Time { return access.Today(s.now()) }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) limiter() *ratelimit.Limiter {
	s.once.Do(func() { s.submissions = ratelimit.New(maxSubmissions, submissionWindow, submissionWindow) })
	return s.submissions
}

// NewService returns a ready service.
func NewService(c *ent.Client, alerts AlertPublisher, log *slog.Logger, now func() time.Time) *Service {
	s := &Service{Client: c, Alerts: alerts, Log: log, Now: now}
	s.limiter()
	return s
}

func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return db.InTx(ctx, s.Client, fn)
}

func throttled(wait time.Duration) error {
	return apierr.New(apierr.Forbidden, "too many applications from your address; try again in %d minutes",
		int(math.Ceil(wait.Minutes())))
}

// required trims s and refuses it empty or longer than max.
func required(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apierr.Invalid(field, "%s is required", field)
	}
	if len(s) > max {
		return "", apierr.Invalid(field, "%s is longer than %d characters", field, max)
	}
	return s, nil
}

func optional(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > max {
		return "", apierr.Invalid(field, "%s is longer than %d characters", field, max)
	}
	return s, nil
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// dateOnly is t's calendar date at midnight UTC, as dates are stored.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func notFound(kind string, id int) error {
	return apierr.New(apierr.NotFound, "%s %d not found", kind, id)
}

// renamed names the input field of a validator's BAD_USER_INPUT error.
func renamed(field string, err error) error {
	if e, ok := apierr.As(err); ok {
		return &apierr.Error{Code: e.Code, Field: field, Message: e.Message}
	}
	return err
}
