package server

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/password"
)

// textLimit is the most a String input may hold, in characters. verbatim
// exempts it from the control-character rule: a password is compared as
// typed, and refusing one at sign-in could lock its owner out.
type textLimit struct {
	max      int
	verbatim bool
}

// Limits shared by kind of field. Where a domain package already has a
// limit (attendance notes, referral reasons and form, narratives, terms
// version, a person's name), the same number is used here, so the caller
// meets one limit whichever check speaks first.
var (
	personName = textLimit{max: 100} // ident.PersonName
	email      = textLimit{max: 254} // RFC 5321's longest address
	short      = textLimit{max: 200} // titles, names of organisations, short answers
	phone      = textLimit{max: 50}
	postcode   = textLimit{max: 16}
	reference  = textLimit{max: 20} // URN, UKPRN, UPN, academic year, times of day
	code       = textLimit{max: 50} // qualification numbers, acronyms, versions, grades
	url        = textLimit{max: 500}
	address    = textLimit{max: 500}
	reason     = textLimit{max: 2000} // referral.maxReason
	formLong   = textLimit{max: 4000} // referral/form maxLong, progress narratives
	long       = textLimit{max: 5000} // descriptions, evidence, summaries
	report     = textLimit{max: 20000}
	secret     = textLimit{max: password.MaxBytes, verbatim: true}
)

// textLimits holds every String input of every mutation: input object
// fields as "Type.field", scalar arguments as "mutation.argument".
// TestEveryMutationStringHasALimit keeps it complete.
var textLimits = map[string]textLimit{
	"acceptInvitation.password": secret, "acceptInvitation.token": short,
	"login.email": email, "login.password": secret,
	"bookTraining.attendeeName": personName, "bookTraining.attendeeEmail": email,
	"declineReferral.reason": reason, "rejectApplication.reason": reason, "returnReferral.reasons": reason,
	"revokeAgreement.reason": reason, "withdrawReferral.reason": reason,
	"renameDocument.title": short, "UploadDocumentInput.title": short,

	"ChecklistItemInput.code": code, "ChecklistItemInput.text": reason,
	"ComplianceActionInput.description": long, "ComplianceActionInput.ownerName": personName,
	"ComplianceItemInput.evidence":              long,
	"RecordComplianceVisitInput.summary":        long,
	"RecordEvaluationVisitInput.report":         report,
	"RecordQADecisionInput.reason":              reason,
	"CreateAgreementInput.academicYear":         reference,
	"CreateAgreementInput.termsVersion":         code, // referral.CreateAgreement: 50
	"SignAgreementInput.name":                   personName,
	"SignAgreementInput.role":                   short,
	"CreateAwardingBodyInput.acronym":           code,
	"CreateAwardingBodyInput.name":              short,
	"CreateAwardingBodyInput.recognitionNumber": code,
	"UpdateAwardingBodyInput.acronym":           code,
	"UpdateAwardingBodyInput.name":              short,
	"UpdateAwardingBodyInput.recognitionNumber": code,
	"CreateLearnerInput.firstName":              personName, "CreateLearnerInput.lastName": personName,
	"CreateLearnerInput.upn":       reference,
	"UpdateLearnerInput.firstName": personName, "UpdateLearnerInput.lastName": personName,
	"UpdateLearnerInput.upn":          reference,
	"CreateQualificationInput.number": code, "CreateQualificationInput.title": short,
	"CreateQualificationInput.sectorSubjectArea": short, "CreateQualificationInput.type": short,
	"UpdateQualificationInput.number": code, "UpdateQualificationInput.title": short,
	"UpdateQualificationInput.sectorSubjectArea": short, "UpdateQualificationInput.type": short,
	"CreateSchoolInput.name": short, "CreateSchoolInput.address": address, "CreateSchoolInput.phone": phone,
	"CreateSchoolInput.postcode": postcode, "CreateSchoolInput.urn": reference,
	"UpdateSchoolInput.name": short, "UpdateSchoolInput.address": address, "UpdateSchoolInput.phone": phone,
	"UpdateSchoolInput.postcode": postcode, "UpdateSchoolInput.urn": reference,
	"CreateTrainingEventInput.title": short, "CreateTrainingEventInput.description": long,
	"CreateTrainingEventInput.location": short, "CreateTrainingEventInput.topic": short,
	"UpdateTrainingEventInput.title": short, "UpdateTrainingEventInput.description": long,
	"UpdateTrainingEventInput.location": short, "UpdateTrainingEventInput.topic": short,
	"InviteUserInput.email": email, "InviteUserInput.name": personName,

	// Providers: created, updated, or applying.
	"CreateProviderInput.name": short, "CreateProviderInput.contactName": personName,
	"CreateProviderInput.email": email, "CreateProviderInput.phone": phone, "CreateProviderInput.website": url,
	"CreateProviderInput.address": address, "CreateProviderInput.postcode": postcode,
	"CreateProviderInput.ukprn": reference, "CreateProviderInput.urn": reference,
	"CreateProviderInput.description": long,
	"UpdateProviderInput.name":        short, "UpdateProviderInput.contactName": personName,
	"UpdateProviderInput.email": email, "UpdateProviderInput.phone": phone, "UpdateProviderInput.website": url,
	"UpdateProviderInput.address": address, "UpdateProviderInput.postcode": postcode,
	"UpdateProviderInput.ukprn": reference, "UpdateProviderInput.urn": reference,
	"UpdateProviderInput.description":         long,
	"SubmitApplicationInput.organisationName": short, "SubmitApplicationInput.contactName": personName,
	"SubmitApplicationInput.email": email, "SubmitApplicationInput.phone": phone, "SubmitApplicationInput.website": url,
	"SubmitApplicationInput.address": address, "SubmitApplicationInput.postcode": postcode,
	"SubmitApplicationInput.ukprn": reference, "SubmitApplicationInput.urn": reference,
	"SubmitApplicationInput.description":  long,
	"OfferedCourseInput.deliveryPostcode": postcode, "OfferedCourseInput.qualificationNumber": code,
	"WeeklySessionInput.start": reference, "WeeklySessionInput.end": reference,

	// Attendance (attendance.maxNote, maxReason).
	"MarkInput.note": {max: 2000}, "MarkInput.amendmentReason": {max: 500},

	// Placements and progress (referral package).
	"EndPlacementInput.reason": reason, "EndPlacementInput.qualificationGrade": code,
	"PostProgressUpdateInput.academicNarrative": formLong, "PostProgressUpdateInput.englishNarrative": formLong,
	"PostProgressUpdateInput.mathsNarrative": formLong, "PostProgressUpdateInput.personalNarrative": formLong,
	"PreVisitInput.needsIdentified": reason, "PreVisitInput.courseRequirements": reason,

	// The referral form (referral/form: maxShort 200, maxLong 4000).
	"EducationProfileInput.priorAttainment": short, "EducationProfileInput.currentEnglish": short,
	"EducationProfileInput.currentMaths": short, "EducationProfileInput.predictedEnglish": short,
	"EducationProfileInput.predictedMaths": short, "EducationProfileInput.predictedOutcomes": formLong,
	"ExclusionInput.reason":           formLong,
	"ExternalAgencyInput.contactName": short, "ExternalAgencyInput.contactRole": short,
	"ExternalAgencyInput.email": short, "ExternalAgencyInput.phone": short,
	"SendProfileInput.notes":   formLong,
	"ReferralFormInput.reason": formLong, "ReferralFormInput.atRiskNotes": formLong,
	"ReferralFormInput.qualificationsRequired": formLong, "ReferralFormInput.interestsAspirations": formLong,
	"ReferralPreferenceInput.vocationalArea": short,
}

