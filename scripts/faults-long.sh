#!/usr/bin/env bash
# The long fault runs (README, "Fault tests"). `go test ./...` runs short
# versions of the same tests; VATGATE_FAULT_LONG=1 makes them long:
#
#   TestFaultCrashCycles       20 kill -9 cycles per backend (3 in CI)
#   TestFaultPostgresDown      5 proxy cuts of 15 s each (1 of 1.5 s)
#   TestFaultPostgresStopped   a private PostgreSQL cluster (initdb, pg_ctl),
#                              stopped with -m immediate under load 3 times for
#                              10 s and started again (long runs only)
#   TestFaultAccessPointDown   a 70-hour access point outage, simulated (30 h)
#   TestFaultDiskFull          4 fill / free rounds on a tmpfs (1); needs root
#   TestCluster                the cluster helper itself (long runs only)
#
# It takes about five minutes. PostgreSQL tests use VATGATE_TEST_POSTGRES
# (default below) for the shared server; the private cluster needs initdb and
# pg_ctl (on the PATH or in /usr/lib/postgresql/*/bin) and, as root, a
# postgres user. Extra arguments go to `go test` (e.g. -run TestFaultDiskFull).
set -euo pipefail
cd "$(dirname "$0")/.."

export VATGATE_FAULT_LONG=1
export VATGATE_TEST_POSTGRES="${VATGATE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"

go test -count=1 -v -timeout 30m -run 'TestFault|TestCluster' "$@" ./cmd/vatgate/ ./internal/faulttest/
