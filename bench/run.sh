#!/usr/bin/env bash
# The benchmark suite in one command: builds in Release, runs the micro-benchmarks (BenchmarkDotNet,
# short in-process job, a few minutes), then the no-op, ingest, paced, OTLP/HTTP and fetch runs against
# the standalone server, and prints every figure next to its target.
#   bench/run.sh                      everything
#   bench/run.sh --no-micro           skip the micro-benchmarks
#   bench/run.sh --duration 30 ...    options of Oteleport.Benchmarks.Load (see its --help)
set -euo pipefail
cd "$(dirname "$0")/.."
micro=1
if [[ "${1:-}" == "--no-micro" ]]; then
  micro=0
  shift
fi
dotnet build Oteleport.sln -c Release -nologo -v q
if [[ $micro == 1 ]]; then
  dotnet bench/Oteleport.Benchmarks.Micro/bin/Release/net10.0/Oteleport.Benchmarks.Micro.dll --filter '*'
fi
dotnet bench/Oteleport.Benchmarks.Load/bin/Release/net10.0/Oteleport.Benchmarks.Load.dll all "$@"
