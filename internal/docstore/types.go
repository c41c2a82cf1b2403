package docstore

import (
	"bufio"
	"bytes"
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

// Detect checks a file against the allow-list by its name's extension and
// its first bytes, and returns its content type and a reader giving the
// whole file again. ok is false when the file is not an allowed type.
func Detect(filename string, r io.Reader) (contentType string, whole io.Reader, ok bool, err error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return "", nil, false, err
	}
	k, known := kinds[strings.ToLower(path.Ext(filename))]
	if !known || len(head) == 0 || !k.magic(head) {
		return "", br, false, nil
	}
	return k.contentType, br, true, nil
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
