#!/usr/bin/env bash
# Peak memory of pacer run on a large input: N requests of about PAD bytes each (default 100,000 × 10 KB, about 1 GB),
# against the built-in simulator. The run is interrupted (SIGINT) after SECONDS of sending, since sending 100,000
# requests at 1,000 RPM takes 100 minutes; the whole file has been read once by then (the check) and the run streams
# the rest. Usage: bench/cli/memory.sh [N] [PAD] [SECONDS]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-100000}"; pad="${2:-10000}"; seconds="${3:-60}"
work=$(mktemp -d)
dotnet build src/Pacer.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
python3 bench/cli/make-requests.py "$n" "$work/requests.jsonl" --pad "$pad"
ls -l "$work/requests.jsonl"
export ANTHROPIC_RATE_LIMIT_PER_MINUTE=1000 ANTHROPIC_CONCURRENT_REQUESTS=50
export Simulator__Limits__RequestsPerMinute=1000 Simulator__Limits__InputTokensPerMinute=100000000 Simulator__Limits__OutputTokensPerMinute=1000000
cd "$work"
/usr/bin/time -f "peak RSS %M KiB, wall %e s" dotnet "$OLDPWD/src/Pacer.Cli/bin/Release/net10.0/Pacer.Cli.dll" run requests.jsonl --out results.jsonl --progress-every 10 &
runner=$!
# Wait for the first result (the check of the whole file is over), then let it send for SECONDS more.
until [ -s results.jsonl ]; do sleep 1; done
echo "first result after the check of the whole file"
sleep "$seconds"
# SIGTERM (handled as Ctrl+C) to the pacer process itself, the child of time, by its id: a job started with & in a
# script ignores SIGINT, and .NET keeps a signal ignored that was ignored when the process started.
kill -TERM "$(pgrep -P "$runner")"
wait "$runner" || true
wc -l results.jsonl
rm -f requests.jsonl
