// Package training runs the partnership's training events for provider
// staff: events, bookings (capacity and duplicates checked under a lock on
// the event row), cancellations and recorded attendance. Each operation is
// one transaction as the signed-in viewer, so the row rules of
// internal/access apply and the audit hook records it.
package training

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/trainingbooking"
	"github.com/apnet/apnet/ent/trainingevent"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/viewer"
)

// Service runs training events and bookings.
type Service struct {
	Client *ent.Client
	// Now is the clock; tests set it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Event is a training event's details; nil fields are left as they are on update.
type Event struct {
	Title, Description, Topic, Location *string
	StartsAt, EndsAt                    *time.Time
	Capacity                            *int
}

func (e Event) check(creating bool) error {
	if creating && (e.Title == nil || e.StartsAt == nil || e.EndsAt == nil || e.Capacity == nil) {
		return apierr.Invalid("input", "an event needs a title, start, end and capacity")
	}
	if e.Title != nil && strings.TrimSpace(*e.Title) == "" {
		return apierr.Invalid("title", "give the event a title")
	}
	if e.Capacity != nil && *e.Capacity < 1 {
		return apierr.Invalid("capacity", "capacity must be at least 1")
	}
	return nil
}

func trim(p *string) *string {
	if p == nil {
		return nil
	}
	t := strings.TrimSpace(*p)
	return &t
}

// CreateEvent adds a training event.
func (s *Service) CreateEvent(ctx context.Context, in Event) (*ent.TrainingEvent, error) {
	if err := in.check(true); err != nil {
		return nil, err
	}
	if !in.EndsAt.After(*in.StartsAt) {
		return nil, apierr.Invalid("endsAt", "the event must end after it starts")
	}
	var ev *ent.TrainingEvent
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		ev, err = tx.TrainingEvent.Create().SetTitle(*trim(in.Title)).SetNillableDescription(trim(in.Description)).
			SetNillableTopic(trim(in.Topic)).SetNillableLocation(trim(in.Location)).
			SetStartsAt(*in.StartsAt).SetEndsAt(*in.EndsAt).SetCapacity(*in.Capacity).
			SetCreatedBy(viewer.FromContext(ctx).Actor()).SetCreatedAt(s.now()).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ev.Unwrap(), nil
}

// UpdateEvent changes an event's details; capacity may not fall below the places booked.
func (s *Service) UpdateEvent(ctx context.Context, id int, in Event) (*ent.TrainingEvent, error) {
	if err := in.check(false); err != nil {
		return nil, err
	}
	var ev *ent.TrainingEvent
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		cur, err := lockEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		starts, ends := cur.StartsAt, cur.EndsAt
		if in.StartsAt != nil {
			starts = *in.StartsAt
		}
		if in.EndsAt != nil {
			ends = *in.EndsAt
		}
		if !ends.After(starts) {
			return apierr.Invalid("endsAt", "the event must end after it starts")
		}
		if in.Capacity != nil {
			booked, err := booked(ctx, tx, id)
			if err != nil {
				return err
			}
			if *in.Capacity < booked {
				return apierr.New(apierr.Conflict, "%d places are already booked: cancel bookings before lowering the capacity to %d", booked, *in.Capacity)
			}
		}
		u := tx.TrainingEvent.UpdateOneID(id).SetStartsAt(starts).SetEndsAt(ends).
			SetNillableDescription(trim(in.Description)).SetNillableTopic(trim(in.Topic)).
			SetNillableLocation(trim(in.Location)).SetNillableCapacity(in.Capacity)
		if in.Title != nil {
			u.SetTitle(*trim(in.Title))
		}
		ev, err = u.Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ev.Unwrap(), nil
}

// lockEvent reads the event as the viewer and locks its row for the rest of
// the transaction (a no-op update, as placements lock their course): a
// concurrent booking waits here, then counts this one.
func lockEvent(ctx context.Context, tx *ent.Tx, id int) (*ent.TrainingEvent, error) {
	// The write comes first: on SQLite a transaction that read before
	// writing can fail to upgrade its lock instead of waiting for it.
	sys := viewer.SystemContext(ctx)
	if err := tx.TrainingEvent.Update().Where(trainingevent.ID(id)).AddCapacity(0).Exec(sys); err != nil {
		return nil, err
	}
	ev, err := tx.TrainingEvent.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "training event %d not found", id)
	}
	return ev, err
}

// booked counts an event's BOOKED places, whoever holds them.
func booked(ctx context.Context, tx *ent.Tx, eventID int) (int, error) {
	return tx.TrainingBooking.Query().Where(trainingbooking.HasEventWith(trainingevent.ID(eventID)),
		trainingbooking.StatusEQ(trainingbooking.StatusBOOKED)).Count(viewer.SystemContext(ctx))
}

// PlacesLeft is an event's capacity less its BOOKED places.
func (s *Service) PlacesLeft(ctx context.Context, ev *ent.TrainingEvent) (int, error) {
	n, err := s.Client.TrainingBooking.Query().Where(trainingbooking.HasEventWith(trainingevent.ID(ev.ID)),
		trainingbooking.StatusEQ(trainingbooking.StatusBOOKED)).Count(viewer.SystemContext(ctx))
	return max(ev.Capacity-n, 0), err
}

