#!/usr/bin/env bash
# Every benchmark of the pipeline, one after the other (issue 21): each figure against its baseline measured in the
# same run, printed as one table, exit 1 when a limit is missed or a benchmark did not run to its end.
#
#   scripts/bench.sh                 all of them at their full size (about an hour on 2 cores; the spike is most of it)
#   scripts/bench.sh fanout intake   only those named (collect export mime restart fanout intake spike cost)
#
# Each benchmark also has its own script (scripts/bench-<name>.sh) and a small version in scripts/test.sh. Run this on a
# quiet machine: the limits are ratios measured in one run, but two benchmarks or a build at the same time on 2 cores
# move them.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
all=(collect export mime restart fanout intake spike cost)
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=("${all[@]}")

[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build Infomat.Functions.sln -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null || { echo "build failed" >&2; exit 1; }
mkdir -p artifacts
declare -A outcome
for name in "${chosen[@]}"; do
  rm -f "artifacts/benchmark-$name.tsv"
  printf '\n== %s\n' "$name"
  start=$(date +%s)
  case "$name" in
    collect)
      # Part of the test run too (CollectBenchmarkTests, 200,000 contacts there); no separate script.
      BENCH_ROWS="${BENCH_ROWS:-1000000}" dotnet test tests/Infomat.Privacy.IntegrationTests -c Release --no-build --nologo --filter "FullyQualifiedName~CollectBenchmarkTests" \
        --logger "console;verbosity=normal" >artifacts/benchmark-collect.log 2>&1
      ;;
    *)
      if [ -x "scripts/bench-$name.sh" ]; then "scripts/bench-$name.sh"; else echo "no scripts/bench-$name.sh" >&2; false; fi
      ;;
  esac
  code=$?
  outcome[$name]="exit $code, $(( $(date +%s) - start )) s"
  if [ ! -s "artifacts/benchmark-$name.tsv" ]; then
    echo -e "$name\t(no figures: see artifacts/benchmark-$name.log)\t-\t-\t-\t-\tMISSED" > "artifacts/benchmark-$name.tsv"
  fi
done

printf '\n== Benchmarks on %s: %s cores, %s, %s GB memory; %s\n\n' "$(hostname)" "$(nproc)" \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
{
  echo -e "benchmark\tfigure\tmeasured\tbaseline (same run)\tratio/value\tlimit\tverdict"
  for name in "${chosen[@]}"; do cat "artifacts/benchmark-$name.tsv"; done
} | tee artifacts/benchmarks.tsv | awk -f scripts/table.awk
echo
missed=0
for name in "${chosen[@]}"; do
  echo "$name: ${outcome[$name]}"
  case "${outcome[$name]}" in "exit 0,"*) ;; *) missed=1 ;; esac
done
grep -q $'\tMISSED$' artifacts/benchmarks.tsv && missed=1
[ "$missed" = 0 ] && echo "All limits met." || echo "A LIMIT IS MISSED or a benchmark failed (above; logs in artifacts/)."
exit "$missed"
