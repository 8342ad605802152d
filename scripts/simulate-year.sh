#!/usr/bin/env bash
# The simulated years of issue 24: 2027 and 2028 (and the months after, until every case is answered) on a fake clock,
# no real waiting. Requests generated from a seed go through the product's case rules, deadline engine and daily sweep;
# every due date, reminder, overdue flag, extension and expiry is checked against a hand-written oracle
# (tests/Infomat.Privacy.Core.Tests/Simulation). Prints the report; exits non-zero on any miss, naming the case and day.
#
#   scripts/simulate-year.sh [--requests N] [--seed S]     (defaults: 600 requests, seed 2027)
# scripts/test.sh runs the small version (120 requests) with the other tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SIMULATION_REQUESTS=600
SIMULATION_SEED=2027
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) SIMULATION_REQUESTS="$2"; shift 2 ;;
    --seed) SIMULATION_SEED="$2"; shift 2 ;;
    *) echo "usage: scripts/simulate-year.sh [--requests N] [--seed S]" >&2; exit 2 ;;
  esac
done
mkdir -p artifacts
SIMULATION_REPORT="$(pwd)/artifacts/simulated-year.txt"
rm -f "$SIMULATION_REPORT"
export SIMULATION_REQUESTS SIMULATION_SEED SIMULATION_REPORT

dotnet build tests/Infomat.Privacy.Core.Tests -c Release --nologo -v quiet -clp:ErrorsOnly
status=0
dotnet test tests/Infomat.Privacy.Core.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~YearSimulationTests.Two_simulated_years" --logger "console;verbosity=minimal" >/dev/null || status=$?
if [ -f "$SIMULATION_REPORT" ]; then
  cat "$SIMULATION_REPORT"
else
  echo "The simulation wrote no report (see the test output: dotnet test ... --filter YearSimulationTests)." >&2
  status=1
fi
exit "$status"
