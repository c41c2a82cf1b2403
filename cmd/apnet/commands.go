package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/graph/generated"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/catalogue"
	"github.com/apnet/apnet/internal/csvimport"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/demo"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/postcodes"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/viewer"
)

// dbFlag registers --db, defaulting to APNET_DATABASE_URL.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env("APNET_DATABASE_URL", db.DefaultURL), "database URL (postgres://…) or SQLite file")
}

func openMigrated(ctx context.Context, url string) (*db.DB, error) {
	d, err := db.Open(url)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	// A fresh database gets the default compliance checklist, version 1.
	if err := qa.EnsureDefaultChecklist(ctx, d.Client); err != nil {
		d.Close()
		return nil, fmt.Errorf("default checklist: %w", err)
	}
	return d, nil
}

func migrate(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	url := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openMigrated(ctx, *url)
	if err != nil {
		return err
	}
	defer d.Close()
	log.Info("schema up to date", "dialect", d.Dialect)
	return nil
}

func seed(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	url := dbFlag(fs)
	withDemo := fs.Bool("demo", false, "load the demo data (the only data set there is)")
	openStore := docsFlags(fs, url)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*withDemo {
		return errors.New("seed needs --demo")
	}
	store, err := openStore()
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, *url)
	if err != nil {
		return err
	}
	defer d.Close()
	return seedDemo(ctx, log, d, store)
}

// seedDemo loads the demo data unless the database already has data.
func seedDemo(ctx context.Context, log *slog.Logger, d *db.DB, store docstore.Store) error {
	ctx = viewer.SystemContext(ctx)
	sum, err := demo.Seed(ctx, d.Client, time.Now())
	if errors.Is(err, demo.ErrNotEmpty) {
		log.Info("database already has data; demo data not loaded")
		return nil
	}
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	log.Info("demo data loaded", "summary", fmt.Sprintf("%+v", sum))
	extra, err := demo.SeedDocumentsAndTraining(ctx, d.Client, store, time.Now())
	if err != nil {
		return fmt.Errorf("seed demo documents and training: %w", err)
	}
	log.Info("demo documents and training loaded", "summary", fmt.Sprintf("%+v", extra))
	accounts, err := demo.SeedAccounts(ctx, d.Client, time.Now())
	if err != nil {
		return err
	}
	for _, a := range accounts {
		log.Info("demo account", "email", a.Email, "role", a.Role)
	}
	log.Info("demo accounts share the password " + demo.DemoPassword + " (demo mode only)")
	return nil
}

const importUsage = "usage: apnet import postcodes FILE | qualifications FILE | schools FILE [--la CODE]"

func importCmd(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New(importUsage)
	}
	kind := args[0]
	fs := flag.NewFlagSet("import "+kind, flag.ContinueOnError)
	url := dbFlag(fs)
	la := fs.String("la", "", "schools: load only this DfE local authority code, e.g. 892 (Nottingham)")
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New(importUsage)
	}
	if *la != "" && kind != "schools" {
		return fmt.Errorf("--la applies to schools only\n%s", importUsage)
	}
	// Known kinds are checked before opening the database, so a typo does
	// not create a SQLite file.
	switch kind {
	case "postcodes", "qualifications", "schools":
	default:
		return fmt.Errorf("unknown import %q (known: postcodes, qualifications, schools)", kind)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := openMigrated(ctx, *url)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx = viewer.SystemContext(ctx)
	progress := func(s csvimport.Stats) {
		fmt.Fprintf(os.Stderr, "\rread %d rows, %d accepted, %d rejected, %d skipped", s.Read, s.Accepted, s.Rejected, s.Skipped)
	}
	var sum fmt.Stringer
	switch kind {
	case "postcodes":
		sum, err = postcodes.Load(ctx, d.Client, f, progress)
	case "qualifications":
		sum, err = catalogue.Qualifications(ctx, d.Client, f, progress)
	case "schools":
		sum, err = catalogue.Schools(ctx, d.Client, f, *la, progress)
	}
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Println(sum)
	return nil
}

// parseInterspersed parses flags wherever they appear among the arguments
// (flag stops at the first non-flag, and the usage puts --la after FILE),
// returning the rest in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func printSchema(w io.Writer) error {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
	formatter.NewFormatter(w).FormatSchema(es.Schema())
	return nil
}

// inviteAdmin creates a partnership admin account and prints its invitation
// token: how a new deployment gets its first account, and how one that has
// lost every admin gets another.
func inviteAdmin(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("invite-admin", flag.ContinueOnError)
	url := dbFlag(fs)
	email := fs.String("email", "", "the admin's email address")
	name := fs.String("name", "", "the admin's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return errors.New("usage: apnet invite-admin --email EMAIL --name NAME")
	}
	d, err := openMigrated(ctx, *url)
	if err != nil {
		return err
	}
	defer d.Close()
	b := broker.NewInProcess()
	defer b.Close()
	u, token, err := auth.New(d.Client, b, log, nil).Invite(viewer.SystemContext(ctx), *email, *name, user.RolePARTNERSHIP_ADMIN, nil, nil)
	if err != nil {
		return err
	}
	log.Info("partnership admin invited", "user_id", u.ID)
	fmt.Printf("invitation token (valid %s; accept it with the acceptInvitation mutation):\n%s\n", auth.InvitationTTL, token)
	return nil
}
