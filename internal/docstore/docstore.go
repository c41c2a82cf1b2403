// Package docstore keeps uploaded files' bytes. Files are content-addressed
// by their SHA-256, so identical uploads share one copy, and never stored
// under a name a client chose. What a file is and who may read it is the
// Document row's business (ent/schema/document.go, internal/access).
package docstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// DefaultMaxBytes is the upload limit unless configured (APNET_MAX_UPLOAD_BYTES).
const DefaultMaxBytes = 10 << 20

// ErrTooLarge is returned by Put when the content exceeds the store's limit.
var ErrTooLarge = errors.New("file exceeds the upload limit")

// ErrNotFound is returned by Open for a key the store does not hold.
var ErrNotFound = errors.New("no such stored file")

// Store keeps file contents.
type Store interface {
	// Put stores r's bytes, refusing more than the limit while reading, and
	// returns the key to open them by, their SHA-256 (hex) and size. Each
	// non-nil check sees the whole file first; its error refuses it, and
	// nothing is kept.
	Put(ctx context.Context, r io.Reader, checks ...Check) (key, sum string, size int64, err error)
	// Open returns the bytes stored under key.
	Open(key string) (io.ReadSeekCloser, error)
	// Remove deletes the bytes under key; removing a missing key is not an error.
	Remove(key string) error
	// MaxBytes is the largest file Put accepts.
	MaxBytes() int64
}

// Local keeps files in a directory on local disk (or a volume shared by
// the replicas): dir/ab/abcdef… by SHA-256.
type Local struct {
	dir string
	max int64
}

// NewLocal returns a store in dir, creating it (0700) if needed. max <= 0
// means DefaultMaxBytes.
func NewLocal(dir string, max int64) (*Local, error) {
	if max <= 0 {
		max = DefaultMaxBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("documents directory: %w", err)
	}
	return &Local{dir: dir, max: max}, nil
}

// Dir is the store's directory.
func (l *Local) Dir() string { return l.dir }

// MaxBytes is the upload limit.
func (l *Local) MaxBytes() int64 { return l.max }

var keyPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (l *Local) path(key string) (string, error) {
	// Keys come from the database, but a path is built from them: check.
	if !keyPattern.MatchString(key) {
		return "", ErrNotFound
	}
	return filepath.Join(l.dir, key[:2], key), nil
}

// Put streams r to a temporary file in the store, hashing as it goes, and
// renames it into place; a file over the limit is never kept.
func (l *Local) Put(ctx context.Context, r io.Reader, checks ...Check) (string, string, int64, error) {
	tmp, err := os.CreateTemp(l.dir, ".upload-*")
	if err != nil {
		return "", "", 0, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op once renamed
	defer tmp.Close()
	h := sha256.New()
	// One byte beyond the limit tells an over-limit file from one exactly at it.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, l.max+1))
	if err != nil {
		return "", "", 0, err
	}
	if n > l.max {
		return "", "", 0, ErrTooLarge
	}
	for _, check := range checks {
		if check == nil {
			continue
		}
		if err := check(tmp, n); err != nil {
			return "", "", 0, err
		}
	}
	if err := tmp.Close(); err != nil {
		return "", "", 0, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst, _ := l.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", "", 0, err
	}
	// Renamed into place even when the same bytes are already there: the
	// rename is atomic, and it restores a file a concurrent delete removed.
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return "", "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", "", 0, err
	}
	return sum, sum, n, nil
}

// Open opens the bytes stored under key.
func (l *Local) Open(key string) (io.ReadSeekCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Remove deletes the bytes under key.
func (l *Local) Remove(key string) error {
	p, err := l.path(key)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// ctxReader stops a long copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
