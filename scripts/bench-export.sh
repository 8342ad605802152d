#!/usr/bin/env bash
# The export benchmark (issue 6): throughput of the zip writer against DeflateStream on the same bytes (limit: 0.8x),
# and the peak memory of a 1 GB export against a 10 MB one, each in its own process (limits: 1.25x, under 256 MB).
# Usage: scripts/bench-export.sh [MB of records for the throughput run, default 100]. Exit 1 when a limit is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Infomat.Privacy.Benchmarks -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
mkdir -p artifacts
dotnet bench/Infomat.Privacy.Benchmarks/bin/Release/net10.0/Infomat.Privacy.Benchmarks.dll export "${1:-100}" | tee artifacts/benchmark-export.txt
