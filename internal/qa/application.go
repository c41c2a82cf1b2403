package qa

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/application"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/qualification"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/offer"
	"github.com/apnet/apnet/internal/viewer"
)

// NewApplication is what a provider or school submits to join.
type NewApplication struct {
	Kind             application.Kind
	OrganisationName string
	UKPRN, URN       string
	SettingType      *application.SettingType
	ContactName      string
	Email, Phone     string
	Website          string
	Address          string
	Postcode         string
	Description      string
	Courses          []offer.Course
}

// normalize checks an application; its lengths are the API's own
// (internal/server/textlimits.go), so one limit holds whichever speaks first.
func (in NewApplication) normalize() (NewApplication, error) {
	var err error
	if in.OrganisationName, err = required("organisationName", in.OrganisationName, 200); err != nil {
		return in, err
	}
	if in.ContactName, err = ident.PersonName(in.ContactName); err != nil {
		return in, renamed("contactName", err)
	}
	if in.Email, err = ident.OptionalEmail(in.Email); err != nil {
		return in, renamed("email", err)
	}
	if in.Email == "" {
		return in, apierr.Invalid("email", "an email address is needed to reply to the application")
	}
	if in.Website, err = ident.OptionalWebsite(in.Website); err != nil {
		return in, renamed("website", err)
	}
	if in.Phone, err = optional("phone", in.Phone, 50); err != nil {
		return in, err
	}
	if in.Address, err = optional("address", in.Address, 500); err != nil {
		return in, err
	}
	if in.Description, err = optional("description", in.Description, 5000); err != nil {
		return in, err
	}
	if in.Postcode, err = ident.NormalizePostcode(in.Postcode); err != nil {
		return in, renamed("postcode", err)
	}
	switch in.Kind {
	case application.KindSCHOOL:
		if in.URN, err = ident.ValidateURN(in.URN); err != nil {
			return in, renamed("urn", err)
		}
		if in.UKPRN != "" || len(in.Courses) > 0 || in.SettingType != nil {
			return in, apierr.Invalid("kind", "a school registration has no UKPRN, setting type or courses")
		}
	case application.KindPROVIDER:
		if in.UKPRN != "" {
			if in.UKPRN, err = ident.ValidateUKPRN(in.UKPRN); err != nil {
				return in, renamed("ukprn", err)
			}
		}
		if strings.TrimSpace(in.URN) != "" {
			if in.URN, err = ident.ValidateOfstedURN(in.URN); err != nil {
				return in, renamed("urn", err)
			}
		}
		if len(in.Courses) == 0 {
			return in, apierr.Invalid("courses", "say which courses you offer")
		}
		if len(in.Courses) > 50 {
			return in, apierr.Invalid("courses", "at most 50 courses per application")
		}
		if in.Courses, err = offer.Normalize("courses", in.Courses); err != nil {
			return in, err
		}
	default:
		return in, apierr.Invalid("kind", "kind must be PROVIDER or SCHOOL")
	}
	return in, nil
}

// Submit puts an application in the partnership's queue. It needs no
// account: it is written by apnet itself, and throttled per client address.
func (s *Service) Submit(ctx context.Context, in NewApplication) (*ent.Application, error) {
	addr := viewer.FromContext(ctx).Address
	now := s.now()
	if ok, wait := s.limiter().Allow(addr, now); !ok {
		return nil, throttled(wait)
	}
	in, err := in.normalize()
	if err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	if in.Kind == application.KindPROVIDER {
		// A refusal here counts toward the address's allowance too: it says
		// whether an identifier is registered, so it must not be probed at will.
		s.limiter().Fail(addr, now)
		if err := alreadyApplied(sys, s.Client, in.UKPRN, in.URN); err != nil {
			return nil, err
		}
		if err := inCatalogue(sys, s.Client, "courses", in.Courses); err != nil {
			return nil, err
		}
	} else {
		// Only stored applications count toward the address's allowance.
		s.limiter().Fail(addr, now)
	}
	a, err := s.Client.Application.Create().SetKind(in.Kind).SetOrganisationName(in.OrganisationName).
		SetUkprn(in.UKPRN).SetUrn(in.URN).SetNillableSettingType(in.SettingType).
		SetContactName(in.ContactName).SetEmail(in.Email).SetPhone(in.Phone).SetWebsite(in.Website).
		SetAddress(in.Address).SetPostcode(in.Postcode).SetDescription(in.Description).
		SetCourses(in.Courses).SetSubmittedAt(now).Save(sys)
	if err != nil {
		return nil, err
	}
	s.log().Info("application submitted", "application_id", a.ID, "kind", a.Kind)
	return a, nil
}