// Book takes a place on an event for a member of a provider's staff.
// Provider staff book for their own provider; the partnership names one.
func (s *Service) Book(ctx context.Context, eventID int, name, email string, providerID *int) (*ent.TrainingBooking, error) {
	v := viewer.FromContext(ctx)
	pid := 0
	switch {
	case v.Role == viewer.ProviderStaff:
		if providerID != nil && *providerID != v.ProviderID {
			return nil, apierr.New(apierr.Forbidden, "you may only book places for your own provider")
		}
		pid = v.ProviderID
	case providerID == nil:
		return nil, apierr.Invalid("providerID", "say which provider the place is for")
	default:
		pid = *providerID
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, apierr.Invalid("attendeeName", "give the attendee's name")
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || addr.Name != "" {
		return nil, apierr.Invalid("attendeeEmail", "give the attendee's email address, like name@example.org")
	}
	email = strings.ToLower(addr.Address)
	if ok, err := s.Client.Provider.Query().Where(provider.ID(pid)).Exist(ctx); err != nil {
		return nil, err
	} else if !ok {
		return nil, apierr.New(apierr.NotFound, "provider %d not found", pid)
	}
	var b *ent.TrainingBooking
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		ev, err := lockEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if !ev.StartsAt.After(s.now()) {
			return apierr.Invalid("eventID", "this event has already started; book a future one")
		}
		sys := viewer.SystemContext(ctx)
		dup, err := tx.TrainingBooking.Query().Where(trainingbooking.HasEventWith(trainingevent.ID(eventID)),
			trainingbooking.AttendeeEmail(email), trainingbooking.StatusEQ(trainingbooking.StatusBOOKED)).Exist(sys)
		if err != nil {
			return err
		}
		if dup {
			return apierr.New(apierr.Conflict, "%s already has a place on %q; book a different colleague, or cancel that booking first", email, ev.Title)
		}
		n, err := booked(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if n >= ev.Capacity {
			return apierr.New(apierr.Conflict, "%q is full: all %d places are booked; book another event, or ask the partnership whether places can be added",
				ev.Title, ev.Capacity)
		}
		b, err = tx.TrainingBooking.Create().SetEventID(eventID).SetProviderID(pid).
			SetAttendeeName(name).SetAttendeeEmail(email).SetBookedBy(v.Actor()).SetBookedAt(s.now()).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b.Unwrap(), nil
}

// Cancel cancels a booking before its event starts.
func (s *Service) Cancel(ctx context.Context, id int) (*ent.TrainingBooking, error) {
	var out *ent.TrainingBooking
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		b, err := getBooking(ctx, tx, id)
		if err != nil {
			return err
		}
		if b.Status == trainingbooking.StatusCANCELLED {
			return apierr.New(apierr.Conflict, "this booking for %q was already cancelled; nothing to do (book again for a new place)", b.Edges.Event.Title)
		}
		if !b.Edges.Event.StartsAt.After(s.now()) {
			return apierr.New(apierr.Conflict, "%q started at %s: a booking can only be cancelled before the event starts; the partnership records whether the attendee came",
				b.Edges.Event.Title, b.Edges.Event.StartsAt.Format("2006-01-02 15:04"))
		}
		out, err = tx.TrainingBooking.UpdateOneID(id).SetStatus(trainingbooking.StatusCANCELLED).
			SetCancelledAt(s.now()).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// RecordAttendance records whether a booked attendee came, once the event has started.
func (s *Service) RecordAttendance(ctx context.Context, id int, attended bool) (*ent.TrainingBooking, error) {
	var out *ent.TrainingBooking
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		b, err := getBooking(ctx, tx, id)
		if err != nil {
			return err
		}
		if b.Status == trainingbooking.StatusCANCELLED {
			return apierr.New(apierr.Conflict, "this booking for %q was cancelled, so there is no attendance to record; record it on the attendee's BOOKED booking", b.Edges.Event.Title)
		}
		if b.Edges.Event.StartsAt.After(s.now()) {
			return apierr.New(apierr.Conflict, "%q has not started yet (it starts at %s): record attendance once it has",
				b.Edges.Event.Title, b.Edges.Event.StartsAt.Format("2006-01-02 15:04"))
		}
		out, err = tx.TrainingBooking.UpdateOneID(id).SetAttended(attended).
			SetAttendanceRecordedAt(s.now()).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func getBooking(ctx context.Context, tx *ent.Tx, id int) (*ent.TrainingBooking, error) {
	b, err := tx.TrainingBooking.Query().Where(trainingbooking.ID(id)).WithEvent().Only(ctx)
	if ent.IsNotFound(err) || access.IsDenied(err) {
		return nil, apierr.New(apierr.NotFound, "training booking %d not found", id)
	}
	return b, err
}

// SummaryOf is a provider's training record: aggregate counts only, so it
// is computed as the system and shown to whoever may see the provider.
func (s *Service) SummaryOf(ctx context.Context, providerID int) (*Summary, error) {
	sys := viewer.SystemContext(ctx)
	now := s.now()
	mine := trainingbooking.HasProviderWith(provider.ID(providerID))
	attended, err := s.Client.TrainingEvent.Query().Where(
		trainingevent.HasBookingsWith(mine, trainingbooking.Attended(true)),
		trainingevent.StartsAtGTE(now.AddDate(-1, 0, 0)), trainingevent.StartsAtLTE(now)).
		Count(sys)
	if err != nil {
		return nil, err
	}
	upcoming, err := s.Client.TrainingBooking.Query().Where(mine, trainingbooking.StatusEQ(trainingbooking.StatusBOOKED),
		trainingbooking.HasEventWith(trainingevent.StartsAtGT(now))).Count(sys)
	if err != nil {
		return nil, err
	}
	sum := &Summary{AttendedLast12Months: attended, UpcomingBookings: upcoming}
	last, err := s.Client.TrainingEvent.Query().
		Where(trainingevent.HasBookingsWith(mine, trainingbooking.Attended(true))).
		Order(ent.Desc(trainingevent.FieldStartsAt)).First(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if last != nil {
		sum.LastAttendedOn = &last.StartsAt
	}
	return sum, nil
}

func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return db.InTx(ctx, s.Client, fn)
}
