package main

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, env environment, args []string) error {
	fs, db := env.newFlagSet("migrate")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"migrate takes no arguments"}
	}
	st, err := openMigrated(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(env.stdout, "migrations applied")
	return nil
}
