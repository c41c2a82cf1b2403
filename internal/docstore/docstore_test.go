package docstore

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPutIsContentAddressedAndLimited(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "docs")
	s, err := NewLocal(dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("store directory: %v %v", info, err)
	}
	key, sum, n, err := s.Put(context.Background(), strings.NewReader("0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte("0123456789"))
	if sum != hex.EncodeToString(want[:]) || key != sum || n != 10 {
		t.Fatalf("Put = %s %s %d", key, sum, n)
	}
	again, _, _, err := s.Put(context.Background(), strings.NewReader("0123456789"))
	if err != nil || again != key {
		t.Fatalf("identical content: key %s, err %v", again, err)
	}
	if _, _, _, err := s.Put(context.Background(), strings.NewReader("0123456789X")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: err %v", err)
	}
	var files []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v", p, info.Mode().Perm())
			}
		}
		return nil
	})
	if len(files) != 1 {
		t.Fatalf("files %v, want one (no temporary file left from the refused one)", files)
	}
	f, err := s.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "0123456789" {
		t.Fatalf("read back %q", b)
	}
	// Keys are never paths.
	for _, bad := range []string{"../../etc/passwd", "", strings.Repeat("A", 64)} {
		if _, err := s.Open(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q): %v", bad, err)
		}
	}
	if err := s.Remove(key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Remove: %v", err)
	}
}

