package qa

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/checklistitem"
	"github.com/apnet/apnet/ent/checklisttemplate"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/viewer"
)

// ItemSpec is one question of a checklist version.
type ItemSpec struct {
	Area checklistitem.Area
	Code string
	Text string
	// NotApplicableAllowed: the item may be answered NOT_APPLICABLE. False
	// for the essentials every provider must have, whatever it does.
	NotApplicableAllowed bool
}

// Essentials are the default checklist's items that can never be not
// applicable to a provider with learners on site: the designated
// safeguarding lead, safeguarding training, DBS checks and the single
// central record, the safeguarding policy, risk assessment, fire safety,
// first aid and public liability insurance. (Employer's liability insurance
// may be: a sole trader with no employees need not hold it.)
func Essentials() []string {
	var out []string
	for _, it := range DefaultChecklist {
		if !it.NotApplicableAllowed {
			out = append(out, it.Code)
		}
	}
	return out
}

// DefaultChecklist is version 1 of the compliance visit checklist, grouped
// under the four areas of the DfE's national standards for non-school AP
// (DOMAIN.md, quality). A fresh database gets it when migrated, so a
// partnership can visit before it has edited anything.
var DefaultChecklist = []ItemSpec{
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-DSL", "A named designated safeguarding lead (and deputy) with up-to-date DSL training", false},
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-TRAINING", "All staff have had safeguarding training within the last year, including Keeping Children Safe in Education part 1", false},
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-DBS", "Enhanced DBS checks (with barred list) for every member of staff and volunteer working with learners", false},
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-SCR", "A single central record of recruitment checks, kept up to date", false},
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-POLICY", "A child protection and safeguarding policy, reviewed within the last year", false},
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-PREVENT", "A Prevent duty policy, with staff trained to recognise radicalisation", true},
	{checklistitem.AreaSAFEGUARDING_AND_WELFARE, "SG-ATTENDANCE", "Absences are reported to the home school on the day, through apnet", true},
	{checklistitem.AreaHEALTH_AND_SAFETY, "HS-RISK", "Risk assessments for the premises and for each activity learners do", false},
	{checklistitem.AreaHEALTH_AND_SAFETY, "HS-FIRE", "Fire safety: a fire risk assessment, alarms and extinguishers checked, drills held and logged", false},
	{checklistitem.AreaHEALTH_AND_SAFETY, "HS-FIRSTAID", "A trained first aider on site whenever learners are, and a stocked first aid kit", false},
	{checklistitem.AreaHEALTH_AND_SAFETY, "HS-EL-INSURANCE", "Employer's liability insurance in date", true},
	{checklistitem.AreaHEALTH_AND_SAFETY, "HS-PL-INSURANCE", "Public liability insurance in date", false},
	{checklistitem.AreaADMISSIONS_AND_SUPPORT, "AS-INDEPENDENT-SCHOOL", "Registration as an independent school is not required: the setting does not educate full time five or more pupils of compulsory school age, or one looked-after pupil or one with an EHC plan (or it is registered)", true},
	{checklistitem.AreaADMISSIONS_AND_SUPPORT, "AS-INDUCTION", "An induction for each new learner, with the home school's information on needs and risks", true},
	{checklistitem.AreaADMISSIONS_AND_SUPPORT, "AS-SEND", "Support for learners with SEND, following the learner's plan where there is one", true},
	{checklistitem.AreaQUALITY_OF_EDUCATION, "QE-CURRICULUM", "A planned curriculum leading to the qualifications offered, including English and maths where agreed", true},
	{checklistitem.AreaQUALITY_OF_EDUCATION, "QE-PROGRESS", "Progress and attendance are recorded in apnet and shared with the home school", true},
	{checklistitem.AreaQUALITY_OF_EDUCATION, "QE-STAFF", "Teaching staff are qualified or experienced in the subjects they teach", true},
}

// EnsureDefaultChecklist publishes DefaultChecklist as version 1 when no
// version exists yet. It is safe to run at every start.
func EnsureDefaultChecklist(ctx context.Context, c *ent.Client) error {
	sys := viewer.SystemContext(ctx)
	exists, err := c.ChecklistTemplate.Query().Exist(sys)
	if err != nil {
		return err
	}
	if exists {
		return markEssentials(sys, c)
	}
	tx, err := c.Tx(sys)
	if errors.Is(err, ent.ErrTxStarted) {
		// Already inside the caller's transaction (the demo seed).
		_, err = publish(sys, c, 1, "system", DefaultChecklist)
		return err
	}
	if err != nil {
		return err
	}
	if _, err := publish(sys, tx.Client(), 1, "system", DefaultChecklist); err != nil {
		_ = tx.Rollback()
		if ent.IsConstraintError(err) {
			return nil // another replica published it first
		}
		return err
	}
	return tx.Commit()
}