// sameProvider is the registered provider with UKPRN ukprn or Ofsted URN
// urn (either may be blank), and the identifier that matched, or nil.
func sameProvider(ctx context.Context, c *ent.ProviderClient, ukprn, urn string) (*ent.Provider, string, error) {
	for _, id := range []struct {
		name, value string
		pred        func(string) predicate.Provider
	}{{"UKPRN", ukprn, provider.Ukprn}, {"Ofsted URN", urn, provider.Urn}} {
		if id.value == "" {
			continue
		}
		p, err := c.Query().Where(id.pred(id.value)).Order(ent.Asc(provider.FieldID)).First(ctx)
		if err == nil {
			return p, id.name + " " + id.value, nil
		}
		if !ent.IsNotFound(err) {
			return nil, "", err
		}
	}
	return nil, "", nil
}

// alreadyApplied refuses a provider's application whose UKPRN or Ofsted URN
// is a registered provider's, or another application's still waiting for
// review: one organisation, one provider. The applicant is anonymous, so
// the refusal names no provider and no application.
func alreadyApplied(ctx context.Context, c *ent.Client, ukprn, urn string) error {
	p, which, err := sameProvider(ctx, c.Provider, ukprn, urn)
	if err != nil {
		return err
	}
	if p != nil {
		return &apierr.Error{Code: apierr.Conflict, Field: identField(which),
			Message: fmt.Sprintf("a provider with this %s is already registered with the partnership; contact the partnership instead of applying again", which)}
	}
	for _, id := range []struct {
		name, value string
		pred        func(string) predicate.Application
	}{{"UKPRN", ukprn, application.Ukprn}, {"Ofsted URN", urn, application.Urn}} {
		if id.value == "" {
			continue
		}
		waiting, err := c.Application.Query().Where(application.KindEQ(application.KindPROVIDER),
			application.StatusEQ(application.StatusSUBMITTED), id.pred(id.value)).Exist(ctx)
		if err != nil {
			return err
		}
		if waiting {
			return &apierr.Error{Code: apierr.Conflict, Field: identField(id.name),
				Message: fmt.Sprintf("an application with this %s %s is already waiting for the partnership's review; the partnership will reply to it, so there is no need to apply again", id.name, id.value)}
		}
	}
	return nil
}

// inCatalogue refuses a course whose qualification is not in the
// partnership's catalogue: accepting the application could not create it.
func inCatalogue(ctx context.Context, c *ent.Client, field string, cs []offer.Course) error {
	for i, oc := range cs {
		ok, err := c.Qualification.Query().Where(qualification.Number(oc.QualificationNumber)).Exist(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return apierr.Invalid(fmt.Sprintf("%s[%d].qualificationNumber", field, i),
				"course %d: %s is not in the partnership's qualification catalogue; check the number on the Ofqual register, or ask the partnership to add the qualification",
				i+1, oc.QualificationNumber)
		}
	}
	return nil
}

// identField is the input field of an identifier named by sameProvider.
func identField(which string) string {
	if strings.HasPrefix(which, "UKPRN") {
		return "ukprn"
	}
	return "urn"
}

// reviewable loads a SUBMITTED application in tx, or says why not.
func reviewable(ctx context.Context, tx *ent.Tx, id int) (*ent.Application, error) {
	a, err := tx.Application.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, notFound("application", id)
	}
	if err != nil {
		return nil, err
	}
	if a.Status != application.StatusSUBMITTED {
		return nil, apierr.New(apierr.Conflict, "the application from %s was already %s; only a SUBMITTED application can be accepted or rejected: reload the queue",
			a.OrganisationName, a.Status)
	}
	return a, nil
}

// reviewed is the error of the guarded update that reviews application a:
// no row updated means another reviewer got there first.
func reviewed(a *ent.Application, err error) error {
	if ent.IsNotFound(err) {
		return apierr.New(apierr.Conflict, "the application from %s was reviewed by someone else at the same time; reload the queue to see the outcome",
			a.OrganisationName)
	}
	return err
}

