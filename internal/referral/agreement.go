package referral

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// Side is the party an agreement signature is for.
type Side string

const (
	SchoolSide   Side = "SCHOOL"
	ProviderSide Side = "PROVIDER"
)

var academicYearRE = regexp.MustCompile(`^(\d{4})/(\d{2})$`)

// AcademicYear parses "2026/27" into its first and last days: 1 September
// to 31 August.
func AcademicYear(s string) (start, end time.Time, err error) {
	m := academicYearRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return start, end, apierr.Invalid("academicYear", "%q is not an academic year written like 2026/27", s)
	}
	y, _ := strconv.Atoi(m[1])
	next, _ := strconv.Atoi(m[2])
	if next != (y+1)%100 {
		return start, end, apierr.Invalid("academicYear", "%q: the second year must follow the first", s)
	}
	start = time.Date(y, time.September, 1, 0, 0, 0, 0, time.UTC)
	return start, time.Date(y+1, time.August, 31, 0, 0, 0, 0, time.UTC), nil
}

// AcademicYearOf names the academic year a date falls in.
func AcademicYearOf(d time.Time) string {
	y := d.Year()
	if d.Month() < time.September {
		y--
	}
	return fmt.Sprintf("%d/%02d", y, (y+1)%100)
}

// CreateAgreement drafts the SQA of a school and provider for one academic year.
func (s *Service) CreateAgreement(ctx context.Context, schoolID, providerID int, year, terms string) (*ent.Agreement, error) {
	start, end, err := AcademicYear(year)
	if err != nil {
		return nil, err
	}
	terms = strings.TrimSpace(terms)
	if terms == "" || len(terms) > 50 {
		return nil, apierr.Invalid("termsVersion", "give the version of the terms (at most 50 characters)")
	}
	a, err := s.Client.Agreement.Create().SetSchoolID(schoolID).SetProviderID(providerID).
		SetAcademicYear(strings.TrimSpace(year)).SetStartsOn(start).SetEndsOn(end).SetTermsVersion(terms).Save(ctx)
	switch {
	case ent.IsConstraintError(err):
		return nil, apierr.New(apierr.Conflict, "the school and provider already have an agreement for %s", year)
	case err != nil:
		return nil, err
	}
	return a, nil
}

// Sign records one side's signature: by that side's own staff, or by a
// partnership admin for either side (a signature received on paper).
func (s *Service) Sign(ctx context.Context, id int, side Side, name, role string) (*ent.Agreement, error) {
	name, role = strings.TrimSpace(name), strings.TrimSpace(role)
	if name == "" || role == "" || len(name) > 200 || len(role) > 200 {
		return nil, apierr.Invalid("name", "a signature needs the signatory's name and role")
	}
	v := viewer.FromContext(ctx)
	switch {
	case v.Role == viewer.SchoolStaff && side != SchoolSide, v.Role == viewer.ProviderStaff && side != ProviderSide:
		return nil, apierr.New(apierr.Forbidden, "you may sign only your own side of an agreement")
	case side != SchoolSide && side != ProviderSide:
		return nil, apierr.Invalid("side", "%q is not SCHOOL or PROVIDER", side)
	}
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		a, err := tx.Agreement.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apierr.New(apierr.NotFound, "agreement %d not found", id)
		}
		if err != nil {
			return err
		}
		if a.Status != agreement.StatusDRAFT && a.Status != agreement.StatusSIGNED_BY_ONE {
			return apierr.New(apierr.Conflict, "agreement %d is %s; only a DRAFT or SIGNED_BY_ONE agreement can be signed", id, a.Status)
		}
		if timetable.Day(s.now()).After(a.EndsOn) {
			return apierr.New(apierr.Conflict, "agreement %d is for %s, which has ended", id, a.AcademicYear)
		}
		now := s.now()
		u := tx.Agreement.Update().Where(agreement.ID(id), agreement.StatusEQ(a.Status))
		other := a.ProviderSignedAt != nil
		if side == SchoolSide {
			if a.SchoolSignedAt != nil {
				return apierr.New(apierr.Conflict, "agreement %d is already signed for the school by %s", id, *a.SchoolSignatoryName)
			}
			u.SetSchoolSignatoryName(name).SetSchoolSignatoryRole(role).SetSchoolSignedAt(now)
		} else {
			if a.ProviderSignedAt != nil {
				return apierr.New(apierr.Conflict, "agreement %d is already signed for the provider by %s", id, *a.ProviderSignatoryName)
			}
			other = a.SchoolSignedAt != nil
			u.SetProviderSignatoryName(name).SetProviderSignatoryRole(role).SetProviderSignedAt(now)
		}
		if other {
			u.SetStatus(agreement.StatusACTIVE)
		} else {
			u.SetStatus(agreement.StatusSIGNED_BY_ONE)
		}
		n, err := u.Save(ctx)
		if err == nil && n == 0 {
			return apierr.New(apierr.Conflict, "agreement %d was changed by someone else meanwhile; reload it", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Client.Agreement.Get(ctx, id)
}

// Revoke ends an agreement early.
func (s *Service) Revoke(ctx context.Context, id int, reason string) (*ent.Agreement, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReason {
		return nil, apierr.Invalid("reason", "say why the agreement is revoked (at most %d characters)", maxReason)
	}
	a, err := s.Client.Agreement.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "agreement %d not found", id)
	}
	if err != nil {
		return nil, err
	}
	if a.Status == agreement.StatusREVOKED || a.Status == agreement.StatusEXPIRED {
		return nil, apierr.New(apierr.Conflict, "agreement %d is already %s", id, a.Status)
	}
	n, err := s.Client.Agreement.Update().Where(agreement.ID(id), agreement.StatusEQ(a.Status)).
		SetStatus(agreement.StatusREVOKED).SetRevokedAt(s.now()).SetRevokedReason(reason).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apierr.New(apierr.Conflict, "agreement %d was changed by someone else meanwhile; reload it", id)
	}
	return s.Client.Agreement.Get(ctx, id)
}

// ExpireAgreements marks ACTIVE agreements whose academic year has ended as
// EXPIRED, and returns how many. Coverage checks never rely on it: they
// compare dates.
func (s *Service) ExpireAgreements(ctx context.Context) (int, error) {
	return s.Client.Agreement.Update().
		Where(agreement.StatusEQ(agreement.StatusACTIVE), agreement.EndsOnLT(timetable.Day(s.now()))).
		SetStatus(agreement.StatusEXPIRED).Save(viewer.SystemContext(ctx))
}
