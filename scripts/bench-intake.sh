#!/usr/bin/env bash
# The intake benchmark (issue 21 item 1): POST /api/requests, JSON and form, at 1, 16 and 64 concurrent clients, the
# intake as the local host serves it (Azure Storage durable provider on an Azurite of its own) against a bare ASP.NET
# Core minimal API doing the same validation and register write, each side in two halves run in the order bare,
# intake, intake, bare. Limits: at least 0.5x the bare API's requests per second, p99 within 2x, no answer but accepted
# ones; a burst of one client at the default limits gets only 429s with Retry-After beyond them; every accepted request
# is in the register. Exit 1 when a limit is missed.
# BENCH_INTAKE_REQUESTS changes the requests per side, concurrency and body kind (scripts/test.sh runs it with 12);
# BENCH_INTAKE_WARMUP the unmeasured requests per side and body kind first (200 here, 8 in scripts/test.sh): with 20,
# the first measured round ran the durable engine's code before the JIT had tiered it up (JSON at one client 0.24x the
# bare API, 0.40x after 200, same build). BENCH_INTAKE_CLIENTS picks the concurrencies (e.g. 1 to look at one round).
# Then batches of 50 per side and kind until the runtime's JIT has settled (decision 145), for at most
# BENCH_INTAKE_JIT_SECONDS (120 here, none in scripts/test.sh). BENCH_INTAKE_FRESH_REGISTER=1 then empties the register's tables before the
# measured rounds (a control: the JIT settled, the tables as small as a first round's; off by default). The waiting cases' timers
# are cleared from the task hub's queues before each bare half (decision 147); BENCH_INTAKE_KEEP_TIMERS=1 keeps them.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
rm -f artifacts/benchmark-intake.partial.txt
BENCH_INTAKE_WARMUP="${BENCH_INTAKE_WARMUP:-200}" BENCH_INTAKE_REQUESTS="${BENCH_INTAKE_REQUESTS:-1000}" run_benchmark_test intake IntakeBenchmarkTests
