package access

import (
	"errors"

	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/viewer"
)

// Who may call each GraphQL operation at all, by root field. Rows within an
// allowed operation are then limited by the entity policies. An operation
// missing here is refused for everyone, so a new one stays closed until it
// is given a rule (and the authorisation matrix test says so).
var (
	public      = []viewer.Role{""}
	signedIn    = []viewer.Role{viewer.PartnershipAdmin, viewer.QAOfficer, viewer.SchoolStaff, viewer.ProviderStaff}
	partnership = []viewer.Role{viewer.PartnershipAdmin, viewer.QAOfficer}
	adminOnly   = []viewer.Role{viewer.PartnershipAdmin}
)

// Operations maps "Type.field" to the roles allowed to call it; a role of ""
// means anyone, signed in or not.
var Operations = map[string][]viewer.Role{
	"Query.node":            signedIn,
	"Query.nodes":           signedIn,
	"Query.me":              signedIn,
	"Query.schools":         signedIn,
	"Query.providers":       signedIn,
	"Query.courses":         signedIn,
	"Query.qualifications":  signedIn,
	"Query.awardingBodies":  signedIn,
	"Query.searchProviders": signedIn,
	"Query.learners":        signedIn,
	"Query.placements":      signedIn,
	"Query.attendanceMarks": signedIn,
	"Query.alerts":          signedIn,
	"Query.users":           adminOnly,
	"Query.auditEvents":     adminOnly,
	"Query.referrals":       signedIn,
	"Query.agreements":      signedIn,
	"Query.progressUpdates": signedIn,
	"Query.documents":       partnership,
	"Query.resources":       signedIn,
	"Query.trainingEvents":  signedIn,

	"Mutation.login":               public,
	"Mutation.acceptInvitation":    public,
	"Mutation.logout":              signedIn,
	"Mutation.inviteUser":          adminOnly,
	"Mutation.deactivateUser":      adminOnly,
	"Mutation.reinviteUser":        adminOnly,
	"Mutation.changeUserRole":      adminOnly,
	"Mutation.recordAttendance":    {viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.recordRegister":      {viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.acknowledgeAlert":    {viewer.SchoolStaff, viewer.PartnershipAdmin},
	"Mutation.createSchool":        adminOnly,
	"Mutation.updateSchool":        adminOnly,
	"Mutation.createProvider":      partnership,
	"Mutation.updateProvider":      partnership,
	"Mutation.createAwardingBody":  partnership,
	"Mutation.updateAwardingBody":  partnership,
	"Mutation.createQualification": partnership,
	"Mutation.updateQualification": partnership,
	"Mutation.createLearner":       {viewer.SchoolStaff, viewer.PartnershipAdmin},
	"Mutation.updateLearner":       {viewer.SchoolStaff, viewer.PartnershipAdmin},

	// The referral lifecycle: each step by the side whose step it is.
	"Mutation.createReferral":   {viewer.SchoolStaff, viewer.PartnershipAdmin},
	"Mutation.updateReferral":   {viewer.SchoolStaff, viewer.PartnershipAdmin},
	"Mutation.submitReferral":   {viewer.SchoolStaff, viewer.PartnershipAdmin},
	"Mutation.returnReferral":   partnership,
	"Mutation.checkReferral":    partnership,
	"Mutation.forwardReferral":  partnership,
	"Mutation.acceptReferral":   {viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.declineReferral":  {viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.recordPreVisit":   {viewer.ProviderStaff, viewer.SchoolStaff, viewer.PartnershipAdmin},
	"Mutation.withdrawReferral": {viewer.SchoolStaff, viewer.PartnershipAdmin, viewer.QAOfficer},

	"Mutation.createAgreement": partnership,
	"Mutation.signAgreement":   {viewer.SchoolStaff, viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.revokeAgreement": partnership,

	"Mutation.createPlacement":    adminOnly,
	"Mutation.startPlacement":     {viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.endPlacement":       {viewer.ProviderStaff, viewer.PartnershipAdmin},
	"Mutation.postProgressUpdate": {viewer.ProviderStaff, viewer.PartnershipAdmin},

	// Documents: the partnership uploads; the Document policy decides who reads.
	"Mutation.uploadDocument": partnership,
	"Mutation.renameDocument": partnership,
	"Mutation.deleteDocument": adminOnly,

	// Training: the partnership runs events and records attendance; providers book their staff.
	"Mutation.createTrainingEvent":      partnership,
	"Mutation.updateTrainingEvent":      partnership,
	"Mutation.bookTraining":             {viewer.ProviderStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
	"Mutation.cancelTrainingBooking":    {viewer.ProviderStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
	"Mutation.recordTrainingAttendance": partnership,
	// Quality assurance (internal/qa). Applying needs no account; the
	// queue, the checklist, visits and decisions are the partnership's.
	"Query.applications":                    partnership,
	"Query.qaWorklist":                      partnership,
	"Query.checklistTemplates":              signedIn,
	"Query.currentChecklist":                signedIn,
	"Mutation.submitApplication":            public,
	"Mutation.acceptApplication":            partnership,
	"Mutation.rejectApplication":            partnership,
	"Mutation.publishChecklist":             partnership,
	"Mutation.recordComplianceVisit":        partnership,
	"Mutation.completeComplianceAction":     partnership,
	"Mutation.recordEvaluationVisit":        partnership,
	"Mutation.replaceComplianceVisitReport": partnership,
	"Mutation.replaceEvaluationVisitReport": partnership,
	"Mutation.recordQADecision":             partnership,

	"Subscription.attendanceRecorded":    {viewer.SchoolStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
	"Subscription.alertRaised":           {viewer.SchoolStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
	"Subscription.referralStatusChanged": {viewer.SchoolStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
	"Subscription.progressPosted":        {viewer.SchoolStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
	"Subscription.referralForwarded":     {viewer.ProviderStaff, viewer.PartnershipAdmin, viewer.QAOfficer},
}

// CheckOperation says whether v may call the root field op ("Mutation.login").
func CheckOperation(v viewer.Viewer, op string) error {
	roles, known := Operations[op]
	for _, r := range roles {
		if r == "" || r == v.Role || v.Role == viewer.System {
			return nil
		}
	}
	switch {
	case !known:
		return apierr.New(apierr.Forbidden, "%s has no access rule, so nobody may call it", op)
	case !v.Authenticated():
		return apierr.New(apierr.Unauthenticated, "sign in to use %s", op)
	}
	return apierr.New(apierr.Forbidden, "your role (%s) may not use %s", v.Role, op)
}

// CanWatchSchool says whether v may follow a school's live events: its own
// designated staff and the partnership.
func CanWatchSchool(v viewer.Viewer, schoolID int) error {
	switch {
	case v.Role == viewer.System, v.Partnership():
		return nil
	case v.Role == viewer.SchoolStaff && v.SchoolID == schoolID:
		return nil
	}
	return apierr.New(apierr.Forbidden, "you may only follow your own school's events")
}

// IsDenied reports whether err is an entity policy's refusal (a write to
// another tenant's rows, a record type the role may not read): the caller's
// FORBIDDEN, not an internal error.
func IsDenied(err error) bool { return errors.Is(err, privacy.Deny) }
