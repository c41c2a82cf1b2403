package catalogue

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/viewer"
)

// Fixtures are written here in the published column layouts, with rows of
// our own (real qualification numbers and schools only where a test names
// them as such).

// ofqualColumns is the Ofqual register's full-dataset qualification export,
// in its published order (Models/FullDataSetCSV/QualificationCSV.cs in
// OfqualGovUK/ofqual-register-frontend).
var ofqualColumns = []string{
	"Qualification Number", "Qualification Title", "Owner Organisation Recognition Number",
	"Owner Organisation Name", "Owner Organisation Acronym", "Qualification Level",
	"Qualification Sub Level", "EQF Level", "Qualification Type", "Total Credits", "Qualification SSA",
	"Qualification Status", "Regulation Start Date", "Operational Start Date", "Operational End Date",
	"Certification End Date", "Minimum Guided Learning Hours", "Maximum Guided Learning Hours",
	"Total Qualification Time", "Guided Learning Hours", "Offered In England", "Offered In Northern Ireland",
	"Overall Grading Type", "Assessment Methods", "NI Discount Code", "GCE Size Equivalence",
	"GCSE Size Equivalence", "Entitlement Framework Designation", "Grading Scale", "Specialism", "Pathways",
	"Approved For DEL Funded Programme", "Link To Specification",
	"Currently and / or will consider offering internationally",
}

// dfeColumns are the first 13 of the 46 columns of the DfE list of
// qualifications approved for funding (the rest are more funding streams).
var dfeColumns = []string{
	"DateOfOfqualDataSnapshot", "QualificationName", "AwardingOrganisation", "QualificationNumber", "Level",
	"QualificationType", "Subcategory", "SectorSubjectArea", "Status", "Age1416_FundingAvailable",
	"Age1416_FundingApprovalStartDate", "Age1416_FundingApprovalEndDate", "Age1416_Notes",
}

// giasColumns are the first 67 of the 139 columns of the Get Information
// about Schools establishment extract (edubasealldata, 2024), through
// TelephoneNum.
var giasColumns = []string{
	"URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
	"TypeOfEstablishment (code)", "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)",
	"EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)",
	"ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
	"ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
	"PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
	"Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
	"OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
	"ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
	"AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity", "SpecialClasses (code)",
	"SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys", "NumberOfGirls", "PercentageFSM",
	"TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)",
	"SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)",
	"Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
	"OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street", "Locality",
	"Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum",
}

// csvFile writes a header and rows (each a map by column name; other cells
// blank) as CSV with the given line ending. quoteAll quotes every cell, as
// GIAS does; otherwise only cells that need it, as the Ofqual and DfE
// exports do.
func csvFile(cols []string, eol string, quoteAll bool, rows ...map[string]string) string {
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			if quoteAll || strings.ContainsAny(c, ",\"\r\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString(eol)
	}
	line(cols)
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = r[c]
		}
		line(cells)
	}
	return b.String()
}

// with returns a copy of row with the given cells changed.
func with(row map[string]string, kv ...string) map[string]string {
	r := maps.Clone(row)
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i]] = kv[i+1]
	}
	return r
}

func sysCtx() context.Context { return viewer.SystemContext(context.Background()) }

// wantSummary checks the counts, and that they add up (skipped rows are
// checked by the tests that skip any).
func wantSummary(t *testing.T, got csvimport.Summary, added, updated, unchanged int, rejects map[string]int) {
	t.Helper()
	if rejects == nil {
		rejects = map[string]int{}
	}
	if got.Added+got.Updated+got.Unchanged != got.Accepted || got.Accepted+got.Rejected+got.Skipped != got.Read {
		t.Fatalf("counts do not add up: %+v", got)
	}
	if got.Added != added || got.Updated != updated || got.Unchanged != unchanged || !maps.Equal(got.Rejects, rejects) {
		t.Fatalf("got added %d, updated %d, unchanged %d, rejects %v\nwant %d, %d, %d, %v",
			got.Added, got.Updated, got.Unchanged, got.Rejects, added, updated, unchanged, rejects)
	}
}

func loadQuals(t *testing.T, c *ent.Client, in string) QualificationSummary {
	t.Helper()
	sum, err := Qualifications(sysCtx(), c, strings.NewReader(in), nil)
	if err != nil {
		t.Fatalf("Qualifications: %v", err)
	}
	return sum
}

func loadSchools(t *testing.T, c *ent.Client, in, la string) csvimport.Summary {
	t.Helper()
	sum, err := Schools(sysCtx(), c, strings.NewReader(in), la, nil)
	if err != nil {
		t.Fatalf("Schools: %v", err)
	}
	return sum
}
