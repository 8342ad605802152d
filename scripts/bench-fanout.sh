#!/usr/bin/env bash
# The fan-out benchmark (issue 21 item 2): an access request over 2 stores and one over 20 stores, each store taking
# 200 ms to answer, from the staff decision to the export mail, on the local host's durable engine (the Azure Storage
# provider on an Azurite of its own) with the concurrency of host.json. Limit: 20 stores at most 1.5 times 2 stores.
# Prints the median of BENCH_FANOUT_ROUNDS rounds (default here 9; scripts/test.sh runs the same test with 5) and where
# the time goes. BENCH_FANOUT_ACTIVITIES=N tries another maxConcurrentActivityFunctions. Exit 1 when the limit is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build tests/Infomat.Privacy.IntegrationTests -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
mkdir -p artifacts
rm -f artifacts/benchmark-fanout.tsv
status=0
BENCH_FANOUT_ROUNDS="${BENCH_FANOUT_ROUNDS:-9}" dotnet test tests/Infomat.Privacy.IntegrationTests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~FanOutBenchmarkTests" --logger "console;verbosity=detailed" >artifacts/benchmark-fanout.log 2>&1 || status=$?
grep -E "stores, round" artifacts/benchmark-fanout.log | grep -v '^\[xUnit' | sed 's/^ *//' | cut -c1-220 || true
if [ -f artifacts/benchmark-fanout.tsv ]; then cut -f2-7 artifacts/benchmark-fanout.tsv | awk -f scripts/table.awk; else tail -40 artifacts/benchmark-fanout.log; fi
[ "$status" = 0 ] && echo "fan-out benchmark: the limit is met" || echo "fan-out benchmark: THE LIMIT IS MISSED (artifacts/benchmark-fanout.log)"
exit "$status"
