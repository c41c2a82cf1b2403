// Package documents stores and serves uploaded files: providers' QA reports
// and the partnership's resources library. Rows are written and read as
// the signed-in viewer, so the Document policy (internal/access) decides
// who uploads, sees, renames and deletes; the bytes live in a
// docstore.Store.
package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/viewer"
)

// Service uploads, renames, deletes and opens documents.
type Service struct {
	Client *ent.Client
	Store  docstore.Store
	Log    *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Upload is one file to store.
type Upload struct {
	File       io.Reader
	Filename   string
	Title      string
	Category   document.Category
	ProviderID *int
}

// Upload checks and stores a file and records it.
func (s *Service) Upload(ctx context.Context, in Upload) (*ent.Document, error) {
	title := strings.TrimSpace(in.Title)
	if title == "" {
		return nil, apierr.Invalid("title", "give the document a title")
	}
	library := access.IsLibrary(in.Category)
	switch {
	case library && in.ProviderID != nil:
		return nil, apierr.Invalid("providerID", "%s is a resources-library category: leave providerID empty", in.Category)
	case !library && in.ProviderID == nil:
		return nil, apierr.Invalid("providerID", "a %s belongs to a provider: give providerID", in.Category)
	}
	if in.ProviderID != nil {
		if _, err := s.Client.Provider.Get(ctx, *in.ProviderID); ent.IsNotFound(err) {
			return nil, apierr.New(apierr.NotFound, "provider %d not found", *in.ProviderID)
		} else if err != nil {
			return nil, err
		}
	}
	filename := docstore.CleanFilename(in.Filename)
	contentType, whole, ok, err := docstore.Detect(filename, in.File)
	if errors.Is(err, docstore.ErrEmpty) {
		return nil, apierr.Invalid("file", "the file is empty: choose the file again, or check that it was saved")
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apierr.Invalid("file", "this file is not an allowed type: upload %s, with its usual file extension", docstore.Allowed)
	}
	key, sum, size, err := s.Store.Put(ctx, whole, docstore.PackageCheck(filename))
	if errors.Is(err, docstore.ErrTooLarge) {
		return nil, TooLarge(s.Store.MaxBytes())
	}
	if errors.Is(err, docstore.ErrWrongPackage) {
		ext := strings.ToUpper(strings.TrimPrefix(path.Ext(filename), "."))
		return nil, apierr.Invalid("file", "this file is named .%s but is not a %s document (it may be another kind of zip file, or damaged): save it again as %s, or upload %s",
			strings.ToLower(ext), ext, ext, docstore.Allowed)
	}
	if err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	var d *ent.Document
	err = s.inTx(ctx, func(tx *ent.Tx) (err error) {
		d, err = tx.Document.Create().SetTitle(title).SetFilename(filename).SetContentType(contentType).
			SetSize(size).SetSha256(sum).SetStorageKey(key).SetCategory(in.Category).
			SetUploadedBy(viewer.FromContext(ctx).Actor()).SetUploadedAt(s.now()).
			SetNillableProviderID(in.ProviderID).Save(ctx)
		return err
	})
	if err != nil {
		s.removeUnused(ctx, key)
		return nil, err
	}
	s.Log.Info("document uploaded", "document", d.ID, "category", d.Category, "size", size, "actor", viewer.FromContext(ctx).Actor())
	return d.Unwrap(), nil
}

// TooLarge is the refusal of a file over the limit, naming the limit.
func TooLarge(limit int64) *apierr.Error {
	return apierr.Invalid("file", "the file is larger than the upload limit of %s", HumanBytes(limit))
}

// HumanBytes writes a byte count as people read it: 10 MiB, 512 KiB, 300 bytes.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Rename changes a document's title, the one thing about it that may change.
func (s *Service) Rename(ctx context.Context, id int, title string) (*ent.Document, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, apierr.Invalid("title", "give the document a title")
	}
	if _, err := s.get(ctx, id); err != nil {
		return nil, err
	}
	var d *ent.Document
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		d, err = tx.Document.UpdateOneID(id).SetTitle(title).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d.Unwrap(), nil
}

// Delete removes a document, and its bytes when no other document shares them.
func (s *Service) Delete(ctx context.Context, id int) error {
	d, err := s.get(ctx, id)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		if err := notAReport(ctx, tx, d); err != nil {
			return err
		}
		return tx.Document.DeleteOneID(id).Exec(ctx)
	})
	if err != nil {
		return err
	}
	s.removeUnused(ctx, d.StorageKey)
	s.Log.Info("document deleted", "document", id, "actor", viewer.FromContext(ctx).Actor())
	return nil
}

// notAReport refuses to delete a document that is a visit's report:
// deleting it would silently take the report off the provider's QA files.
// The visit's report is replaced first, then the old file may go.
func notAReport(ctx context.Context, tx *ent.Tx, d *ent.Document) error {
	sys, id := viewer.SystemContext(ctx), d.ID
	cv, err := tx.ComplianceVisit.Query().Where(compliancevisit.HasReportDocumentWith(document.ID(id))).WithProvider().First(sys)
	switch {
	case err == nil:
		return apierr.New(apierr.Conflict, "%q is the report of the compliance visit to %s on %s; "+
			"upload the replacement and link it with replaceComplianceVisitReport first, then delete this one",
			d.Title, cv.Edges.Provider.Name, cv.VisitedOn.Format(time.DateOnly))
	case !ent.IsNotFound(err):
		return err
	}
	ev, err := tx.EvaluationVisit.Query().Where(evaluationvisit.HasReportDocumentWith(document.ID(id))).WithProvider().First(sys)
	switch {
	case err == nil:
		return apierr.New(apierr.Conflict, "%q is the report of the evaluation visit to %s on %s; "+
			"upload the replacement and link it with replaceEvaluationVisitReport first, then delete this one",
			d.Title, ev.Edges.Provider.Name, ev.VisitedOn.Format(time.DateOnly))
	case !ent.IsNotFound(err):
		return err
	}
	return nil
}

// removeUnused deletes stored bytes that no document row refers to. (An
// identical upload racing with this can lose its bytes; re-uploading puts
// them back, and the download then reports them missing rather than wrong.)
func (s *Service) removeUnused(ctx context.Context, key string) {
	used, err := s.Client.Document.Query().Where(document.StorageKey(key)).Exist(viewer.SystemContext(ctx))
	if err != nil || used {
		return
	}
	if err := s.Store.Remove(key); err != nil {
		s.Log.Error("remove unused document bytes", "err", err)
	}
}

// Open loads a document as the viewer (its policy decides) and opens its bytes.
func (s *Service) Open(ctx context.Context, id int) (*ent.Document, io.ReadSeekCloser, error) {
	d, err := s.get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.Store.Open(d.StorageKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open bytes of document %d: %w", d.ID, err)
	}
	return d, f, nil
}

// get reads a document as the viewer: missing and not visible are the same NOT_FOUND.
func (s *Service) get(ctx context.Context, id int) (*ent.Document, error) {
	d, err := s.Client.Document.Get(ctx, id)
	if ent.IsNotFound(err) || access.IsDenied(err) {
		return nil, apierr.New(apierr.NotFound, "document %d not found", id)
	}
	return d, err
}

func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return db.InTx(ctx, s.Client, fn)
}
