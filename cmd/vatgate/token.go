package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

func runToken(ctx context.Context, env environment, args []string) error {
	if len(args) == 0 {
		return usageError{"token needs a subcommand: create, list or revoke"}
	}
	sub := args[0]
	fs, db := env.newFlagSet("token " + sub)
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if sub != "create" && sub != "list" && sub != "revoke" {
		return usageError{fmt.Sprintf("unknown token subcommand %q", sub)}
	}
	if len(pos) != 1 {
		return usageError{fmt.Sprintf("token %s takes one id", sub)}
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Sprintf("%q is not an id", pos[0])}
	}
	st, err := openMigrated(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		err = issueToken(ctx, env, st, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no merchant with id %d", id)
		}
		return err
	case "list":
		return tokenList(ctx, env, st, id)
	default:
		if err := st.RevokeToken(ctx, id); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no token with id %d", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "token %d revoked\n", id)
		return nil
	}
}

func tokenList(ctx context.Context, env environment, st store.Store, merchantID int64) error {
	ts, err := st.ListTokens(ctx, merchantID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTOKEN\tCREATED\tEXPIRES\tREVOKED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Hint, stamp(t.CreatedAt), stamp(t.ExpiresAt), stamp(t.RevokedAt))
	}
	return tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
