#!/usr/bin/env bash
# The intake benchmark (issue 21 item 1): POST /api/requests, JSON and form, at 1, 16 and 64 concurrent clients, the
# intake as the local host serves it (Azure Storage durable provider on an Azurite of its own) against a bare ASP.NET
# Core minimal API doing the same validation and register write, in alternating rounds. Limits: at least 0.5x the bare
# API's requests per second, p99 within 2x, no answer but accepted ones; a burst of one client at the default limits gets
# only 429s with Retry-After beyond them; every accepted request is in the register. Exit 1 when a limit is missed.
# BENCH_INTAKE_REQUESTS changes the requests per side, concurrency and body kind (scripts/test.sh runs it with 50).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build tests/Infomat.Privacy.IntegrationTests -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
mkdir -p artifacts
rm -f artifacts/benchmark-intake.txt artifacts/benchmark-intake.partial.txt
status=0
BENCH_INTAKE_REQUESTS="${BENCH_INTAKE_REQUESTS:-1000}" dotnet test tests/Infomat.Privacy.IntegrationTests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~IntakeBenchmarkTests" --logger "console;verbosity=normal" >artifacts/benchmark-intake.log 2>&1 || status=$?
if [ -f artifacts/benchmark-intake.txt ]; then cat artifacts/benchmark-intake.txt; else tail -40 artifacts/benchmark-intake.log; fi
[ "$status" = 0 ] && echo "intake benchmark: all limits met" || echo "intake benchmark: A LIMIT IS MISSED (artifacts/benchmark-intake.log)"
exit "$status"
