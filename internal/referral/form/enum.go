package form

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/apnet/apnet/internal/apierr"
)

// The form's enumerations. Each is a string type that writes and reads
// itself as a GraphQL enum value, so the same Go types serve the stored
// JSON, the GraphQL output types and the GraphQL inputs.

// SENProvision is the learner's SEN provision.
type SENProvision string

const (
	NoSEN      SENProvision = "NONE"
	SENSupport SENProvision = "SEN_SUPPORT"
	EHCP       SENProvision = "EHCP"
)

// SENProvisions lists the valid values.
var SENProvisions = []SENProvision{NoSEN, SENSupport, EHCP}

// SENType is a DfE SEN type-of-need code.
type SENType string

// The DfE SEN type codes (school census).
const (
	SPLD SENType = "SPLD" // specific learning difficulty
	MLD  SENType = "MLD"  // moderate learning difficulty
	SLD  SENType = "SLD"  // severe learning difficulty
	PMLD SENType = "PMLD" // profound and multiple learning difficulty
	SEMH SENType = "SEMH" // social, emotional and mental health
	SLCN SENType = "SLCN" // speech, language and communication needs
	HI   SENType = "HI"   // hearing impairment
	VI   SENType = "VI"   // visual impairment
	MSI  SENType = "MSI"  // multi-sensory impairment
	PD   SENType = "PD"   // physical disability
	ASD  SENType = "ASD"  // autistic spectrum disorder
	OTH  SENType = "OTH"  // other difficulty or disability
	NSA  SENType = "NSA"  // SEN support but no specialist assessment of type of need
)

// SENTypes lists the valid codes.
var SENTypes = []SENType{SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, OTH, NSA}

// ExclusionKind is a suspension (fixed period) or a permanent exclusion.
type ExclusionKind string

const (
	Suspension ExclusionKind = "SUSPENSION"
	Permanent  ExclusionKind = "PERMANENT"
)

// ExclusionKinds lists the valid values.
var ExclusionKinds = []ExclusionKind{Suspension, Permanent}

// AgencyKind is an external agency involved with the learner.
type AgencyKind string

const (
	SocialCare            AgencyKind = "SOCIAL_CARE"
	EarlyHelp             AgencyKind = "EARLY_HELP"
	CAMHS                 AgencyKind = "CAMHS"
	YouthJustice          AgencyKind = "YOUTH_JUSTICE"
	Police                AgencyKind = "POLICE"
	EducationalPsychology AgencyKind = "EDUCATIONAL_PSYCHOLOGY"
	OtherAgency           AgencyKind = "OTHER"
)

// AgencyKinds lists the valid values.
var AgencyKinds = []AgencyKind{SocialCare, EarlyHelp, CAMHS, YouthJustice, Police, EducationalPsychology, OtherAgency}

// RiskIndicator is an at-risk indicator beyond the other sections.
type RiskIndicator string

const (
	CriminalExploitation RiskIndicator = "CRIMINAL_EXPLOITATION"
	SexualExploitation   RiskIndicator = "SEXUAL_EXPLOITATION"
	SubstanceMisuse      RiskIndicator = "SUBSTANCE_MISUSE"
	RiskOfNEET           RiskIndicator = "RISK_OF_NEET"
	OtherRisk            RiskIndicator = "OTHER"
)

// RiskIndicators lists the valid values.
var RiskIndicators = []RiskIndicator{CriminalExploitation, SexualExploitation, SubstanceMisuse, RiskOfNEET, OtherRisk}

func marshalEnum[T ~string](w io.Writer, v T) { _, _ = io.WriteString(w, strconv.Quote(string(v))) }

func unmarshalEnum[T ~string](v any, valid []T, what string) (T, error) {
	s, _ := v.(string)
	if slices.Contains(valid, T(s)) {
		return T(s), nil
	}
	return "", apierr.Invalid(what, "%v is not a valid %s", v, what)
}

func checkEnum[T ~string](v T, valid []T, field string) error {
	if !slices.Contains(valid, v) {
		return apierr.Invalid(field, "%q is not one of %v", string(v), fmt.Sprint(valid))
	}
	return nil
}

func (v SENProvision) MarshalGQL(w io.Writer) { marshalEnum(w, v) }
func (v *SENProvision) UnmarshalGQL(a any) (err error) {
	*v, err = unmarshalEnum(a, SENProvisions, "SEN provision")
	return err
}
func (v SENType) MarshalGQL(w io.Writer) { marshalEnum(w, v) }
func (v *SENType) UnmarshalGQL(a any) (err error) {
	*v, err = unmarshalEnum(a, SENTypes, "SEN type code")
	return err
}
func (v ExclusionKind) MarshalGQL(w io.Writer) { marshalEnum(w, v) }
func (v *ExclusionKind) UnmarshalGQL(a any) (err error) {
	*v, err = unmarshalEnum(a, ExclusionKinds, "exclusion kind")
	return err
}
func (v AgencyKind) MarshalGQL(w io.Writer) { marshalEnum(w, v) }
func (v *AgencyKind) UnmarshalGQL(a any) (err error) {
	*v, err = unmarshalEnum(a, AgencyKinds, "agency kind")
	return err
}
func (v RiskIndicator) MarshalGQL(w io.Writer) { marshalEnum(w, v) }
func (v *RiskIndicator) UnmarshalGQL(a any) (err error) {
	*v, err = unmarshalEnum(a, RiskIndicators, "at-risk indicator")
	return err
}