func TestDetect(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00rest of a zip")
	odt := append([]byte("PK\x03\x04\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00"), []byte("mimetypeapplication/vnd.oasis.opendocument.text")...)
	cases := []struct {
		name    string
		content []byte
		want    string // "" means refused
	}{
		{"a.pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"A.PDF", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"a.docx", zip, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a.xlsx", zip, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"a.pptx", zip, "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
		{"a.odt", odt, "application/vnd.oasis.opendocument.text"},
		{"a.odt", zip, ""},
		{"a.png", []byte("\x89PNG\r\n\x1a\n...."), "image/png"},
		{"a.jpg", []byte("\xff\xd8\xff\xe0...."), "image/jpeg"},
		{"a.jpeg", []byte("\xff\xd8\xff\xe0...."), "image/jpeg"},
		{"a.txt", []byte("Caf\xc3\xa9 notes\n"), "text/plain; charset=utf-8"},
		{"a.csv", []byte("a,b\n1,2\n"), "text/csv; charset=utf-8"},
		{"a.pdf", []byte("<html><script></script></html>"), ""},
		{"a.txt", []byte("<!DOCTYPE html><p>hi"), ""},
		{"a.txt", []byte("\xff\xfe\x00binary"), ""},
		{"a.exe", []byte("MZ\x90\x00"), ""},
		{"a.docx", []byte("%PDF-1.7"), ""},
		{"a.svg", []byte("<svg></svg>"), ""},
	}
	for _, c := range cases {
		ct, whole, ok, err := Detect(c.name, bytes.NewReader(c.content))
		if err != nil {
			t.Fatal(err)
		}
		if (c.want == "") == ok || ct != c.want {
			t.Errorf("Detect(%s, %q) = %q, %v; want %q", c.name, c.content, ct, ok, c.want)
			continue
		}
		if ok {
			// The reader still gives the whole file after sniffing.
			if got, _ := io.ReadAll(whole); !bytes.Equal(got, c.content) {
				t.Errorf("%s: reread %q", c.name, got)
			}
		}
	}
	// A long text file whose sniffing window ends inside a character.
	long := append(bytes.Repeat([]byte("a"), sniffLen-1), "é and more"...)
	if _, _, ok, _ := Detect("long.txt", bytes.NewReader(long)); !ok {
		t.Error("a UTF-8 character across the sniffing window was refused")
	}
}

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                      "report.pdf",
		"../../etc/passwd":                "passwd",
		`C:\Users\me\Visit report.pdf`:    "Visit report.pdf",
		"evil\r\nheader.pdf":              "evilheader.pdf",
		`quote".pdf`:                      "quote.pdf",
		"":                                "document",
		"..":                              "document",
		strings.Repeat("x", 300) + ".pdf": strings.Repeat("x", 196) + ".pdf",
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectEmpty(t *testing.T) {
	for _, name := range []string{"a.pdf", "a.txt", "a.docx", "a.exe"} {
		if _, _, ok, err := Detect(name, bytes.NewReader(nil)); ok || !errors.Is(err, ErrEmpty) {
			t.Errorf("Detect(%s, empty) = %v, %v; want ErrEmpty", name, ok, err)
		}
	}
}

// zipOf builds a small zip with the named entries; the first is stored
// uncompressed, as ODF requires of "mimetype".
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i, e := range entries {
		method := zip.Deflate
		if i == 0 {
			method = zip.Store
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ECMA-376 Part 2 (OPC): an OOXML package has [Content_Types].xml and its
// main part under the format's directory; ODF (OASIS ODF 1.2 Part 3) a
// "mimetype" entry naming the format.
func TestPackageCheck(t *testing.T) {
	types := [2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types/>`}
	rels := [2]string{"_rels/.rels", `<Relationships/>`}
	docx := zipOf(t, types, rels, [2]string{"word/document.xml", "<w:document/>"})
	xlsx := zipOf(t, types, rels, [2]string{"xl/workbook.xml", "<workbook/>"})
	pptx := zipOf(t, types, rels, [2]string{"ppt/presentation.xml", "<p:presentation/>"})
	odt := zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.text"}, [2]string{"content.xml", "<office:document-content/>"})
	plain := zipOf(t, [2]string{"notes.txt", "just a zip"}, [2]string{"photo.jpg", "\xff\xd8\xff"})
	cases := []struct {
		name    string
		content []byte
		ok      bool
	}{
		{"a.docx", docx, true},
		{"A.DOCX", docx, true},
		{"a.xlsx", xlsx, true},
		{"a.pptx", pptx, true},
		{"a.odt", odt, true},
		{"a.docx", plain, false}, // a plain ZIP renamed .docx
		{"a.xlsx", docx, false},  // a Word document renamed .xlsx
		{"a.pptx", zipOf(t, rels, [2]string{"ppt/x.xml", ""}), false}, // no [Content_Types].xml
		{"a.docx", zipOf(t, types, [2]string{"word/", ""}), false},    // the directory alone, no part
		{"a.odt", plain, false},
		{"a.odt", zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}), false},
		{"a.docx", []byte("PK\x03\x04 the start of a zip and nothing else"), false}, // no central directory
	}
	for _, c := range cases {
		check := PackageCheck(c.name)
		if check == nil {
			t.Fatalf("%s: no package check", c.name)
		}
		err := check(bytes.NewReader(c.content), int64(len(c.content)))
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrWrongPackage)) {
			t.Errorf("%s (case %+v): %v", c.name, c.ok, err)
		}
	}
	for _, name := range []string{"a.pdf", "a.png", "a.txt", "a.csv"} {
		if PackageCheck(name) != nil {
			t.Errorf("%s has a package check", name)
		}
	}

	// Put runs the check on the whole file before keeping it.
	store, err := NewLocal(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := store.Put(context.Background(), bytes.NewReader(plain), PackageCheck("a.docx")); !errors.Is(err, ErrWrongPackage) {
		t.Fatalf("Put of a plain zip as .docx: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(store.Dir(), "*", "*"))
	tmp, _ := filepath.Glob(filepath.Join(store.Dir(), ".upload-*"))
	if len(left)+len(tmp) != 0 {
		t.Fatalf("a refused file was kept: %v %v", left, tmp)
	}
	if _, _, _, err := store.Put(context.Background(), bytes.NewReader(docx), PackageCheck("a.docx"), nil); err != nil {
		t.Fatalf("Put of a DOCX: %v", err)
	}
}
