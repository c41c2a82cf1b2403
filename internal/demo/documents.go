package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/complianceitemresult"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/docstore"
)

// DocumentsSummary counts what SeedDocumentsAndTraining wrote.
type DocumentsSummary struct {
	Documents, TrainingEvents, TrainingBookings int
}

// SeedDocumentsAndTraining adds the resources library, QA reports for the
// first providers by name with active placements, and training events (two past with
// attendance recorded, two to come with bookings). The files are generated
// here and written through the store, like uploads. Call it as the system,
// after Seed.
func SeedDocumentsAndTraining(ctx context.Context, client *ent.Client, store docstore.Store, now time.Time) (DocumentsSummary, error) {
	var sum DocumentsSummary
	// The providers the demo provider accounts belong to (SeedAccounts) come first.
	providers, err := client.Provider.Query().
		Where(provider.HasCoursesWith(course.HasPlacementsWith(placement.StatusEQ(placement.StatusACTIVE)))).
		Order(ent.Asc(provider.FieldName)).Limit(3).All(ctx)
	if err != nil {
		return sum, err
	}
	type file struct {
		title, filename string
		category        document.Category
		provider        *ent.Provider
		body            []byte
		uploaded        time.Time
		link            func(docID int) error // links a QA report to its visit
	}
	files := []file{
		{"The quality assurance process", "qa-process.pdf", document.CategoryQA_PROCESS, nil,
			pdf("The quality assurance process", "Each provider has a compliance visit and a quality evaluation visit every year.",
				"The QA Management Group then recommends approval."), time.Time{}, nil},
		{"Using the attendance system", "data-system-guide.txt", document.CategoryDATA_SYSTEM_GUIDE, nil,
			[]byte("Mark each session within 30 minutes of its start.\nAn absence with no reason raises an alert at the learner's school.\n"), time.Time{}, nil},
		{"Progression routes after Year 11", "progression.pdf", document.CategoryPROGRESSION, nil,
			pdf("Progression routes", "Further education, training and apprenticeships."), time.Time{}, nil},
		{"Training calendar", "training-calendar.csv", document.CategoryTRAINING_EVENTS, nil,
			[]byte("event,month\nSafeguarding refresher,September\nTeaching English and maths,January\n"), time.Time{}, nil},
	}
	// Each of these providers' visits (Seed wrote them) gets its report file,
	// linked to the visit as the QA officer's upload would be.
	for _, p := range providers {
		cvs, err := client.ComplianceVisit.Query().Where(compliancevisit.HasProviderWith(provider.ID(p.ID))).
			WithResults(func(q *ent.ComplianceItemResultQuery) {
				q.Where(complianceitemresult.OutcomeEQ(complianceitemresult.OutcomeNOT_MET)).WithItem()
			}).Order(ent.Asc(compliancevisit.FieldVisitedOn)).All(ctx)
		if err != nil {
			return sum, err
		}
		for _, v := range cvs {
			lines := []string{"Visited " + v.VisitedOn.Format("2 January 2006") + ".", "Overall: " + label(string(v.Overall)) + "."}
			for _, r := range v.Edges.Results {
				lines = append(lines, "Not met: "+r.Edges.Item.Text)
			}
			if len(v.Edges.Results) == 0 {
				lines = append(lines, "Every item of the checklist was met.")
			}
			id := v.ID
			files = append(files, file{"Compliance visit report", "compliance-visit-" + v.VisitedOn.Format("2006-01-02") + ".pdf",
				document.CategoryCOMPLIANCE_REPORT, p, pdf("Compliance visit: "+p.Name, lines...), v.RecordedAt,
				func(docID int) error {
					return client.ComplianceVisit.UpdateOneID(id).SetReportDocumentID(docID).Exec(ctx)
				}})
		}
		evs, err := client.EvaluationVisit.Query().Where(evaluationvisit.HasProviderWith(provider.ID(p.ID))).
			Order(ent.Asc(evaluationvisit.FieldVisitedOn)).All(ctx)
		if err != nil {
			return sum, err
		}
		for _, v := range evs {
			id := v.ID
			lines := append([]string{"Visited " + v.VisitedOn.Format("2 January 2006") + ".",
				"Overall: " + label(string(v.OverallGrade)) + "."}, wrap(v.Report, 90)...)
			files = append(files, file{"Quality evaluation visit report", "evaluation-visit-" + v.VisitedOn.Format("2006-01-02") + ".pdf",
				document.CategoryEVALUATION_REPORT, p, pdf("Evaluation visit: "+p.Name, lines...), v.RecordedAt,
				func(docID int) error {
					return client.EvaluationVisit.UpdateOneID(id).SetReportDocumentID(docID).Exec(ctx)
				}})
		}
	}
	for _, f := range files {
		key, sha, size, err := store.Put(ctx, bytes.NewReader(f.body))
		if err != nil {
			return sum, err
		}
		ct := "application/pdf"
		switch {
		case strings.HasSuffix(f.filename, ".txt"):
			ct = "text/plain; charset=utf-8"
		case strings.HasSuffix(f.filename, ".csv"):
			ct = "text/csv; charset=utf-8"
		}
		uploaded := f.uploaded
		if uploaded.IsZero() || uploaded.After(now) {
			uploaded = now.AddDate(0, -1, 0)
		}
		c := client.Document.Create().SetTitle(f.title).SetFilename(f.filename).SetContentType(ct).
			SetSize(size).SetSha256(sha).SetStorageKey(key).SetCategory(f.category).
			SetUploadedBy("system").SetUploadedAt(uploaded)
		if f.provider != nil {
			c.SetProvider(f.provider)
		}
		doc, err := c.Save(ctx)
		if err != nil {
			return sum, err
		}
		if f.link != nil {
			if err := f.link(doc.ID); err != nil {
				return sum, err
			}
		}
		sum.Documents++
	}

	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	events := []struct {
		title, topic string
		offsetDays   int
		capacity     int
	}{
		{"Safeguarding refresher", "safeguarding", -60, 20},
		{"Recording attendance and progress", "data system", -20, 15},
		{"Teaching English and maths in vocational courses", "teaching and learning", 14, 12},
		{"Preparing for the evaluation visit", "quality assurance", 35, 2},
	}
	for _, e := range events {
		starts := day.AddDate(0, 0, e.offsetDays).Add(13 * time.Hour)
		ev, err := client.TrainingEvent.Create().SetTitle(e.title).SetTopic(e.topic).
			SetDescription("A partnership course for provider staff.").SetLocation("Partnership office, Nottingham").
			SetStartsAt(starts).SetEndsAt(starts.Add(3 * time.Hour)).SetCapacity(e.capacity).
			SetCreatedBy("system").SetCreatedAt(now.AddDate(0, 0, -90)).Save(ctx)
		if err != nil {
			return sum, err
		}
		sum.TrainingEvents++
		for i, p := range providers {
			if i >= 2 || (e.capacity == 2 && i > 0) {
				break
			}
			b := client.TrainingBooking.Create().SetEvent(ev).SetProvider(p).
				SetAttendeeName(fmt.Sprintf("Staff member %d", i+1)).
				SetAttendeeEmail(fmt.Sprintf("staff%d@provider%d.example", i+1, p.ID)).
				SetBookedBy("system").SetBookedAt(starts.AddDate(0, 0, -21))
			if starts.Before(now) {
				b.SetAttended(i == 0 || e.offsetDays < -30).SetAttendanceRecordedAt(starts.Add(4 * time.Hour))
			}
			if err := b.Exec(ctx); err != nil {
				return sum, err
			}
			sum.TrainingBookings++
		}
	}
	return sum, nil
}

// label writes an enum value as words: NOT_COMPLIANT is "Not compliant".
func label(v string) string {
	s := strings.ToLower(strings.ReplaceAll(v, "_", " "))
	return strings.ToUpper(s[:1]) + s[1:]
}

// wrap breaks text into lines of at most width bytes at spaces, so a
// paragraph fits the page pdf draws.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// pdf writes a one-page PDF with a heading and lines of text: enough for a
// viewer to open, built here so the demo carries no binary files.
func pdf(heading string, lines ...string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	var content strings.Builder
	content.WriteString("BT /F1 18 Tf 72 760 Td (" + esc.Replace(heading) + ") Tj /F1 11 Tf")
	for _, l := range lines {
		content.WriteString(" 0 -24 Td (" + esc.Replace(l) + ") Tj")
	}
	content.WriteString(" ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
