package main

import (
	"strings"
	"testing"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/omp"
)

func TestRatesCommand(t *testing.T) {
	tests := []struct {
		args []string
		rows []string // every row, header aside, in order; each field-separated by runs of spaces
	}{
		{[]string{"--date", "2026-04-01", "--country", "DEU"},
			[]string{"DEU Germany 19 7 - 2021-01-01 - ibericode, commerceguys, vatnode-tedb, hennrunnel-tedb, easytax-2026 -"}},
		// The German cut of 2020 is in force on its dates only.
		{[]string{"--country", "deu", "--date", "2020-09-01"},
			[]string{"DEU Germany 16 5 - 2020-07-01 2020-12-31 ibericode, commerceguys, vatnode-tedb, hennrunnel-tedb, easytax-2026 -"}},
		// A country comes with its regions; a province alone, with its parts.
		{[]string{"--date", "2026-04-01", "--country", "PRT"}, []string{
			"PRT Portugal 23 6/13 parking 13 - - ibericode, commerceguys, vatnode-tedb, hennrunnel-tedb -",
			"PRT/Azores Portugal (Azores) 16 4/9 - - - ibericode, commerceguys, vatnode-tedb, hennrunnel-tedb yes",
			"PRT/Madeira Portugal (Madeira) 22 5/12 - - - ibericode, commerceguys, vatnode-tedb, hennrunnel-tedb -",
		}},
		{[]string{"--date", "2026-04-01", "--country", "can-qc"}, []string{"CAN-QC Quebec 14.975 - gst 5, qst 9.975 - - ca-provinces -"}},
		{[]string{"--date", "2026-04-01", "--country", "USA-CA"}, []string{"USA-CA California 7.25 - - - - us-dataset -"}},
	}
	for _, tt := range tests {
		out, _, err := vatgate(t, append([]string{"rates"}, tt.args...)...)
		if err != nil {
			t.Fatalf("rates %v: %v", tt.args, err)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if got := strings.Join(strings.Fields(lines[0]), " "); got != "AREA NAME STANDARD REDUCED OTHER FROM TO SOURCE UNCERTAIN" {
			t.Errorf("rates %v: header %q", tt.args, got)
		}
		if len(lines)-1 != len(tt.rows) {
			t.Errorf("rates %v: %d rows, want %d:\n%s", tt.args, len(lines)-1, len(tt.rows), out)
			continue
		}
		for i, want := range tt.rows {
			if got := strings.Join(strings.Fields(lines[i+1]), " "); got != want {
				t.Errorf("rates %v row %d:\n got %q\nwant %q", tt.args, i, got, want)
			}
		}
	}
}

// Without --country the whole table is printed: one line per row of the
// engine's table; USA brings its states.
func TestRatesWholeTable(t *testing.T) {
	out, _, err := vatgate(t, "rates", "--date", "2026-04-01")
	if err != nil {
		t.Fatal(err)
	}
	rows := omp.EmbeddedRates().Table(civil.Date{Year: 2026, Month: 4, Day: 1})
	if n := strings.Count(out, "\n"); n != len(rows)+1 {
		t.Errorf("%d lines for %d rows", n, len(rows))
	}
	out, _, err = vatgate(t, "rates", "--date", "2026-04-01", "--country", "USA")
	if err != nil || strings.Count(out, "\nUSA-") != 51 || !strings.Contains(out, "\nUSA ") {
		t.Errorf("rates --country USA: %v\n%s", err, out)
	}
}

func TestRatesErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--date", "2025-02-30"}, {"--date", "01/04/2026"}, {"DEU"},
	} {
		if _, _, err := vatgate(t, append([]string{"rates"}, args...)...); err == nil || exitCode(err) != 2 {
			t.Errorf("rates %v: err %v, exit %d; want a usage error", args, err, exitCode(err))
		}
	}
	_, _, err := vatgate(t, "rates", "--date", "2026-04-01", "--country", "XYZ")
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), `no tax rates for "XYZ"`) {
		t.Errorf("unknown country: %v", err)
	}
}
