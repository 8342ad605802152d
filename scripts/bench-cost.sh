#!/usr/bin/env bash
# The cost benchmark (issue 21 item 5): one case of each shape (an access request to its download, an erasure, a request
# never verified) through the local host's Azure Storage durable engine on an Azurite of its own, counting what the
# Functions app is billed for: executions, their time (GB-s), storage transactions by service, mails, log entries, and
# the idle queue polling per hour. Prints artifacts/benchmark-cost.tsv; docs/cost.md turns the figures into money.
# BENCH_COST_IDLE_SECONDS sets the idle window (60 here; scripts/test.sh runs the same test with 10).
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
BENCH_COST_IDLE_SECONDS="${BENCH_COST_IDLE_SECONDS:-60}" run_benchmark_test cost CostBenchmarkTests
