package schema

import (
	"entgo.io/ent"

	"github.com/apnet/apnet/internal/access"
)

// Every entity's privacy policy comes from internal/access, where the rules
// are read together. (User, Session, Invitation and AuditEvent declare
// theirs beside their fields.)

func (School) Policy() ent.Policy               { return access.SchoolPolicy() }
func (Provider) Policy() ent.Policy             { return access.ProviderPolicy() }
func (AwardingBody) Policy() ent.Policy         { return access.CataloguePolicy() }
func (Qualification) Policy() ent.Policy        { return access.CataloguePolicy() }
func (Course) Policy() ent.Policy               { return access.CoursePolicy() }
func (Postcode) Policy() ent.Policy             { return access.CataloguePolicy() }
func (Learner) Policy() ent.Policy              { return access.LearnerPolicy() }
func (Placement) Policy() ent.Policy            { return access.PlacementPolicy() }
func (AttendanceMark) Policy() ent.Policy       { return access.AttendanceMarkPolicy() }
func (AttendanceRevision) Policy() ent.Policy   { return access.AttendanceRevisionPolicy() }
func (Alert) Policy() ent.Policy                { return access.AlertPolicy() }
func (Referral) Policy() ent.Policy             { return access.ReferralPolicy() }
func (ReferralTransition) Policy() ent.Policy   { return access.ReferralTransitionPolicy() }
func (Agreement) Policy() ent.Policy            { return access.AgreementPolicy() }
func (ProgressUpdate) Policy() ent.Policy       { return access.ProgressUpdatePolicy() }
func (Document) Policy() ent.Policy             { return access.DocumentPolicy() }
func (Application) Policy() ent.Policy          { return access.ApplicationPolicy() }
func (ChecklistTemplate) Policy() ent.Policy    { return access.ChecklistPolicy() }
func (ChecklistItem) Policy() ent.Policy        { return access.ChecklistPolicy() }
func (ComplianceVisit) Policy() ent.Policy      { return access.ComplianceVisitPolicy() }
func (ComplianceItemResult) Policy() ent.Policy { return access.ComplianceDetailPolicy() }
func (ComplianceAction) Policy() ent.Policy     { return access.ComplianceActionPolicy() }
func (EvaluationVisit) Policy() ent.Policy      { return access.EvaluationVisitPolicy() }
func (QADecision) Policy() ent.Policy           { return access.QADecisionPolicy() }
func (TrainingEvent) Policy() ent.Policy        { return access.TrainingEventPolicy() }
func (TrainingBooking) Policy() ent.Policy      { return access.TrainingBookingPolicy() }
