// Package viewer carries who is asking through every request's context, so
// that storage rules and resolvers decide on one value.
package viewer

import (
	"context"
	"strconv"
)

// Role is what a signed-in user is allowed to do.
type Role string

const (
	PartnershipAdmin Role = "PARTNERSHIP_ADMIN"
	QAOfficer        Role = "QA_OFFICER"
	SchoolStaff      Role = "SCHOOL_STAFF"
	ProviderStaff    Role = "PROVIDER_STAFF"
	// System is apnet itself: seeding, imports, event hydration. Never a person.
	System Role = "SYSTEM"
)

// Viewer is who is asking. The zero Viewer is unauthenticated.
type Viewer struct {
	UserID     int
	Role       Role
	SchoolID   int // set for SCHOOL_STAFF
	ProviderID int // set for PROVIDER_STAFF
	SessionID  int // the sign-in session the request carries
	// Address is the client's network address, for the audit trail.
	Address string
}

// Authenticated reports whether the viewer is a signed-in user or the system.
func (v Viewer) Authenticated() bool { return v.Role != "" }

// Partnership reports whether the viewer is partnership staff.
func (v Viewer) Partnership() bool { return v.Role == PartnershipAdmin || v.Role == QAOfficer }

// Actor is the id recorded against what the viewer writes.
func (v Viewer) Actor() string {
	switch {
	case v.Role == System:
		return "system"
	case v.UserID != 0:
		return "user:" + strconv.Itoa(v.UserID)
	default:
		return "anonymous"
	}
}

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, or the unauthenticated zero Viewer.
func FromContext(ctx context.Context) Viewer {
	v, _ := ctx.Value(ctxKey{}).(Viewer)
	return v
}

// SystemContext returns ctx acting as apnet itself, keeping the caller's
// address for the audit trail.
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, Viewer{Role: System, Address: FromContext(ctx).Address})
}