// mutationText refuses a String input of a mutation (an argument of a
// top-level field, or in an input object or list inside one, written in the
// query or sent as a variable) that is longer than its limit in textLimits,
// is not valid UTF-8, or holds a control character other than newline or
// tab (apierr.Text). One place for every mutation; the domain packages keep
// their own checks for callers that are not GraphQL.
func mutationText(in input) *gqlerror.Error {
	s, ok := in.value.(string)
	if !ok || in.def.Name != "String" || in.field.ObjectDefinition == nil || in.field.ObjectDefinition.Name != "Mutation" {
		return nil
	}
	key := in.field.Name + "." + in.arg.Name
	if in.owner != nil {
		key = in.owner.Name + "." + in.name
	}
	limit, ok := textLimits[key]
	if !ok {
		limit = short // unreachable: InputChecks.Validate insists on a limit for each
	}
	path := in.path
	if len(path) > 1 {
		if _, ok := path[1].(ast.PathName); ok {
			path = path[1:] // "title", not "input.title": how apierr names fields elsewhere
		}
	}
	name := path.String()
	var err *apierr.Error
	if limit.verbatim {
		if n := len([]rune(s)); n > limit.max {
			err = apierr.Invalid(name, "%s may be at most %d characters (%d given)", name, limit.max, n)
		}
	} else {
		err = apierr.Text(name, s, limit.max)
	}
	if err == nil {
		return nil
	}
	return refuse(err, ast.Path{ast.PathName(in.field.Alias)})
}

// unlimitedStrings lists the String inputs of mutations that textLimits misses.
func unlimitedStrings(s *ast.Schema) []string {
	if s.Mutation == nil {
		return nil
	}
	var missing []string
	seen := map[string]bool{}
	var walk func(typ *ast.Type, key string)
	walk = func(typ *ast.Type, key string) {
		for typ.Elem != nil {
			typ = typ.Elem
		}
		def := s.Types[typ.NamedType]
		switch {
		case def == nil:
		case def.Kind == ast.Scalar && def.Name == "String":
			if _, ok := textLimits[key]; !ok {
				missing = append(missing, key)
			}
		case def.Kind == ast.InputObject && !seen[def.Name]:
			seen[def.Name] = true
			for _, f := range def.Fields {
				walk(f.Type, def.Name+"."+f.Name)
			}
		}
	}
	for _, f := range s.Mutation.Fields {
		for _, a := range f.Arguments {
			walk(a.Type, f.Name+"."+a.Name)
		}
	}
	return missing
}
