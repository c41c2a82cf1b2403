// Package graph holds apnet's GraphQL resolvers. The entity types, Relay
// connections and filters come from ent through entgql; the resolvers here
// hand each operation to the package that owns it.
package graph

import (
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/documents"
	"github.com/apnet/apnet/internal/live"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/training"
)

// Resolver is the root resolver; one per server.
type Resolver struct {
	Client     *ent.Client
	Attendance *attendance.Service
	Live       *live.Hub
	Auth       *auth.Service
	Referral   *referral.Service
	Documents  *documents.Service
	Training   *training.Service
	QA         *qa.Service
	// Now is the clock; tests set it.
	Now func() time.Time
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
