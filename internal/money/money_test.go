package money

import "testing"

func TestParse(t *testing.T) {
	good := map[string]string{
		"75.00": "75", "3678.30": "3678.3", "0": "0", "-1.5": "-1.5", "1.5e2": "150",
		"1E-2": "0.01", "0.1": "0.1", "12345678901234567.89": "12345678901234567.89",
	}
	for in, want := range good {
		d, err := Parse(in)
		if err != nil || d.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "-", "+1", "01", "1.", ".5", "1e", "0x10", "NaN", "Infinity", " 1", "1 ", "1,5", "1e9999", "\"1\""} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestPlaces(t *testing.T) {
	for in, want := range map[string]int{
		"75": 0, "75.00": 0, "75.1": 1, "75.10": 1, "75.12": 2, "75.120": 2, "75.123": 3, "0.001": 3, "1e-2": 2, "1.5e2": 0,
	} {
		if got := Places(MustParse(in)); got != want {
			t.Errorf("Places(%s) = %d, want %d", in, got, want)
		}
	}
}

func TestIntegerDigits(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "0.99": 0, "1": 1, "-12.5": 2, "999999999999999.99": 15, "1e15": 16} {
		if got := IntegerDigits(MustParse(in)); got != want {
			t.Errorf("IntegerDigits(%s) = %d, want %d", in, got, want)
		}
	}
}

func TestFormats(t *testing.T) {
	for in, want := range map[string]string{"3678.30": "3678.3", "5002.00": "5002.0", "0": "0.0", "12.34": "12.34", "-1": "-1.0"} {
		if got := Short(MustParse(in)); got != want {
			t.Errorf("Short(%s) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"120": "120.00", "3678.3": "3678.30", "0.05": "0.05"} {
		if got := Fixed2(MustParse(in)); got != want {
			t.Errorf("Fixed2(%s) = %q, want %q", in, got, want)
		}
	}
}
