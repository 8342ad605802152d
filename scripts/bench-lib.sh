#!/usr/bin/env bash
# Shared by the benchmark scripts that run one integration test class (scripts/bench-<name>.sh): sourced, not run.
#
#   run_benchmark_test <name> <test class> [extra lines to print from the log (grep -E pattern)]
#
# Builds the integration tests, runs the class alone with its detailed log in artifacts/benchmark-<name>.log, then prints
# the figures the test wrote (artifacts/benchmark-<name>.tsv, and .txt when it writes one), or the log's end when it wrote
# none. Returns the test run's exit code and says whether the limits were met. The caller sets the size through the
# test's own BENCH_* variables before calling.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error

run_benchmark_test() {
  local name=$1 class=$2 extra=${3:-} status=0
  dotnet build tests/Infomat.Privacy.IntegrationTests -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
  mkdir -p artifacts
  rm -f "artifacts/benchmark-$name.tsv" "artifacts/benchmark-$name.txt"
  dotnet test tests/Infomat.Privacy.IntegrationTests -c Release --no-build --nologo --filter "FullyQualifiedName~$class" \
    --logger "console;verbosity=detailed" >"artifacts/benchmark-$name.log" 2>&1 || status=$?
  if [ -n "$extra" ]; then grep -E "$extra" "artifacts/benchmark-$name.log" | grep -v '^\[xUnit' | sed 's/^ *//' | cut -c1-220 || true; fi
  if [ -f "artifacts/benchmark-$name.tsv" ]; then cut -f2-7 "artifacts/benchmark-$name.tsv" | awk -f scripts/table.awk; fi
  if [ -f "artifacts/benchmark-$name.txt" ]; then cat "artifacts/benchmark-$name.txt"; fi
  if [ ! -f "artifacts/benchmark-$name.tsv" ] && [ ! -f "artifacts/benchmark-$name.txt" ]; then tail -40 "artifacts/benchmark-$name.log"; fi
  if [ "$status" = 0 ]; then echo "$name benchmark: all limits met"; else echo "$name benchmark: A LIMIT IS MISSED or the run failed (artifacts/benchmark-$name.log)"; fi
  return "$status"
}
