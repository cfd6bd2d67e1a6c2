package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/omp"
)

// runRates prints the tax-rate table the OMP engine answers from, as in
// force on a date: every country (and its regions with rates of their own),
// US state and Canadian province, or those of one --country.
func runRates(env environment, args []string) error {
	fs := flag.NewFlagSet("vatgate rates", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	dateFlag := fs.String("date", "", "the date the rates are in force on, YYYY-MM-DD (default today, UTC)")
	country := fs.String("country", "", "only this area: an ISO 3166-1 alpha-3 code (with its regions, states or provinces), or USA-XX / CAN-XX")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"rates takes no positional arguments"}
	}
	on := civil.DateOf(time.Now().UTC())
	if *dateFlag != "" {
		d, err := civil.ParseDate(*dateFlag)
		if err != nil {
			return usageError{fmt.Sprintf("--date %q: want a date YYYY-MM-DD", *dateFlag)}
		}
		on = d
	}
	rows := omp.EmbeddedRates().Table(on)
	if *country != "" {
		if rows = filterArea(rows, strings.ToUpper(strings.TrimSpace(*country))); len(rows) == 0 {
			return fmt.Errorf("no tax rates for %q: give an ISO 3166-1 alpha-3 code, or USA-XX / CAN-XX", *country)
		}
	}
	return printRates(env, rows)
}

// filterArea keeps the rows of one area: a country with its regions
// ("PRT/Madeira") and, for USA and CAN, its states and provinces
// ("USA-CA"); or exactly one state or province.
func filterArea(rows []omp.RateRow, area string) []omp.RateRow {
	var out []omp.RateRow
	for _, r := range rows {
		if r.Area == area || strings.HasPrefix(r.Area, area+"/") || strings.HasPrefix(r.Area, area+"-") {
			out = append(out, r)
		}
	}
	return out
}

func printRates(env environment, rows []omp.RateRow) error {
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AREA\tNAME\tSTANDARD\tREDUCED\tOTHER\tFROM\tTO\tSOURCE\tUNCERTAIN")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Area, r.Name, r.Standard, percents(r.Reduced),
			figures(r.Extras), dateOr(r.EffectiveFrom, "-"), dateOr(r.EffectiveTo, "-"), orDash(r.Source), yesOr(r.Uncertain))
	}
	return tw.Flush()
}

// percents writes reduced rates as "12/5", "-" when there are none.
func percents(ds []money.Decimal) string {
	if len(ds) == 0 {
		return "-"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, "/")
}

// figures writes the further figures in force, "gst 5, qst 9.975": the
// engine answers some areas with one of them rather than the standard rate
// (Ghana's effective_combined, say), so the table must show them.
func figures(fs []omp.Figure) string {
	if len(fs) == 0 {
		return "-"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name + " " + f.Percent.String()
	}
	return strings.Join(parts, ", ")
}

// dateOr writes a period end; a zero one is open.
func dateOr(d civil.Date, open string) string {
	if d.IsZero() {
		return open
	}
	return d.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesOr(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
