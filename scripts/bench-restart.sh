#!/usr/bin/env bash
# The restart benchmark (issue 23): 500 open cases in the register, each with its orchestration waiting in the local
# host's task hub (Azure Storage provider on an Azurite of its own); the host is killed and started again. Limits: ready
# within 10 s, and a request submitted right after gets its verification mail within 5 s. Exit 1 when a limit is missed.
# BENCH_RESTART_CASES changes the number of cases (scripts/test.sh runs the same test with 20).
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
BENCH_RESTART_CASES="${BENCH_RESTART_CASES:-500}" run_benchmark_test restart RestartBenchmarkTests
