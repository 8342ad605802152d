#!/usr/bin/env bash
# The cost benchmark (issue 21 item 5): one case of each shape (an access request to its download, an erasure, a request
# never verified) through the local host's Azure Storage durable engine on an Azurite of its own, counting what the
# Functions app is billed for: executions, their time (GB-s), storage transactions by service, mails, log entries, and
# the idle queue polling per hour. Prints artifacts/benchmark-cost.tsv; docs/cost.md turns the figures into money.
# BENCH_COST_IDLE_SECONDS sets the idle window (60 here; scripts/test.sh runs the same test with 10).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build tests/Infomat.Privacy.IntegrationTests -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
mkdir -p artifacts
rm -f artifacts/benchmark-cost.tsv artifacts/benchmark-cost.txt
status=0
BENCH_COST_IDLE_SECONDS="${BENCH_COST_IDLE_SECONDS:-60}" dotnet test tests/Infomat.Privacy.IntegrationTests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~CostBenchmarkTests" --logger "console;verbosity=normal" >artifacts/benchmark-cost.log 2>&1 || status=$?
if [ -f artifacts/benchmark-cost.tsv ]; then
  awk -F'\t' '{ printf "%-92s %16s  %-16s %s\n", $2, $3, $6, $7 }' artifacts/benchmark-cost.tsv
  [ -f artifacts/benchmark-cost.txt ] && cat artifacts/benchmark-cost.txt
else
  tail -40 artifacts/benchmark-cost.log
fi
[ "$status" = 0 ] && echo "cost benchmark: all limits met" || echo "cost benchmark: A LIMIT IS MISSED (artifacts/benchmark-cost.log)"
exit "$status"
