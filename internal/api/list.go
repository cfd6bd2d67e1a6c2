package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// Page sizes of the read-back lists.
const (
	defaultPageSize = 50
	maxPageSize     = 100
)

// listOptions reads ?limit=&cursor=&updated_since= . It asks the store for
// one record more than the page so it knows whether another page follows.
func listOptions(r *http.Request) (store.ListOptions, int, *apiError) {
	q := r.URL.Query()
	opt := store.ListOptions{}
	limit := defaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return opt, 0, errorf(http.StatusBadRequest, "limit: must be an integer from 1 to %d (got %q)", maxPageSize, v)
		}
		limit = n
	}
	opt.Limit = limit + 1
	if v := q.Get("cursor"); v != "" {
		id, ok := decodeCursor(v)
		if !ok {
			return opt, 0, errorf(http.StatusBadRequest, "cursor: not a cursor this server issued (got %q)", v)
		}
		opt.AfterID = id
	}
	if v := q.Get("updated_since"); v != "" {
		t, ok := parseInstant(v)
		if !ok {
			return opt, 0, errorf(http.StatusBadRequest, "updated_since: must be an RFC 3339 timestamp or a YYYY-MM-DD date (got %q)", v)
		}
		opt.UpdatedSince = t
	}
	return opt, limit, nil
}

// parseInstant reads an RFC 3339 timestamp, or a date meaning its UTC midnight.
func parseInstant(v string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// Cursors are opaque to clients; inside they are the last id of a page.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), "after:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id >= 0
}

// page trims the extra record and returns the cursor of the next page (nil
// when this is the last).
func page[T any](items []T, limit int, idOf func(T) int64) ([]T, *string) {
	if len(items) <= limit {
		return items, nil
	}
	items = items[:limit]
	c := encodeCursor(idOf(items[len(items)-1]))
	return items, &c
}

// pathID reads the {id} of a route; the router only matched digits, but a
// number too large for int64 is answered like an id that does not exist.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}
