package postgres

import (
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
)

// TestStoreClocked runs the queue tests that move the clock (DB.Now) and
// restart the store: close the pool, open the same schema again.
func TestStoreClocked(t *testing.T) {
	t.Parallel()
	storetest.RunClocked(t, func(tb testing.TB, now func() time.Time) (store.Store, func() store.Store) {
		u := newSchema(tb)
		db := mustOpen(tb, u)
		db.Now = now
		reopen := func() store.Store {
			if err := db.Close(); err != nil {
				tb.Fatalf("Close: %v", err)
			}
			db = mustOpen(tb, u)
			db.Now = now
			return db
		}
		return db, reopen
	})
}