// Accept accepts a SUBMITTED application: a provider's creates the Provider
// (approval PENDING: it still needs its visits and a decision) with its
// courses; a school's creates the School. All in one transaction.
func (s *Service) Accept(ctx context.Context, id int) (*ent.Application, error) {
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		a, err := reviewable(ctx, tx, id)
		if err != nil {
			return err
		}
		u := tx.Application.UpdateOneID(a.ID).Where(application.StatusEQ(application.StatusSUBMITTED)).
			SetStatus(application.StatusACCEPTED).SetReviewedBy(viewer.FromContext(ctx).Actor()).SetReviewedAt(s.now())
		switch a.Kind {
		case application.KindSCHOOL:
			// Schools are registered by partnership admins (createSchool).
			if r := viewer.FromContext(ctx).Role; r != viewer.PartnershipAdmin && r != viewer.System {
				return apierr.New(apierr.Forbidden, "only a partnership admin may accept a school's registration")
			}
			if taken, err := tx.School.Query().Where(school.Urn(a.Urn)).First(viewer.SystemContext(ctx)); err == nil {
				return apierr.New(apierr.Conflict, "a school with URN %s is already registered (%s); reject this application saying so, or correct the URN",
					a.Urn, taken.Name)
			} else if !ent.IsNotFound(err) {
				return err
			}
			sc, err := tx.School.Create().SetUrn(a.Urn).SetName(a.OrganisationName).SetAddress(a.Address).
				SetPostcode(a.Postcode).SetPhone(a.Phone).Save(ctx)
			if err != nil {
				return err
			}
			u.SetSchool(sc)
		case application.KindPROVIDER:
			if taken, which, err := sameProvider(viewer.SystemContext(ctx), tx.Provider, a.Ukprn, a.Urn); err != nil {
				return err
			} else if taken != nil {
				return apierr.New(apierr.Conflict, "a provider with %s is already registered (%s); reject this application saying so, or ask the applicant to correct it",
					which, taken.Name)
			}
			p, err := tx.Provider.Create().SetName(a.OrganisationName).SetDescription(a.Description).
				SetContactName(a.ContactName).SetEmail(a.Email).SetPhone(a.Phone).SetWebsite(a.Website).
				SetAddress(a.Address).SetPostcode(a.Postcode).SetUkprn(a.Ukprn).SetUrn(a.Urn).
				SetApprovalStatus(provider.ApprovalStatusPENDING).Save(ctx)
			if err != nil {
				return err
			}
			for i, c := range a.Courses {
				q, err := tx.Qualification.Query().Where(qualification.Number(c.QualificationNumber)).Only(ctx)
				if ent.IsNotFound(err) {
					return apierr.New(apierr.Conflict, "course %d: qualification %s is not in the catalogue; add it (createQualification or the Ofqual import) before accepting",
						i+1, c.QualificationNumber)
				}
				if err != nil {
					return err
				}
				if err := tx.Course.Create().SetProvider(p).SetQualification(q).SetDeliveryPostcode(c.DeliveryPostcode).
					SetSessions(c.Sessions).SetPlaces(c.Places).SetStartDates([]time.Time{}).Exec(ctx); err != nil {
					return err
				}
			}
			u.SetProvider(p)
		}
		return reviewed(a, u.Exec(ctx))
	})
	if err != nil {
		return nil, err
	}
	return s.Client.Application.Get(ctx, id)
}

// Reject refuses a SUBMITTED application, saying why.
func (s *Service) Reject(ctx context.Context, id int, reason string) (*ent.Application, error) {
	reason, err := required("reason", reason, 2000)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		a, err := reviewable(ctx, tx, id)
		if err != nil {
			return err
		}
		return reviewed(a, tx.Application.UpdateOneID(id).Where(application.StatusEQ(application.StatusSUBMITTED)).
			SetStatus(application.StatusREJECTED).SetRejectionReason(reason).
			SetReviewedBy(viewer.FromContext(ctx).Actor()).SetReviewedAt(s.now()).Exec(ctx))
	})
	if err != nil {
		return nil, err
	}
	return s.Client.Application.Get(ctx, id)
}
