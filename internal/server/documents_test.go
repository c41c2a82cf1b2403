package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/auditevent"
	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/gqlclient"
)

// testUploadLimit is the test servers' upload limit: small, so that the
// over-limit cases stay cheap.
const testUploadLimit = 64 << 10

func newTestStore(t *testing.T) *docstore.Local {
	t.Helper()
	s, err := docstore.NewLocal(filepath.Join(t.TempDir(), "documents"), testUploadLimit)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const uploadOp = `mutation($in: UploadDocumentInput!) {
  uploadDocument(input: $in) { id title filename contentType size sha256 category downloadURL provider { id } }
}`

// multipartBody builds a GraphQL multipart request (the spec's operations,
// map and file parts) with the file at variables.in.file.
func multipartBody(t *testing.T, query string, vars map[string]any, filename string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	in, _ := vars["in"].(map[string]any)
	withFile := map[string]any{}
	for k, v := range in {
		withFile[k] = v
	}
	withFile["file"] = nil
	ops, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"in": withFile}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0": ["variables.in.file"]}`)
	fw, err := mw.CreateFormFile("0", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// uploadRaw posts a multipart upload and returns the HTTP status and body.
func (e *env) uploadRaw(t *testing.T, c *gqlclient.Client, query string, vars map[string]any, filename string, content []byte) (int, []byte) {
	t.Helper()
	body, ct := multipartBody(t, query, vars, filename, content)
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/query", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// upload posts a multipart upload that the transport accepts, and decodes the GraphQL response.
func (e *env) upload(t *testing.T, c *gqlclient.Client, query string, vars map[string]any, filename string, content []byte) *gqlclient.Response {
	t.Helper()
	status, body := e.uploadRaw(t, c, query, vars, filename, content)
	var r gqlclient.Response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("status %d, body %q: %v", status, body, err)
	}
	return &r
}

// storeDocument puts content in the store and records it, as the system.
func (e *env) storeDocument(t *testing.T, category document.Category, providerID *int, filename string, content []byte) *ent.Document {
	t.Helper()
	key, sum, size, err := e.docs.Store.Put(context.Background(), bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	ct := "text/plain; charset=utf-8"
	if strings.HasSuffix(filename, ".pdf") {
		ct = "application/pdf"
	}
	return e.db.Document.Create().SetTitle(filename).SetFilename(filename).SetContentType(ct).SetSize(size).
		SetSha256(sum).SetStorageKey(key).SetCategory(category).SetUploadedBy("system").
		SetNillableProviderID(providerID).SaveX(sys)
}

// download GETs /documents/{id} as c.
func (e *env) download(t *testing.T, c *gqlclient.Client, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func docPath(id int) string { return "/documents/" + strconv.Itoa(id) }

// storedFiles lists the files in the store's directory tree (temporary ones included).
func storedFiles(t *testing.T, e *env) []string {
	t.Helper()
	var files []string
	_ = filepath.Walk(e.docs.Store.(*docstore.Local).Dir(), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

var testPDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// Issue 5 item 6: an upload over the limit or of the wrong type is refused,
// and nothing of it is kept.
func TestUploadRefusesOversizeAndWrongType(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	lib := map[string]any{"in": map[string]any{"title": "Guide", "category": "QA_PROCESS"}}

	// Just over the limit: the store counts the bytes as they stream.
	over := bytes.Repeat([]byte("a"), testUploadLimit+1)
	msg := wantCode(t, e.upload(t, e.admin, uploadOp, lib, "guide.txt", over), "BAD_USER_INPUT")
	if !strings.Contains(msg, "64 KiB") {
		t.Errorf("the refusal should name the limit: %q", msg)
	}
	// Exactly at the limit is fine.
	at := e.upload(t, e.admin, uploadOp, lib, "guide.txt", bytes.Repeat([]byte("b"), testUploadLimit))
	if len(at.Errors) > 0 {
		t.Fatalf("a file at the limit was refused: %+v", at.Errors)
	}
	// Far over: the request is refused before it is read, with 413.
	status, body := e.uploadRaw(t, e.admin, uploadOp, lib, "big.txt", bytes.Repeat([]byte("c"), 1<<20))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "BAD_USER_INPUT") || !strings.Contains(string(body), "64 KiB") {
		t.Fatalf("1 MiB upload: status %d, body %s", status, body)
	}

	wrong := map[string][]byte{
		"setup.exe":    append([]byte("MZ\x90\x00\x03"), bytes.Repeat([]byte{0}, 100)...),
		"report.pdf":   []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), // HTML disguised as PDF
		"notes.txt":    []byte("<html><body><script>alert(1)</script></body></html>"),   // HTML disguised as text
		"archive.pdf":  []byte("PK\x03\x04 a zip named as a PDF"),
		"slides.pptx":  testPDF, // a PDF named as PowerPoint
		"image.png":    []byte("GIF89a not a png"),
		"binary.csv":   {0x00, 0x01, 0x02, 'a', ','},
		"no-extension": []byte("plain words"),
	}
	for name, content := range wrong {
		msg := wantCode(t, e.upload(t, e.admin, uploadOp, lib, name, content), "BAD_USER_INPUT")
		if !strings.Contains(msg, "PDF, DOCX") {
			t.Errorf("%s: the refusal should list the allowed types: %q", name, msg)
		}
	}
	// An empty file says so, not that its type is wrong.
	if msg := wantCode(t, e.upload(t, e.admin, uploadOp, lib, "guide.pdf", nil), "BAD_USER_INPUT"); !strings.Contains(msg, "the file is empty") {
		t.Errorf("empty file: %q", msg)
	}
	// A zip is a DOCX only if it holds [Content_Types].xml and word/ (OPC).
	var plainZip bytes.Buffer
	zw := zip.NewWriter(&plainZip)
	if f, err := zw.Create("notes.txt"); err != nil {
		t.Fatal(err)
	} else {
		_, _ = f.Write([]byte("a plain zip"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if msg := wantCode(t, e.upload(t, e.admin, uploadOp, lib, "guide.docx", plainZip.Bytes()), "BAD_USER_INPUT"); !strings.Contains(msg, "named .docx but is not a DOCX document") {
		t.Errorf("plain zip as .docx: %q", msg)
	}
	if n := e.db.Document.Query().CountX(sys); n != 1 {
		t.Fatalf("%d documents recorded, want only the one at the limit", n)
	}
	if files := storedFiles(t, e); len(files) != 1 {
		t.Fatalf("store holds %v, want only the accepted file", files)
	}
}

// A real (if minimal) DOCX is accepted with its content type.
func TestUploadAcceptsAnOOXMLPackage(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml"} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	lib := map[string]any{"in": map[string]any{"title": "Guide", "category": "QA_PROCESS"}}
	r := e.upload(t, e.admin, `mutation($in: UploadDocumentInput!) { uploadDocument(input: $in) { contentType } }`, lib, "guide.docx", docx.Bytes())
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "wordprocessingml.document") {
		t.Fatalf("DOCX upload: %s %+v", r.Data, r.Errors)
	}
}

func TestUploadStoresContentAddressedAndAudited(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	pid := e.w.Provider.ID
	report := func(category string) map[string]any {
		return map[string]any{"in": map[string]any{"title": " Compliance visit 2026 ", "category": category, "providerID": pid}}
	}
	var first struct {
		UploadDocument struct {
			ID, Title, Filename, ContentType, Sha256, Category, DownloadURL string
			Size                                                            int
			Provider                                                        struct{ ID string }
		}
	}
	r := e.upload(t, e.admin, uploadOp, report("COMPLIANCE_REPORT"), "../../etc/Visit report.PDF", testPDF)
	if len(r.Errors) > 0 {
		t.Fatalf("upload: %+v", r.Errors)
	}
	if err := r.Decode(&first); err != nil {
		t.Fatal(err)
	}
	d := first.UploadDocument
	sum := sha256.Sum256(testPDF)
	if d.Sha256 != hex.EncodeToString(sum[:]) || d.Size != len(testPDF) || d.ContentType != "application/pdf" ||
		d.Filename != "Visit report.PDF" || d.Title != "Compliance visit 2026" || d.Provider.ID != strconv.Itoa(pid) ||
		d.DownloadURL != "/documents/"+d.ID {
		t.Fatalf("uploaded document: %+v", d)
	}
	id, _ := strconv.Atoi(d.ID)
	row := e.db.Document.GetX(sys, id)
	f, err := e.docs.Store.Open(row.StorageKey)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(f)
	f.Close()
	if got := sha256.Sum256(stored); got != sum {
		t.Fatal("the stored bytes' SHA-256 differs from the upload's")
	}
	// The same bytes again (by another officer, as another report) share the stored file.
	r = e.upload(t, e.qa, uploadOp, report("EVALUATION_REPORT"), "copy.pdf", testPDF)
	if len(r.Errors) > 0 {
		t.Fatalf("second upload: %+v", r.Errors)
	}
	keys := e.db.Document.Query().Select(document.FieldStorageKey).StringsX(sys)
	if len(keys) != 2 || keys[0] != keys[1] {
		t.Fatalf("storage keys %v, want two rows sharing one", keys)
	}
	if files := storedFiles(t, e); len(files) != 1 {
		t.Fatalf("store holds %v, want one shared file", files)
	}
	// Each upload is on the audit trail, by id.
	if n := e.db.AuditEvent.Query().Where(auditevent.Entity(ent.TypeDocument), auditevent.Action("CREATE")).CountX(sys); n != 2 {
		t.Fatalf("%d CREATE Document audit events, want 2", n)
	}

	// A report needs its provider; a library resource must not have one.
	noProvider := map[string]any{"in": map[string]any{"title": "x", "category": "EVALUATION_REPORT"}}
	wantCode(t, e.upload(t, e.admin, uploadOp, noProvider, "x.pdf", testPDF), "BAD_USER_INPUT")
	libWithProvider := map[string]any{"in": map[string]any{"title": "x", "category": "PROGRESSION", "providerID": pid}}
	wantCode(t, e.upload(t, e.admin, uploadOp, libWithProvider, "x.pdf", testPDF), "BAD_USER_INPUT")
	unknown := map[string]any{"in": map[string]any{"title": "x", "category": "EVALUATION_REPORT", "providerID": 999999}}
	wantCode(t, e.upload(t, e.admin, uploadOp, unknown, "x.pdf", testPDF), "NOT_FOUND")
	// Schools, providers and anonymous callers do not upload: refused before the body is read.
	wantCode(t, e.upload(t, e.provider, uploadOp, report("COMPLIANCE_REPORT"), "x.pdf", testPDF), "FORBIDDEN")
	wantCode(t, e.upload(t, e.schoolA, uploadOp, report("COMPLIANCE_REPORT"), "x.pdf", testPDF), "FORBIDDEN")
	if status, body := e.uploadRaw(t, e.schoolA, uploadOp, report("COMPLIANCE_REPORT"), "x.pdf", testPDF); status != http.StatusForbidden {
		t.Fatalf("school upload: %d %s", status, body)
	}
	if status, body := e.uploadRaw(t, e.anon, uploadOp, report("COMPLIANCE_REPORT"), "x.pdf", testPDF); status != http.StatusUnauthorized ||
		!strings.Contains(string(body), "UNAUTHENTICATED") {
		t.Fatalf("anonymous upload: %d %s", status, body)
	}

	// Renaming changes only the title; deleting is for admins, and the
	// shared bytes go only with the last document using them.
	data(t, e.qa, `mutation($id: ID!) { renameDocument(id: $id, title: "Renamed") { title sha256 } }`, map[string]any{"id": id}, nil)
	if got := e.db.Document.GetX(sys, id).Title; got != "Renamed" {
		t.Fatalf("title %q after rename", got)
	}
	wantCode(t, do(t, e.qa, `mutation($id: ID!) { deleteDocument(id: $id) }`, map[string]any{"id": id}), "FORBIDDEN")
	data(t, e.admin, `mutation($id: ID!) { deleteDocument(id: $id) }`, map[string]any{"id": id}, nil)
	if files := storedFiles(t, e); len(files) != 1 {
		t.Fatalf("after deleting one of two sharers the store holds %v", files)
	}
	other := e.db.Document.Query().OnlyIDX(sys)
	data(t, e.admin, `mutation($id: ID!) { deleteDocument(id: $id) }`, map[string]any{"id": other}, nil)
	if files := storedFiles(t, e); len(files) != 0 {
		t.Fatalf("after deleting both the store holds %v", files)
	}
	wantCode(t, do(t, e.admin, `mutation($id: ID!) { deleteDocument(id: $id) }`, map[string]any{"id": other}), "NOT_FOUND")
}

// Downloads pass the same rules as the record: the partnership and the
// owning provider always; a school only while the provider is on the
// approved list or has its learners; nobody else learns the file exists.
func TestDocumentDownloadFollowsPrivacy(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	pending := e.db.Provider.Create().SetName("Pending Provider").SetPostcode("NG3 1AA").SaveX(sys)
	pendingStaff := e.signIn(t, e.account(t, "pending@test.example", user.RolePROVIDER_STAFF, 0, pending.ID))
	r := e.upload(t, e.admin, uploadOp, map[string]any{"in": map[string]any{
		"title": "Compliance visit", "category": "COMPLIANCE_REPORT", "providerID": pending.ID}}, `report "final".pdf`, testPDF)
	if len(r.Errors) > 0 {
		t.Fatalf("upload: %+v", r.Errors)
	}
	var out struct {
		UploadDocument struct{ ID, DownloadURL string }
	}
	_ = r.Decode(&out)
	url := out.UploadDocument.DownloadURL

	expect := func(who string, c *gqlclient.Client, status int) {
		t.Helper()
		resp, body := e.download(t, c, url)
		if resp.StatusCode != status {
			t.Fatalf("%s: status %d, want %d (%s)", who, resp.StatusCode, status, body)
		}
		if status != http.StatusOK {
			if bytes.Contains(body, []byte("%PDF")) || strings.Contains(string(body), "Compliance") {
				t.Fatalf("%s: refusal leaks the document: %s", who, body)
			}
			return
		}
		if !bytes.Equal(body, testPDF) {
			t.Fatalf("%s: body differs from the upload", who)
		}
		h := resp.Header
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Cache-Control") != "private, no-store" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.Contains(h.Get("Content-Disposition"), "final") {
			t.Fatalf("%s: headers %v", who, h)
		}
	}
	expect("partnership admin", e.admin, http.StatusOK)
	expect("QA officer", e.qa, http.StatusOK)
	expect("the provider's own staff", pendingStaff, http.StatusOK)
	expect("another provider's staff", e.provider, http.StatusNotFound)
	expect("a school, provider not approved and unrelated", e.schoolA, http.StatusNotFound)
	expect("no token", e.anon, http.StatusUnauthorized)

	// Approved today: on the list, so schools see its QA files.
	pending.Update().SetApprovalStatus("APPROVED").SetApprovedUntil(time.Now().AddDate(0, 6, 0)).ExecX(sys)
	expect("a school, provider approved", e.schoolA, http.StatusOK)
	// Approval lapsed yesterday: off the list again.
	pending.Update().SetApprovedUntil(time.Now().AddDate(0, 0, -1)).ExecX(sys)
	expect("a school, approval lapsed", e.schoolB, http.StatusNotFound)

	// A suspended provider's files stay visible to schools with learners placed there.
	e.w.Provider.Update().SetApprovalStatus("SUSPENDED").ExecX(sys)
	placed := e.storeDocument(t, document.CategoryEVALUATION_REPORT, &e.w.Provider.ID, "evaluation.pdf", testPDF)
	if resp, _ := e.download(t, e.schoolA, docPath(placed.ID)); resp.StatusCode != http.StatusOK {
		t.Fatalf("school with placements: %d", resp.StatusCode)
	}

	// Unknown and malformed ids, and ids of other records, say the same as a hidden document.
	for _, p := range []string{"/documents/999999", "/documents/not-an-id", docPath(e.w.Learners[0].ID)} {
		if resp, _ := e.download(t, e.admin, p); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: status %d", p, resp.StatusCode)
		}
	}
	// Through GraphQL the hidden document is not there either.
	wantCode(t, do(t, e.provider, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": out.UploadDocument.ID}), "NOT_FOUND")
}

// The resources library is open to every signed-in user; QA reports are not in it.
func TestResourcesLibraryReadableByAllRoles(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	guide := e.storeDocument(t, document.CategoryDATA_SYSTEM_GUIDE, nil, "guide.txt", []byte("how to mark\n"))
	e.storeDocument(t, document.CategoryPROGRESSION, nil, "routes.txt", []byte("routes\n"))
	e.storeDocument(t, document.CategoryCOMPLIANCE_REPORT, &e.w.Provider.ID, "report.pdf", testPDF)
	for who, c := range map[string]*gqlclient.Client{"admin": e.admin, "qa": e.qa, "school": e.schoolA, "provider": e.provider} {
		var out struct {
			Resources struct {
				TotalCount int
				Edges      []struct {
					Node struct{ Category, DownloadURL string }
				}
			}
		}
		data(t, c, `{ resources { totalCount edges { node { category downloadURL } } } }`, nil, &out)
		if out.Resources.TotalCount != 2 {
			t.Fatalf("%s: %d resources, want the 2 library documents", who, out.Resources.TotalCount)
		}
		var one struct{ Resources struct{ TotalCount int } }
		data(t, c, `{ resources(category: DATA_SYSTEM_GUIDE) { totalCount } }`, nil, &one)
		if one.Resources.TotalCount != 1 {
			t.Fatalf("%s: %d data system guides", who, one.Resources.TotalCount)
		}
		resp, body := e.download(t, c, docPath(guide.ID))
		if resp.StatusCode != http.StatusOK || string(body) != "how to mark\n" {
			t.Fatalf("%s: download %d %q", who, resp.StatusCode, body)
		}
	}
	wantCode(t, do(t, e.schoolA, `{ resources(category: COMPLIANCE_REPORT) { totalCount } }`, nil), "BAD_USER_INPUT")
	// The full list is the partnership's.
	wantCode(t, do(t, e.provider, `{ documents { totalCount } }`, nil), "FORBIDDEN")
	var all struct{ Documents struct{ TotalCount int } }
	data(t, e.qa, `{ documents { totalCount } }`, nil, &all)
	if all.Documents.TotalCount != 3 {
		t.Fatalf("partnership sees %d documents, want 3", all.Documents.TotalCount)
	}
	if resp, _ := e.download(t, e.anon, docPath(guide.ID)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
}
