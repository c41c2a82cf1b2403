package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/document"
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
	}
	files := []file{
		{"The quality assurance process", "qa-process.pdf", document.CategoryQA_PROCESS, nil,
			pdf("The quality assurance process", "Each provider has a compliance visit and a quality evaluation visit every year.",
				"The QA Management Group then recommends approval.")},
		{"Using the attendance system", "data-system-guide.txt", document.CategoryDATA_SYSTEM_GUIDE, nil,
			[]byte("Mark each session within 30 minutes of its start.\nAn absence with no reason raises an alert at the learner's school.\n")},
		{"Progression routes after Year 11", "progression.pdf", document.CategoryPROGRESSION, nil,
			pdf("Progression routes", "Further education, training and apprenticeships.")},
		{"Training calendar", "training-calendar.csv", document.CategoryTRAINING_EVENTS, nil,
			[]byte("event,month\nSafeguarding refresher,September\nTeaching English and maths,January\n")},
	}
	for _, p := range providers {
		files = append(files,
			file{"Compliance visit report", "compliance-visit.pdf", document.CategoryCOMPLIANCE_REPORT, p,
				pdf("Compliance visit: "+p.Name, "Safeguarding: met.", "Health and safety: met.")},
			file{"Quality evaluation visit report", "evaluation-visit.pdf", document.CategoryEVALUATION_REPORT, p,
				pdf("Evaluation visit: "+p.Name, "Quality of education: good.")})
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
		c := client.Document.Create().SetTitle(f.title).SetFilename(f.filename).SetContentType(ct).
			SetSize(size).SetSha256(sha).SetStorageKey(key).SetCategory(f.category).
			SetUploadedBy("system").SetUploadedAt(now.AddDate(0, -1, 0))
		if f.provider != nil {
			c.SetProvider(f.provider)
		}
		if err := c.Exec(ctx); err != nil {
			return sum, err
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
