package store

import (
	"fmt"
	"strconv"
	"strings"
)

// PendingMigrations names the built versions missing from applied, wrapped
// in ErrMigrationsPending; nil when none is. Both backends answer Ready with it.
func PendingMigrations(built, applied []int64) error {
	have := map[int64]bool{}
	var at int64
	for _, v := range applied {
		have[v] = true
		at = max(at, v)
	}
	var missing []string
	for _, v := range built {
		if !have[v] {
			missing = append(missing, strconv.FormatInt(v, 10))
		}
	}
	switch {
	case len(missing) == 0:
		return nil
	case at == 0:
		return fmt.Errorf("%w: versions %s (none applied; run vatgate migrate)", ErrMigrationsPending, strings.Join(missing, ", "))
	case len(missing) == 1:
		return fmt.Errorf("%w: version %s (the database is at %d; run vatgate migrate)", ErrMigrationsPending, missing[0], at)
	}
	return fmt.Errorf("%w: versions %s (the database is at %d; run vatgate migrate)", ErrMigrationsPending, strings.Join(missing, ", "), at)
}
