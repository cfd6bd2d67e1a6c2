package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/webhook"
)

// allowPrivateEnv sets the default of serve's --webhooks-allow-private and
// of webhook add's --allow-private.
const allowPrivateEnv = "VATGATE_WEBHOOKS_ALLOW_PRIVATE"

// webhookArgs is how many positional arguments each subcommand takes.
var webhookArgs = map[string]int{"add": 2, "list": 1, "remove": 2, "log": 2}

func runWebhook(ctx context.Context, env environment, args []string) error {
	if len(args) == 0 {
		return usageError{"webhook needs a subcommand: add, list, remove or log"}
	}
	sub := args[0]
	allowDefault, err := envBool(env, allowPrivateEnv)
	if err != nil {
		return err
	}
	fs, db := env.newFlagSet("webhook " + sub)
	allowPrivate := fs.Bool("allow-private", allowDefault, "add: accept a URL that uses http or leads to a loopback, private or other non-public address (env "+allowPrivateEnv+")")
	after := fs.Int64("after", 0, "log: start after this delivery id")
	limit := fs.Int("limit", 100, "log: show at most this many deliveries")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	n, ok := webhookArgs[sub]
	switch {
	case !ok:
		return usageError{fmt.Sprintf("unknown webhook subcommand %q", sub)}
	case len(pos) != n:
		return usageError{fmt.Sprintf("webhook %s takes %d arguments", sub, n)}
	case *limit < 1:
		return usageError{"--limit must be at least 1"}
	}
	merchantID, err := parseID(pos[0])
	if err != nil {
		return err
	}
	var endpointID int64
	if sub == "remove" || sub == "log" {
		if endpointID, err = parseID(pos[1]); err != nil {
			return err
		}
	}
	// The URL is checked before the database is opened: a refusal needs none.
	if sub == "add" {
		if err := webhook.CheckURL(ctx, pos[1], *allowPrivate, nil); err != nil {
			var uerr *webhook.URLError
			if errors.As(err, &uerr) && uerr.Private {
				return fmt.Errorf("%w; pass --allow-private to allow it (and start the server with --webhooks-allow-private)", err)
			}
			return err
		}
	}
	st, err := openMigrated(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		return webhookAdd(ctx, env, st, merchantID, pos[1])
	case "list":
		return webhookList(ctx, env, st, merchantID)
	case "remove":
		err := st.DeleteWebhookEndpoint(ctx, merchantID, endpointID)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("merchant %d has no webhook endpoint %d", merchantID, endpointID)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "webhook endpoint %d removed\n", endpointID)
		return nil
	default:
		return webhookLog(ctx, env, st, merchantID, endpointID, *after, *limit)
	}
}

func webhookAdd(ctx context.Context, env environment, st store.Store, merchantID int64, url string) error {
	eps, err := st.ListWebhookEndpoints(ctx, merchantID)
	if err != nil {
		return err
	}
	if len(eps) >= api.MaxWebhookEndpoints { // the API's bound, kept here too
		return fmt.Errorf("merchant %d has %d webhook endpoints, the most there may be; remove one first", merchantID, len(eps))
	}
	ep, err := st.CreateWebhookEndpoint(ctx, merchantID, url, webhook.NewSecret())
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no merchant with id %d", merchantID)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "webhook endpoint %d added for merchant %d: %s\n", ep.ID, merchantID, ep.URL)
	fmt.Fprintln(env.stdout, "its signing secret (shown once; the receiver verifies the webhook-signature header with it):")
	fmt.Fprintln(env.stdout, ep.Secret)
	return nil
}

func webhookList(ctx context.Context, env environment, st store.Store, merchantID int64) error {
	eps, err := st.ListWebhookEndpoints(ctx, merchantID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tURL\tSECRET\tCREATED")
	for _, ep := range eps {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", ep.ID, ep.URL, webhook.SecretHint(ep.Secret), stamp(ep.CreatedAt))
	}
	return tw.Flush()
}

func webhookLog(ctx context.Context, env environment, st store.Store, merchantID, endpointID, after int64, limit int) error {
	ds, err := st.ListWebhookDeliveries(ctx, merchantID, endpointID, store.ListOptions{AfterID: after, Limit: limit + 1})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("merchant %d has no webhook endpoint %d", merchantID, endpointID)
	} else if err != nil {
		return err
	}
	more := len(ds) > limit
	ds = ds[:min(len(ds), limit)]
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEVENT\tCREATED\tATTEMPTS\tSTATE\tLAST STATUS\tNEXT ATTEMPT\tLAST ERROR")
	for _, d := range ds {
		state, next := "pending", stamp(d.NextAttempt)
		switch {
		case d.Delivered:
			state, next = "delivered", "-"
		case d.GaveUp:
			state, next = "gave up", "-"
		}
		status, lastErr := "-", "-"
		if d.LastStatus != 0 {
			status = strconv.Itoa(d.LastStatus)
		}
		if d.LastError != "" {
			lastErr = d.LastError
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", d.ID, d.EventType, stamp(d.CreatedAt), d.Attempts, state, status, next, lastErr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(env.stdout, "more: vatgate webhook log %d %d --after %d\n", merchantID, endpointID, ds[len(ds)-1].ID)
	}
	return nil
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Sprintf("%q is not an id", s)}
	}
	return id, nil
}

// envBool reads a boolean environment variable; unset is false.
func envBool(env environment, name string) (bool, error) {
	v := env.getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", name, v)
	}
	return b, nil
}
