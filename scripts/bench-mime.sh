#!/usr/bin/env bash
# The hostile-MIME benchmark (issue 21 item 4): 10,000 nested multiparts, 50,000 parts, a 50 MB base64 attachment and a
# zip bomb attachment through the intake's MIME reader, each timed from the first byte to its refusal with the bytes it
# allocated, against a normal 50 KB message. Limits: under 100 ms and 64 MB each. Exit 1 when a limit is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Infomat.Privacy.Benchmarks -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
mkdir -p artifacts
dotnet bench/Infomat.Privacy.Benchmarks/bin/Release/net10.0/Infomat.Privacy.Benchmarks.dll mime | tee artifacts/benchmark-mime.txt
