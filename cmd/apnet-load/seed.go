package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/url"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/level"
	"github.com/apnet/apnet/internal/password"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// world is the data the load runs against: one school whose learners are all
// placed on one course that meets every weekday morning and afternoon, from
// two years ago until today. Every (placement, slot) pair is a distinct mark.
type world struct {
	School     int
	Course     int
	Placements []int
	Slots      []slot // newest first
	// Session tokens: the school's designated staff subscribe, the provider's staff record.
	SchoolToken, ProviderToken string
}

// slot is one register session: a past weekday, AM or PM.
type slot struct {
	Date    string // 2006-01-02
	Session string // AM or PM
}

// mark is one learner's mark in one slot.
type mark struct {
	Placement int
	slot
}

// key identifies a mark in a subscription event.
func (m mark) key() string { return fmt.Sprintf("%d/%s/%s", m.Placement, m.Date, m.Session) }

// everySession is a Monday-to-Friday, morning-and-afternoon weekly pattern.
var everySession = func() []timetable.Session {
	var ss []timetable.Session
	for _, d := range []timetable.Weekday{timetable.Monday, timetable.Tuesday, timetable.Wednesday, timetable.Thursday, timetable.Friday} {
		ss = append(ss,
			timetable.Session{Weekday: d, Start: "09:00", End: "12:00"},
			timetable.Session{Weekday: d, Start: "13:00", End: "15:30"})
	}
	return ss
}()

// seed creates the world through ent. Names and identifiers carry a random
// run number so a database that already has data (or an earlier run) is
// left alone.
func seed(ctx context.Context, client *ent.Client, learners int) (*world, error) {
	ctx = viewer.SystemContext(ctx)
	run := randInt(1_000_000)
	tag := fmt.Sprintf("%06d", run)
	today := timetable.Day(time.Now().UTC())
	start := today.AddDate(-2, 0, 0)

	school, err := client.School.Create().SetUrn(tag).SetName("Load Test School " + tag).SetPostcode("NG7 2QQ").Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create school: %w", err)
	}
	body, err := client.AwardingBody.Create().SetName("Load Test Awards " + tag).SetAcronym("LTA").Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create awarding body: %w", err)
	}
	q, err := client.Qualification.Create().SetNumber("6" + tag + "0").
		SetTitle("Load Test Certificate").SetLevel(level.Level1).SetAwardingBody(body).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create qualification: %w", err)
	}
	provider, err := client.Provider.Create().SetName("Load Test Provider " + tag).SetPostcode("NG1 1AA").
		SetApprovalStatus("APPROVED").SetApprovedUntil(today.AddDate(1, 0, 0)).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create provider: %w", err)
	}
	course, err := client.Course.Create().SetProvider(provider).SetQualification(q).SetDeliveryPostcode("NG1 1AA").
		SetSessions(everySession).SetPlaces(learners).SetStartDates([]time.Time{start}).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create course: %w", err)
	}

	lcs := make([]*ent.LearnerCreate, learners)
	for i := range lcs {
		upnBody := fmt.Sprintf("%s%05d0", tag, i) // 11 digits then a digit
		check, err := ident.UPNCheckLetter(upnBody)
		if err != nil {
			return nil, err
		}
		lcs[i] = client.Learner.Create().SetUpn(string(check) + upnBody).SetFirstName("Load").
			SetLastName(fmt.Sprintf("Learner %d", i)).SetDateOfBirth(time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)).
			SetYearGroup(10).SetSchoolID(school.ID)
	}
	ls, err := client.Learner.CreateBulk(lcs...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create learners: %w", err)
	}
	pcs := make([]*ent.PlacementCreate, len(ls))
	for i, l := range ls {
		pcs[i] = client.Placement.Create().SetLearnerID(l.ID).SetCourseID(course.ID).
			SetStartDate(start).SetEndDate(today).SetSessions(everySession).SetStatus("ACTIVE")
	}
	ps, err := client.Placement.CreateBulk(pcs...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create placements: %w", err)
	}

	w := &world{School: school.ID, Course: course.ID}
	if w.SchoolToken, err = account(ctx, client, "dsl-"+tag+"@load.test", user.RoleSCHOOL_STAFF, school, nil); err != nil {
		return nil, err
	}
	if w.ProviderToken, err = account(ctx, client, "tutor-"+tag+"@load.test", user.RolePROVIDER_STAFF, nil, provider); err != nil {
		return nil, err
	}
	for _, p := range ps {
		w.Placements = append(w.Placements, p.ID)
	}
	// Yesterday backwards: never today, so no mark is "in the future" in any time zone.
	for d := today.AddDate(0, 0, -1); !d.Before(start); d = d.AddDate(0, 0, -1) {
		if timetable.WeekdayOf(d) == "" {
			continue
		}
		for _, s := range []string{"AM", "PM"} {
			w.Slots = append(w.Slots, slot{Date: d.Format(time.DateOnly), Session: s})
		}
	}
	return w, nil
}

