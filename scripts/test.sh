#!/usr/bin/env bash
# Installs what the tests need (Azurite, Chromium, PostgreSQL, Bicep), builds with warnings as errors, checks the Bicep templates, publishes the
# Functions app and runs every test. Ends with one line "N passed, N failed[, N skipped]"; non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONFIG=Release
ARTIFACTS="$ROOT/artifacts"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n== %s\n' "$*"; }

step "Tools"
# What the tests need besides .NET installs in the background while the solution builds (a CI machine downloads
# Chromium and PostgreSQL there: a minute or two, mostly waiting on the network, that the build's CPU work now covers);
# each install's output goes to artifacts/tools-*.log and the tests wait for both below.
mkdir -p "$ARTIFACTS"
# Debian Chromium for the browser tests (Playwright drives it; it never downloads a browser) and the PostgreSQL server
# binaries for the store contract tests (the tests start their own cluster), in one apt-get (one holds dpkg's lock).
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-liberation)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
if [ "${#packages[@]}" -gt 0 ] && [ "$(id -u)" != 0 ]; then
  echo "Missing: ${packages[*]}: run 'sudo apt-get install -y ${packages[*]}'" >&2; exit 1
fi
# Whatever ends this script (a failed build, Ctrl-C) waits for the installs rather than leave them running: an apt-get
# left half-way holds dpkg's lock, and an npm ci half-way leaves node_modules half-written for the next run.
trap 'wait' EXIT
# Azurite (storage emulator) and the Adaptive Cards renderer, pinned in package-lock.json. The tests start their own
# Azurite on free ports.
( if [ ! -x node_modules/.bin/azurite ] || [ ! -f node_modules/adaptivecards/dist/adaptivecards.min.js ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi ) > "$ARTIFACTS/tools-npm.log" 2>&1 &
npm_job=$!
( if [ "${#packages[@]}" -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi ) > "$ARTIFACTS/tools-apt.log" 2>&1 &
apt_job=$!
# Bicep CLI from its NuGet package.
dotnet restore tools/bicep/bicep.csproj --verbosity quiet
NUGET_ROOT=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
BICEP="$NUGET_ROOT/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"
chmod +x "$BICEP"

step "Build (warnings are errors)"
dotnet build Infomat.Functions.sln -c "$CONFIG" --nologo -v quiet -clp:ErrorsOnly

step "Publish the Functions app"
rm -rf "$ARTIFACTS/functions"
dotnet publish src/Infomat.Functions/Infomat.Functions.csproj -c "$CONFIG" --no-build -o "$ARTIFACTS/functions" --nologo -v quiet
test -f "$ARTIFACTS/functions/functions.metadata"

step "Bicep build and lint"
# Any finding fails, warnings included (bicepconfig.json raises the rules that matter to errors; a warning such as an
# unknown property name would otherwise pass silently).
"$BICEP" build infra/main.bicep --outfile "$ARTIFACTS/main.json" 2>&1 | tee "$ARTIFACTS/bicep.txt"
"$BICEP" lint infra/main.bicep 2>&1 | tee -a "$ARTIFACTS/bicep.txt"
if [ -s "$ARTIFACTS/bicep.txt" ]; then echo "Bicep reported findings (above): fix them." >&2; exit 1; fi

step "Shell scripts parse"
# Scripts that cannot run here (what-if.sh needs an Azure subscription) are at least checked for syntax.
for script in scripts/*.sh scripts/azd/*.sh; do bash -n "$script"; done

step "Tools installed in the background"
if ! wait "$npm_job"; then cat "$ARTIFACTS/tools-npm.log" >&2; echo "npm ci failed (above)" >&2; exit 1; fi
if ! wait "$apt_job"; then cat "$ARTIFACTS/tools-apt.log" >&2; echo "apt-get install ${packages[*]} failed (above)" >&2; exit 1; fi
if ! { [ -x node_modules/.bin/azurite ] && [ -f node_modules/adaptivecards/dist/adaptivecards.min.js ] && [ -x /usr/bin/chromium ] \
  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }; then
  echo "Azurite, the Adaptive Cards renderer, Chromium or PostgreSQL is still missing after the installs (artifacts/tools-*.log)" >&2; exit 1
fi
echo "npm packages, Chromium and PostgreSQL ready"

step "Tests"
# The small soak run of issue 14 (SoakTests: 16 requests under injected faults, one host kill) runs with the others;
# scripts/soak.sh runs the full one. Its size comes from SOAK_*: not from a caller's environment here.
unset SOAK_CASES SOAK_SEED SOAK_KILLS BENCH_ROWS BENCH_RESTART_CASES BENCH_FANOUT_ROUNDS BENCH_FANOUT_ACTIVITIES BENCH_INTAKE_REQUESTS BENCH_INTAKE_CLIENTS BENCH_INTAKE_WARMUP BENCH_INTAKE_JIT_SECONDS BENCH_INTAKE_FRESH_REGISTER BENCH_INTAKE_KEEP_TIMERS
# The small simulated-years run of issue 24 (YearSimulationTests: 120 requests over 2027-2028 on a fake clock, about 2 s)
# runs with the others too; scripts/simulate-year.sh runs the full one. Its size comes from SIMULATION_*: not from here.
unset SIMULATION_REQUESTS SIMULATION_SEED SIMULATION_REPORT
# The cost benchmark of issue 21 item 5 (CostBenchmarkTests) runs with the others with a 10 s idle window; scripts/bench-cost.sh with 60 s.
unset BENCH_COST_IDLE_SECONDS
# The small spike run of issue 21 (SpikeBenchmarkTests: 80 requests at 2 a second on 50,000 contacts) runs with the
# others too; scripts/bench-spike.sh runs the full one (10,000 on a million). Its size comes from BENCH_SPIKE_*: not from here.
unset BENCH_SPIKE_REQUESTS BENCH_SPIKE_RATE BENCH_SPIKE_ROWS BENCH_SPIKE_SEED
RESULTS="$ARTIFACTS/test-results"
rm -rf "$RESULTS" "$ARTIFACTS/benchmark-collect.txt" "$ARTIFACTS/benchmark-restart.txt" "$ARTIFACTS"/benchmark-*.tsv
status=0
INFOMAT_FUNCTIONS_PUBLISH_DIR="$ARTIFACTS/functions" \
  dotnet test Infomat.Functions.sln -c "$CONFIG" --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$RESULTS" \
    --blame-crash --blame-crash-dump-type mini || status=$?
find "$RESULTS" -name '*.dmp' -delete 2>/dev/null || true

passed=0; failed=0; skipped=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
  # A test host that crashed or was killed loses the test it was running (and results not yet sent); the run's RunInfos
  # then hold the reason (with --blame, the test that was running), printed at the end.
  if grep -q "<RunInfos>" "$trx"; then
    aborted_runs="${aborted_runs:-}$(basename "$trx"): $(sed -n '/<RunInfos>/,/<\/RunInfos>/p' "$trx" | sed -e '/<\/*RunInfo/d' -e 's/.*<Text>//' -e 's/<\/Text>.*//' | head -c 3000)
"
  fi
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed although no result did: a crash. Counted as one failure so the last line cannot read as a pass.
  failed=1
  aborted_runs="${aborted_runs:-}dotnet test exited with $status without a failed test (test host crash? see 'The active test run was aborted' above)
"
fi
[ -f "$ARTIFACTS/benchmark-collect.txt" ] && cat "$ARTIFACTS/benchmark-collect.txt"
# The small restart benchmark (issue 23: 20 open cases; scripts/bench-restart.sh runs 500) ran with the tests.
[ -f "$ARTIFACTS/benchmark-restart.txt" ] && cat "$ARTIFACTS/benchmark-restart.txt"

step "Export benchmark (run alone, after the tests: it measures a 1 GB export)"
# "Run alone": what the tests started may still be winding down (in CI the two-threaded export slowed while the
# one-threaded DeflateStream did not). Wait, at most 60 s, until the cores are idle (under 10 % busy over a second).
for waited in $(seq 1 60); do
  read -r _ a1 a2 a3 a4 a5 a6 a7 _ < /proc/stat
  sleep 1
  read -r _ b1 b2 b3 b4 b5 b6 b7 _ < /proc/stat
  total=$(( (b1 + b2 + b3 + b4 + b5 + b6 + b7) - (a1 + a2 + a3 + a4 + a5 + a6 + a7) ))
  idle=$(( (b4 + b5) - (a4 + a5) ))
  if [ "$total" -gt 0 ] && [ $(( 100 * (total - idle) / total )) -lt 10 ]; then break; fi
done
echo "cores idle (under 10 % busy) after ${waited} s of waiting (at most 60)"
# Counted as one more test: it fails when a memory limit of issue 6 is missed (peak memory of a 1 GB export). Its
# throughput ratio (0.8x DeflateStream) is printed, not held here: at the end of a CI run on two busy cores it read
# 0.74-0.93 with the same code (0.79 on 5 December failed a CI run); scripts/bench-export.sh holds it (decision 119), on
# 100 MB of records; here 25 MB (about 14 s instead of 45: a figure not held need not be long).
if dotnet "bench/Infomat.Privacy.Benchmarks/bin/$CONFIG/net10.0/Infomat.Privacy.Benchmarks.dll" export 25 --speed-not-held | tee "$ARTIFACTS/benchmark-export.txt"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
step "Hostile MIME benchmark (issue 21 item 4: each crafted message refused in under 100 ms and 64 MB)"
if dotnet "bench/Infomat.Privacy.Benchmarks/bin/$CONFIG/net10.0/Infomat.Privacy.Benchmarks.dll" mime | tee "$ARTIFACTS/benchmark-mime.txt"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
step "Benchmark figures (the small versions that ran above; scripts/bench.sh runs them all at full size)"
cat "$ARTIFACTS"/benchmark-*.tsv 2>/dev/null | awk -f scripts/table.awk || true
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then status=1; echo "No test ran." >&2; fi
if [ -n "${aborted_runs:-}" ]; then
  step "Test runs that did not complete"
  printf '%s' "$aborted_runs"
  # --blame-crash wrote which tests were running (Completed="False") and a dump, too big to keep in artifacts.
  find "$RESULTS" -name 'Sequence_*.xml' -exec grep -h 'Completed="False"' {} + 2>/dev/null | sed 's/^ */running at the crash: /' || true
fi
if [ "$failed" -gt 0 ]; then
  step "Failed tests (why, from the .trx files)"
  awk -f scripts/failed-tests.awk "$RESULTS"/*.trx 2>/dev/null | head -c 6000 || true
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] || status=1
exit "$status"