// markEssentials refuses NOT_APPLICABLE for the essentials of the version 1
// apnet published itself, in a database migrated before items had the
// flag (the new column defaults to allowed). Only that flag of the default
// version changes, to what DefaultChecklist always meant; the questions,
// answers and versions the partnership published stay as they were.
func markEssentials(ctx context.Context, c *ent.Client) error {
	return c.ChecklistItem.Update().Where(checklistitem.HasTemplateWith(checklisttemplate.Version(1), checklisttemplate.CreatedBy("system")),
		checklistitem.CodeIn(Essentials()...), checklistitem.NotApplicableAllowed(true)).
		SetNotApplicableAllowed(false).Exec(privacy.DecisionContext(ctx, privacy.Allow))
}

// publish writes version v with items; c may be a transaction's client.
func publish(ctx context.Context, c *ent.Client, v int, by string, items []ItemSpec) (*ent.ChecklistTemplate, error) {
	t, err := c.ChecklistTemplate.Create().SetVersion(v).SetPublishedAt(timeNow()).SetCreatedBy(by).Save(ctx)
	if err != nil {
		return nil, err
	}
	bulk := make([]*ent.ChecklistItemCreate, len(items))
	for i, it := range items {
		bulk[i] = c.ChecklistItem.Create().SetTemplate(t).SetArea(it.Area).SetCode(it.Code).SetText(it.Text).SetPosition(i + 1).
			SetNotApplicableAllowed(it.NotApplicableAllowed)
	}
	if err := c.ChecklistItem.CreateBulk(bulk...).Exec(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// CurrentChecklist is the latest published version.
func (s *Service) CurrentChecklist(ctx context.Context) (*ent.ChecklistTemplate, error) {
	t, err := s.Client.ChecklistTemplate.Query().Order(ent.Desc(checklisttemplate.FieldVersion)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return t, err
}

// PublishChecklist publishes a new version: the partnership edits the
// checklist by sending the whole new list (the current items copied and
// changed). Earlier versions stay as they were, with their visits. Every
// version keeps the Essentials, under their codes and never answerable
// NOT_APPLICABLE: a version without the safeguarding lead or DBS checks
// would pass providers on visits that never asked about them.
func (s *Service) PublishChecklist(ctx context.Context, items []ItemSpec) (*ent.ChecklistTemplate, error) {
	if len(items) == 0 {
		return nil, apierr.Invalid("items", "a checklist needs at least one item")
	}
	essential := map[string]bool{}
	for _, code := range Essentials() {
		essential[code] = true
	}
	seen := map[string]bool{}
	for i := range items {
		at := fmt.Sprintf("items[%d]", i)
		var err error
		if items[i].Code, err = required(at+".code", items[i].Code, 40); err != nil {
			return nil, err
		}
		if items[i].Text, err = required(at+".text", items[i].Text, 1000); err != nil {
			return nil, err
		}
		if seen[items[i].Code] {
			return nil, apierr.Invalid(at+".code", "code %s appears twice", items[i].Code)
		}
		seen[items[i].Code] = true
		if checklistitem.AreaValidator(items[i].Area) != nil {
			return nil, apierr.Invalid(at+".area", "unknown area %q", items[i].Area)
		}
		if essential[items[i].Code] && items[i].NotApplicableAllowed {
			return nil, apierr.Invalid(at+".notApplicableAllowed", "item %s is essential: every provider must meet it, so it cannot be answered not applicable", items[i].Code)
		}
	}
	var missing []string
	for _, code := range Essentials() {
		if !seen[code] {
			missing = append(missing, code)
		}
	}
	if len(missing) > 0 {
		return nil, apierr.Invalid("items", "a new version must keep the essential items every provider must meet (version 1's items that cannot be not applicable); missing: %s",
			strings.Join(missing, ", "))
	}
	var t *ent.ChecklistTemplate
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		latest, err := tx.ChecklistTemplate.Query().Order(ent.Desc(checklisttemplate.FieldVersion)).First(ctx)
		next := 1
		switch {
		case err == nil:
			next = latest.Version + 1
		case !ent.IsNotFound(err):
			return err
		}
		t, err = publish(ctx, tx.Client(), next, viewer.FromContext(ctx).Actor(), items)
		if ent.IsConstraintError(err) {
			return apierr.New(apierr.Conflict, "version %d was published at the same time; reload and try again", next)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Client.ChecklistTemplate.Get(ctx, t.ID)
}
