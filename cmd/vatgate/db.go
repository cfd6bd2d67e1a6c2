package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
)

const defaultDB = "sqlite:vatgate.db"

// openStore opens the backend a --db value names: "sqlite:PATH" (also
// "sqlite://PATH") or a "postgres://" / "postgresql://" URL.
func openStore(ctx context.Context, dbURL string) (store.Store, error) {
	switch {
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		return postgres.Open(ctx, dbURL)
	case strings.HasPrefix(dbURL, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("--db %q: no file path after sqlite:", dbURL)
		}
		return sqlite.Open(ctx, path)
	default:
		return nil, fmt.Errorf("--db %q: want sqlite:PATH or a postgres:// URL", redactURL(dbURL))
	}
}

// openMigrated opens the store and applies pending migrations.
func openMigrated(ctx context.Context, dbURL string) (store.Store, error) {
	st, err := openStore(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return st, nil
}

// redactURL hides a password in a database URL before it is printed.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	creds, host, ok := strings.Cut(rest, "@")
	if !ok {
		return u
	}
	if user, _, hasPass := strings.Cut(creds, ":"); hasPass {
		return scheme + "://" + user + ":***@" + host
	}
	return u
}
