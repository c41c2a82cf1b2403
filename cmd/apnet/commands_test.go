package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/viewer"
)

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("import schools", flag.ContinueOnError)
	la := fs.String("la", "", "")
	url := fs.String("db", "", "")
	rest, err := parseInterspersed(fs, []string{"--db", "x.db", "edubase.csv", "--la", "892"})
	if err != nil || !slices.Equal(rest, []string{"edubase.csv"}) || *la != "892" || *url != "x.db" {
		t.Fatalf("rest %q, la %q, db %q, err %v", rest, *la, *url, err)
	}
}

// `apnet import schools FILE --la CODE` as the usage writes it: the flag
// after the file still applies.
func TestImportSchoolsCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "edubase.csv")
	in := `"URN","LA (code)","EstablishmentName","EstablishmentStatus (name)","Street","Town","Postcode"` + "\r\n" +
		`136724,"892","Fernwood School","Open","Goodwood Road","Nottingham","NG8 2FT"` + "\r\n" +
		`138641,"891","The Kimberley School","Open","Newdigate Street","Nottingham","NG16 2NJ"` + "\r\n"
	if err := os.WriteFile(file, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	dbFile := filepath.Join(dir, "apnet.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	if err := importCmd(ctx, log, []string{"schools", "--db", dbFile, file, "--la", "892"}); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	all := d.Client.School.Query().AllX(viewer.SystemContext(ctx))
	if len(all) != 1 || all[0].Name != "Fernwood School" {
		t.Fatalf("schools = %v; want Fernwood only", all)
	}

	for _, args := range [][]string{
		{"qualifications", "--db", dbFile, file, "--la", "892"}, // --la is for schools
		{"school", "--db", dbFile, file},                        // unknown kind
		{"schools", "--db", dbFile},                             // no file
	} {
		if err := importCmd(ctx, log, args); err == nil {
			t.Errorf("import %q: no error", args)
		}
	}
}

// A qualification's level and minLevel are one concept with one enum:
// `apnet schema` shows QualificationLevel once, used by both fields.
func TestSchemaHasOneQualificationLevelEnum(t *testing.T) {
	var b strings.Builder
	if err := printSchema(&b); err != nil {
		t.Fatal(err)
	}
	sdl := b.String()
	if n := strings.Count(sdl, "enum QualificationLevel "); n != 1 {
		t.Errorf("enum QualificationLevel defined %d times", n)
	}
	if strings.Contains(sdl, "QualificationMinLevel") {
		t.Error("schema still has QualificationMinLevel")
	}
	for _, want := range []string{"minLevel: QualificationLevel\n", "minLevelIn: [QualificationLevel!]", "levels: [QualificationLevel!]"} {
		if !strings.Contains(sdl, want) {
			t.Errorf("schema lacks %q", want)
		}
	}
}
