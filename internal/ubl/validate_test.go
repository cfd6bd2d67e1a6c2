package ubl

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// validateEnv names the official validator. CI does not have the Peppol
// artefacts, so the test runs only where the variable is set:
//
//	VATGATE_PEPPOL_VALIDATE=/work/shared/tools/peppol-validate go test ./internal/ubl/ -run TestPeppolValidate -v
const validateEnv = "VATGATE_PEPPOL_VALIDATE"

// randomDocs is how many randomized e-documents the validation run adds to
// the golden files; VATGATE_PEPPOL_RANDOM=n and VATGATE_PEPPOL_SEED=s
// change the count and the seed.
const randomDocs = 300

// TestPeppolValidate generates every golden document and a wide range of
// randomized ones into a temporary folder and runs the official validator
// (UBL XSD, CEN EN 16931 and Peppol BIS 3.0 schematron) on all of them in
// one call. It fails on any fatal finding and logs the warnings.
func TestPeppolValidate(t *testing.T) {
	tool := os.Getenv(validateEnv)
	if tool == "" {
		t.Skipf("set %s to the peppol-validate script to run the official Peppol BIS 3.0 validation artefacts", validateEnv)
	}
	dir := t.TempDir()
	var files []string
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, g := range goldenCases() {
		out, err := Generate(g.doc.edoc(t), g.parties)
		if err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
		write("golden-"+g.name, out)
	}
	n, seed := randomDocs, uint64(2026)
	if v, err := strconv.Atoi(os.Getenv("VATGATE_PEPPOL_RANDOM")); err == nil {
		n = v
	}
	if v, err := strconv.ParseUint(os.Getenv("VATGATE_PEPPOL_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(4, seed))
	for i := range n {
		d, p := randomDoc(r, i)
		out, err := Generate(d.edoc(t), p)
		if err != nil {
			t.Fatalf("random %d (%s -> %s): %v", i, d.Supplier.Name, d.Customer.Name, err)
		}
		write(fmt.Sprintf("random-%03d", i), out)
	}
	if keep := os.Getenv("VATGATE_PEPPOL_KEEP"); keep != "" {
		for _, f := range files {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(keep, filepath.Base(f)), data, 0o644)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tool, append([]string{"--tsv"}, files...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := map[string]string{} // file -> PASS or FAIL
	warnings := map[string]int{}
	var fatals []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 || !strings.HasSuffix(f[0], ".xml") {
			continue
		}
		status[f[0]] = f[1]
		if len(f) >= 4 {
			switch f[2] {
			case "fatal":
				fatals = append(fatals, filepath.Base(f[0])+" "+strings.Join(f[3:], " "))
			case "warning":
				warnings[f[3]]++
			}
		}
	}
	pass, fail := 0, 0
	for _, s := range status {
		if s == "PASS" {
			pass++
		} else {
			fail++
		}
	}
	t.Logf("%s --tsv on %d files: %d PASS, %d FAIL, %d fatal findings", tool, len(files), pass, fail, len(fatals))
	rules := make([]string, 0, len(warnings))
	for rule := range warnings {
		rules = append(rules, rule)
	}
	sort.Strings(rules)
	for _, rule := range rules {
		t.Logf("warning %s x%d", rule, warnings[rule])
	}
	for _, f := range fatals {
		t.Errorf("fatal: %s", f)
	}
	if len(status) != len(files) {
		t.Errorf("the validator reported on %d of %d files:\n%s", len(status), len(files), stderr.String())
	}
	if err != nil && len(fatals) == 0 {
		t.Fatalf("%s: %v\n%s", tool, err, stderr.String())
	}
}
