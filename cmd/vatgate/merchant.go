package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

func runMerchant(ctx context.Context, env environment, args []string) error {
	if len(args) == 0 {
		return usageError{"merchant needs a subcommand: create or list"}
	}
	switch args[0] {
	case "create":
		return merchantCreate(ctx, env, args[1:])
	case "list":
		return merchantList(ctx, env, args[1:])
	default:
		return usageError{fmt.Sprintf("unknown merchant subcommand %q", args[0])}
	}
}

func merchantCreate(ctx context.Context, env environment, args []string) error {
	fs, db := env.newFlagSet("merchant create")
	name := fs.String("name", "", "the merchant's name (required)")
	plan := fs.String("plan", store.PlanStandard, "standard or advanced (sets the OMP call limit)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"merchant create takes no positional arguments"}
	}
	if strings.TrimSpace(*name) == "" {
		return usageError{"merchant create needs --name"}
	}
	if *plan != store.PlanStandard && *plan != store.PlanAdvanced {
		return usageError{fmt.Sprintf("--plan must be standard or advanced (got %q)", *plan)}
	}
	st, err := openMigrated(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.CreateMerchant(ctx, *name, *plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "merchant %d %q created (plan %s)\n", m.ID, m.Name, m.Plan)
	return issueToken(ctx, env, st, m.ID)
}

// issueToken makes a token, stores its hash and prints it: the token alone
// on the last line, so TOKEN=$(vatgate ... | tail -n 1) works.
func issueToken(ctx context.Context, env environment, st store.Store, merchantID int64) error {
	tok := token.New()
	t, err := st.CreateToken(ctx, merchantID, token.Hash(tok), token.Redact(tok), time.Time{})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	fmt.Fprintf(env.stdout, "token %d created; it is shown only this once:\n%s\n", t.ID, tok)
	return nil
}

func merchantList(ctx context.Context, env environment, args []string) error {
	fs, db := env.newFlagSet("merchant list")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	st, err := openMigrated(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	ms, err := st.ListMerchants(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPLAN\tCREATED")
	for _, m := range ms {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.ID, m.Name, m.Plan, m.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
