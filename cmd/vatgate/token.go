package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

func runToken(ctx context.Context, env environment, args []string) error {
	if len(args) == 0 {
		return usageError{"token needs a subcommand: create, list, revoke or rotate"}
	}
	sub := args[0]
	fs, db := env.newFlagSet("token " + sub)
	var overlap *time.Duration
	if sub == "rotate" {
		overlap = fs.Duration("overlap", defaultOverlap, "how long the old token keeps working beside the new one")
	}
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if sub != "create" && sub != "list" && sub != "revoke" && sub != "rotate" {
		return usageError{fmt.Sprintf("unknown token subcommand %q", sub)}
	}
	if overlap != nil && *overlap < 0 {
		return usageError{"--overlap must not be negative"}
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
	case "rotate":
		return rotateToken(ctx, env, st, id, *overlap)
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

// defaultOverlap is how long a rotated token keeps working by default: a
// day to roll the new one out everywhere.
const defaultOverlap = 24 * time.Hour

// rotateToken replaces a token with a new one for the same merchant, printed
// alone on the last line (shown once, like token create's), and lets the old
// one work for overlap more (never longer than it would have), then stop.
func rotateToken(ctx context.Context, env environment, st store.Store, id int64, overlap time.Duration) error {
	tok := token.New()
	t, err := st.RotateToken(ctx, id, token.Hash(tok), token.Redact(tok), overlap)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no live token with id %d (it does not exist or was revoked)", id)
	}
	if err != nil {
		return fmt.Errorf("rotate token: %w", err)
	}
	old := "which no longer works"
	if ts, err := st.ListTokens(ctx, t.MerchantID); err == nil {
		for _, o := range ts {
			if o.ID == id && o.ExpiresAt.After(t.CreatedAt) {
				old = "which keeps working until " + stamp(o.ExpiresAt)
			}
		}
	}
	fmt.Fprintf(env.stdout, "token %d replaces token %d of merchant %d, %s; the new token is shown only this once:\n%s\n",
		t.ID, id, t.MerchantID, old, tok)
	return nil
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
