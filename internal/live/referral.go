package live

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/progressupdate"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/ent/referraltransition"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/viewer"
)

// ReferralEvent is a referral's change of state.
type ReferralEvent struct {
	SchoolID   int
	ProviderID int // the provider it is forwarded to, if any
	Referral   *ent.Referral
	Transition *ent.ReferralTransition
}

// ProgressEvent is a progress update posted on a placement.
type ProgressEvent struct {
	SchoolID int
	Update   *ent.ProgressUpdate
}

// referralEvent crosses the broker: ids only.
type referralEvent struct {
	School     int `json:"s"`
	Referral   int `json:"r,omitempty"`
	Transition int `json:"t,omitempty"`
	Progress   int `json:"u,omitempty"`
}

func referralTopic(school int) string    { return fmt.Sprintf("school.%d.referrals", school) }
func progressTopic(school int) string    { return fmt.Sprintf("school.%d.progress", school) }
func forwardedTopic(provider int) string { return fmt.Sprintf("provider.%d.forwarded", provider) }

// CanWatchProvider says whether v may follow a provider's live events: its
// own staff and the partnership.
func CanWatchProvider(v viewer.Viewer, providerID int) error {
	switch {
	case v.Role == viewer.System, v.Partnership():
		return nil
	case v.Role == viewer.ProviderStaff && v.ProviderID == providerID:
		return nil
	}
	return apierr.New(apierr.Forbidden, "you may only follow your own provider's events")
}

// ReferralChanged publishes a committed transition to the referral's school
// and, when it was forwarded, to the provider.
func (h *Hub) ReferralChanged(ctx context.Context, r *ent.Referral, t *ent.ReferralTransition) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	school := r.Edges.School.ID
	ev := referralEvent{School: school, Referral: r.ID, Transition: t.ID}
	h.publishAny(ctx, "referral", referralTopic(school), ev)
	if t.To == string(referral.StatusFORWARDED) && r.Edges.Provider != nil {
		h.publishAny(ctx, "referral", forwardedTopic(r.Edges.Provider.ID), ev)
	}
}

// ProgressPosted publishes a committed progress update to the learner's school.
func (h *Hub) ProgressPosted(ctx context.Context, u *ent.ProgressUpdate, schoolID int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	h.publishAny(ctx, "progress", progressTopic(schoolID), referralEvent{School: schoolID, Progress: u.ID})
}

func (h *Hub) publishAny(ctx context.Context, kind, topic string, ev referralEvent) {
	h.publishPayload(ctx, kind, topic, mustJSON(ev), "referral_id", ev.Referral, "progress_id", ev.Progress)
}

// ReferralStatus streams the school's referrals' changes of state.
func (h *Hub) ReferralStatus(ctx context.Context, school int) (<-chan *ReferralEvent, error) {
	if err := access.CanWatchSchool(viewer.FromContext(ctx), school); err != nil {
		return nil, err
	}
	return subscribeChecked(ctx, h, referralTopic(school), h.loadReferralEvent,
		func(v viewer.Viewer, ev *ReferralEvent) error {
			if ev.SchoolID != school {
				return apierr.New(apierr.Forbidden, "not this school's referral")
			}
			return access.CanWatchSchool(v, ev.SchoolID)
		})
}

// Forwarded streams referrals newly forwarded to the provider.
func (h *Hub) Forwarded(ctx context.Context, provider int) (<-chan *ent.Referral, error) {
	if err := CanWatchProvider(viewer.FromContext(ctx), provider); err != nil {
		return nil, err
	}
	in, err := subscribeChecked(ctx, h, forwardedTopic(provider), h.loadReferralEvent,
		func(v viewer.Viewer, ev *ReferralEvent) error {
			// The row decides, not the topic: forwarded, and to this provider.
			if ev.ProviderID != provider || ev.Transition.To != string(referral.StatusFORWARDED) {
				return apierr.New(apierr.Forbidden, "not forwarded to this provider")
			}
			return CanWatchProvider(v, ev.ProviderID)
		})
	if err != nil {
		return nil, err
	}
	out := make(chan *ent.Referral, 1)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- ev.Referral:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// Progress streams progress updates on the school's learners' placements.
func (h *Hub) Progress(ctx context.Context, school int) (<-chan *ent.ProgressUpdate, error) {
	if err := access.CanWatchSchool(viewer.FromContext(ctx), school); err != nil {
		return nil, err
	}
	in, err := subscribe(ctx, h, progressTopic(school), func(payload []byte) (*ProgressEvent, error) {
		return h.progress.get(string(payload), func() (*ProgressEvent, error) { return h.loadProgress(payload) })
	}, func(ev *ProgressEvent) int { return ev.SchoolID })
	if err != nil {
		return nil, err
	}
	out := make(chan *ent.ProgressUpdate, 1)
	go func() {
		defer close(out)
		for ev := range in {
			if ev.SchoolID != school {
				continue
			}
			select {
			case out <- ev.Update:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (h *Hub) loadReferralEvent(payload []byte) (*ReferralEvent, error) {
	return h.referrals.get(string(payload), func() (*ReferralEvent, error) {
		var ev referralEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("decode referral event: %w", err)
		}
		ctx, cancel := loadCtx()
		defer cancel()
		r, err := h.client.Referral.Query().Where(referral.ID(ev.Referral)).WithSchool().WithProvider().Only(ctx)
		if err != nil {
			return nil, fmt.Errorf("load referral %d: %w", ev.Referral, err)
		}
		t, err := h.client.ReferralTransition.Query().Where(referraltransition.ID(ev.Transition)).Only(ctx)
		if err != nil {
			return nil, fmt.Errorf("load referral transition %d: %w", ev.Transition, err)
		}
		out := &ReferralEvent{SchoolID: r.Edges.School.ID, Referral: r, Transition: t}
		// The provider named is the one in the transition (the referral may since have moved on).
		if t.ProviderID != nil {
			out.ProviderID = *t.ProviderID
		}
		return out, nil
	})
}

func (h *Hub) loadProgress(payload []byte) (*ProgressEvent, error) {
	var ev referralEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("decode progress event: %w", err)
	}
	ctx, cancel := loadCtx()
	defer cancel()
	u, err := h.client.ProgressUpdate.Query().Where(progressupdate.ID(ev.Progress)).
		WithPlacement(func(q *ent.PlacementQuery) { q.WithLearner(func(q *ent.LearnerQuery) { q.WithSchool() }) }).
		Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("load progress update %d: %w", ev.Progress, err)
	}
	return &ProgressEvent{SchoolID: u.Edges.Placement.Edges.Learner.Edges.School.ID, Update: u}, nil
}
