package docstore

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Allowed names the types an upload may be, for error messages.
const Allowed = "PDF, DOCX, XLSX, PPTX, ODT, PNG, JPEG, plain text (.txt) or CSV"

// sniffLen is how much of a file Detect reads: http.DetectContentType's window.
const sniffLen = 512

var zipMagic = []byte("PK\x03\x04")

// kinds maps each allowed extension to its content type and to a check of
// the file's first bytes: the extension alone is never trusted.
var kinds = map[string]struct {
	contentType string
	magic       func(head []byte) bool
}{
	".pdf":  {"application/pdf", prefix("%PDF-")},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", prefix(string(zipMagic))},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", prefix(string(zipMagic))},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", prefix(string(zipMagic))},
	// An ODF package's first entry is the uncompressed "mimetype" file.
	".odt": {"application/vnd.oasis.opendocument.text", func(h []byte) bool {
		return bytes.HasPrefix(h, zipMagic) && bytes.Contains(h, []byte("mimetypeapplication/vnd.oasis.opendocument.text"))
	}},
	".png":  {"image/png", prefix("\x89PNG\r\n\x1a\n")},
	".jpg":  {"image/jpeg", prefix("\xff\xd8\xff")},
	".jpeg": {"image/jpeg", prefix("\xff\xd8\xff")},
	".txt":  {"text/plain; charset=utf-8", plainText},
	".csv":  {"text/csv; charset=utf-8", plainText},
}

func prefix(p string) func([]byte) bool {
	return func(h []byte) bool { return bytes.HasPrefix(h, []byte(p)) }
}

// plainText: UTF-8 text that a browser would not take for HTML or script.
func plainText(h []byte) bool {
	if bytes.IndexByte(h, 0) >= 0 {
		return false
	}
	// The window may end inside a multi-byte character.
	for i := 0; i < 3 && len(h) > 0 && !utf8.Valid(h); i++ {
		h = h[:len(h)-1]
	}
	return utf8.Valid(h) && strings.HasPrefix(http.DetectContentType(h), "text/plain")
}

// ErrEmpty is Detect's answer for a file with no bytes at all.
var ErrEmpty = errors.New("the file is empty")

// Detect checks a file against the allow-list by its name's extension and
// its first bytes, and returns its content type and a reader giving the
// whole file again. ok is false when the file is not an allowed type; err
// is ErrEmpty when it has no bytes. A zip package's first bytes do not say
// what it holds: store it with PackageCheck(filename) too.
func Detect(filename string, r io.Reader) (contentType string, whole io.Reader, ok bool, err error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return "", nil, false, err
	}
	if len(head) == 0 {
		return "", br, false, ErrEmpty
	}
	k, known := kinds[strings.ToLower(path.Ext(filename))]
	if !known || !k.magic(head) {
		return "", br, false, nil
	}
	return k.contentType, br, true, nil
}

// ErrWrongPackage is a PackageCheck's refusal: a zip that is not the
// document its extension names (a plain ZIP renamed .docx, say).
var ErrWrongPackage = errors.New("the file is not the kind of document its name says")

// packages: what the zip package of each office format must hold. OOXML
// (ECMA-376 Part 2, Open Packaging Conventions) has [Content_Types].xml and
// its main part under the format's directory; ODF has a "mimetype" entry
// naming the format.
var packages = map[string]struct {
	dir, mimetype string
}{
	".docx": {dir: "word/"},
	".xlsx": {dir: "xl/"},
	".pptx": {dir: "ppt/"},
	".odt":  {mimetype: "application/vnd.oasis.opendocument.text"},
}

// Check looks at a whole stored file before it is kept.
type Check func(r io.ReaderAt, size int64) error

// PackageCheck is the check of a file named filename: for DOCX, XLSX, PPTX
// and ODT, that the zip's central directory holds what that format must
// (ErrWrongPackage otherwise); nil for any other type. Only the central
// directory and, for ODF, the few bytes of its mimetype entry are read, so
// memory is bounded by the number of entries, which the upload limit caps.
func PackageCheck(filename string) Check {
	want, ok := packages[strings.ToLower(path.Ext(filename))]
	if !ok {
		return nil
	}
	return func(r io.ReaderAt, size int64) error {
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return ErrWrongPackage
		}
		if want.mimetype != "" {
			for _, f := range zr.File {
				if f.Name != "mimetype" {
					continue
				}
				rc, err := f.Open()
				if err != nil {
					return ErrWrongPackage
				}
				b, err := io.ReadAll(io.LimitReader(rc, int64(len(want.mimetype))+1))
				rc.Close()
				if err != nil || string(b) != want.mimetype {
					return ErrWrongPackage
				}
				return nil
			}
			return ErrWrongPackage
		}
		types, part := false, false
		for _, f := range zr.File {
			switch {
			case f.Name == "[Content_Types].xml":
				types = true
			case strings.HasPrefix(f.Name, want.dir) && len(f.Name) > len(want.dir):
				part = true
			}
		}
		if !types || !part {
			return ErrWrongPackage
		}
		return nil
	}
}

// CleanFilename keeps the last element of a client's file name, without
// control characters, at most 200 bytes: what is shown and offered back on
// download, never a path on disk.
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if len(name) > 200 {
		// Keep the extension; cut the middle on a character boundary.
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		name = strings.ToValidUTF8(name[:200-len(ext)], "") + ext
	}
	if name == "" || name == "." || name == ".." || name == "/" {
		return "document"
	}
	return name
}
