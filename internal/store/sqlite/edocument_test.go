package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
)

// TestConformanceClocked runs the queue tests that move the clock (DB.Now)
// and restart the store: close the file, open it again.
func TestConformanceClocked(t *testing.T) {
	storetest.RunClocked(t, func(tb testing.TB, now func() time.Time) (store.Store, func() store.Store) {
		path := filepath.Join(tb.TempDir(), "vatgate.db")
		db := MustOpen(tb, path)
		db.Now = now
		reopen := func() store.Store {
			if err := db.Close(); err != nil {
				tb.Fatalf("Close: %v", err)
			}
			db = MustOpen(tb, path)
			db.Now = now
			return db
		}
		return db, reopen
	})
}
