package omp

import "testing"

// BenchmarkDetermine answers a mix of EU, UK, US and Canadian requests (with
// currency conversions through the ECB snapshot) in process.
func BenchmarkDetermine(b *testing.B) {
	reqs := []Request{
		Request(q().ioss()),                                                                                 // EU E2
		Request(q().cur("USD").amt("156.98").ioss()),                                                        // EU E4, converted
		Request(q().vendor("KOR").from("DEU").to("FRA")),                                                    // EU E5
		Request(q().vendor("POL").from("POL").to("LVA").b2b()),                                              // EU E8
		Request(q().to("GBR").cur("GBP").amt("120")),                                                        // UK U1
		Request(q().to("GBR").cur("USD").amt("400")),                                                        // UK U3, converted
		Request(q().to("USA").from("USA").cur("USD").state("CA").nexus("CA")),                               // US T3
		Request(q().to("USA").from("USA").cur("USD").state("TX")),                                           // US T4
		Request(q().to("CAN").from("CAN").cur("CAD").state("QC")),                                           // CA K2
		Request(q().to("CAN").cur("CAD").state("ON")),                                                       // CA K1
		Request(q().to("NOR").cur("NOK").amt("5000").items(it("1000", "", "", ""), it("3500", "", "", ""))), // VOEC basket
		Request(q().vendor("USA").from("USA").digital("ebook")),                                             // digital EU
	}
	e := New(testEngine.fx)
	for _, r := range reqs {
		if _, err := e.Determine(r, day("2026-04-10")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Determine(reqs[i%len(reqs)], day("2026-04-10")); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
