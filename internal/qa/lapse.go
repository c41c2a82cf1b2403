package qa

import (
	"context"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/audit"
	"github.com/apnet/apnet/internal/viewer"
)

// LapseExpired marks LAPSED every APPROVED provider whose approval ended
// before today, with no one pressing a button; each gets a "LAPSED" audit
// event. Safe on several replicas: the update is guarded by the status
// and end date, so only one replica changes (and records) each provider.
// Approval is never treated as current past its date even before this runs
// (access.CurrentlyApproved).
func (s *Service) LapseExpired(ctx context.Context) (int, error) {
	sys := viewer.SystemContext(ctx)
	today := s.today()
	expired := provider.And(provider.ApprovalStatusEQ(provider.ApprovalStatusAPPROVED), provider.ApprovedUntilLT(today))
	ids, err := s.Client.Provider.Query().Where(expired).IDs(sys)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		changed := 0
		err := s.inTx(sys, func(tx *ent.Tx) error {
			var err error
			changed, err = tx.Provider.Update().Where(provider.ID(id), expired).
				SetApprovalStatus(provider.ApprovalStatusLAPSED).Save(sys)
			if err != nil || changed == 0 {
				return err // another replica got there first
			}
			return audit.Record(sys, tx.Client(), audit.Lapsed, ent.TypeProvider, id)
		})
		if err != nil {
			return n, err
		}
		if changed > 0 {
			n++
			s.log().Info("provider approval lapsed", "provider_id", id)
		}
	}
	return n, nil
}

// RunLapses runs LapseExpired now and every interval until ctx ends.
func (s *Service) RunLapses(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.LapseExpired(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("lapsing expired approvals failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
