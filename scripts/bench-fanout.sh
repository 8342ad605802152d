#!/usr/bin/env bash
# The fan-out benchmark (issue 21 item 2): an access request over 2 stores and one over 20 stores, each store taking
# 200 ms to answer, from the staff decision to the export mail, on the local host's durable engine (the Azure Storage
# provider on an Azurite of its own) with the concurrency of host.json. Limit: 20 stores at most 1.5 times 2 stores.
# Prints the median of BENCH_FANOUT_ROUNDS rounds (default here 9; scripts/test.sh runs the same test with 5) and where
# the time goes. BENCH_FANOUT_ACTIVITIES=N tries another maxConcurrentActivityFunctions. Exit 1 when the limit is missed.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
BENCH_FANOUT_ROUNDS="${BENCH_FANOUT_ROUNDS:-9}" run_benchmark_test fanout FanOutBenchmarkTests "stores, round"