// loadPassword signs the load tool's own accounts in; they live only in its fresh database.
const loadPassword = "apnet load tool account"

// account creates a signed-in user of one school or provider and returns its
// session token; sessions live in the database, so the token works on every
// instance sharing it.
func account(ctx context.Context, client *ent.Client, email string, role user.Role, sch *ent.School, prov *ent.Provider) (string, error) {
	hash, err := password.Hash(loadPassword)
	if err != nil {
		return "", err
	}
	c := client.User.Create().SetEmail(email).SetName("Load " + string(role)).SetRole(role).
		SetPasswordHash(hash).SetActive(true).SetCreatedAt(time.Now())
	if sch != nil {
		c.SetSchool(sch)
	}
	if prov != nil {
		c.SetProvider(prov)
	}
	if err := c.Exec(ctx); err != nil {
		return "", fmt.Errorf("create %s account: %w", role, err)
	}
	b := broker.NewInProcess()
	defer b.Close()
	signed, err := auth.New(client, b, slog.New(slog.NewTextHandler(io.Discard, nil)), nil).
		Login(viewer.NewContext(ctx, viewer.Viewer{Address: "127.0.0.1"}), email, loadPassword)
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", role, err)
	}
	return signed.Token, nil
}

// marks hands out distinct marks: each phase takes whole slots of its own, so
// no two phases (or writers) ever send the same placement, date and session.
type marks struct {
	w    *world
	next int // next unused slot
}

// take reserves n marks, in slot order (all placements of one slot, then the next).
func (ms *marks) take(n int) ([]mark, error) {
	per := len(ms.w.Placements)
	need := (n + per - 1) / per
	if ms.next+need > len(ms.w.Slots) {
		return nil, fmt.Errorf("the data has room for %d more marks, %d asked for; use more -learners",
			(len(ms.w.Slots)-ms.next)*per, n)
	}
	out := make([]mark, 0, n)
	for _, s := range ms.w.Slots[ms.next : ms.next+need] {
		for _, p := range ms.w.Placements {
			if len(out) < n {
				out = append(out, mark{Placement: p, slot: s})
			}
		}
	}
	ms.next += need
	return out, nil
}

// openSeeded opens (and migrates) the database at dbURL and seeds a world.
func openSeeded(ctx context.Context, dbURL string, learners int) (*world, error) {
	d, err := db.Open(dbURL)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	return seed(ctx, d.Client, learners)
}

// createSchema makes a fresh PostgreSQL schema (as internal/dbtest does for
// tests) and returns a URL whose connections use it, and a function that
// drops it.
func createSchema(ctx context.Context, base string) (string, func(), error) {
	admin, err := db.Open(base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	schema := "apnet_load_" + randHex(6)
	if _, err := admin.SQL.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		admin, err := db.Open(base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.SQL.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

func randInt(n int64) int {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
