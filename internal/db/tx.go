package db

import (
	"context"

	"github.com/apnet/apnet/ent"
)

// InTx runs fn in one transaction on client: committed when fn returns nil,
// rolled back otherwise, so a multi-row change is never half-written.
func InTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
