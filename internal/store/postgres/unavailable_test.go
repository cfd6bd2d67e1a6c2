package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/faulttest"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/testdb"
)

// A database that goes away answers store.ErrUnavailable, for connections
// lost under the pool and for new ones refused alike, and the same pool
// serves again once it is back.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	base := testdb.PostgresSchemaURL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faulttest.StartProxy(t, u.Host)
	through, err := faulttest.WithHost(base, proxy.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, through)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateMerchant(ctx, "Before", store.PlanStandard); err != nil {
		t.Fatal(err)
	}

	proxy.Cut()
	for i := range 3 {
		_, err := db.CreateMerchant(ctx, "During", store.PlanStandard)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("write %d while cut: %v, want ErrUnavailable", i, err)
		}
		_, err = db.ListMerchants(ctx)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("read %d while cut: %v, want ErrUnavailable", i, err)
		}
		_, err = db.Authenticate(ctx, "no such hash")
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("authenticate %d while cut: %v, want ErrUnavailable", i, err)
		}
	}

	if err := proxy.Restore(); err != nil {
		t.Fatal(err)
	}
	// A connection the pool still holds from before the cut fails once
	// (ErrUnavailable) and is dropped; the pool then dials anew.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := db.CreateMerchant(ctx, "After", store.PlanStandard)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrUnavailable) || time.Now().After(deadline) {
			t.Fatalf("after Restore: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ms, err := db.ListMerchants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if len(ms) != 2 || names[0] != "Before" || names[1] != "After" {
		t.Errorf("merchants %q, want Before and After", names)
	}
	// An error the server gives about the request stays what it was.
	if _, err := db.Authenticate(ctx, "no such hash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Authenticate: %v, want ErrNotFound", err)
	}
}
