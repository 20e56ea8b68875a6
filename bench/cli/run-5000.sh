#!/usr/bin/env bash
# pacer run on 5,000 requests against the built-in simulator with Tier 2 limits (1,000 RPM, 450k ITPM, 90k OTPM,
# realistic latency), engine at its widest seed ranges (1,000 RPM, 50 concurrent). Prints the summary and the peak
# memory. Usage: bench/cli/run-5000.sh [N]   (from the repository root; builds src/Pacer.Cli in Release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-5000}"
work=$(mktemp -d)
dotnet build src/Pacer.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
python3 bench/cli/make-requests.py "$n" "$work/requests.jsonl"
export ANTHROPIC_RATE_LIMIT_PER_MINUTE=1000 ANTHROPIC_CONCURRENT_REQUESTS=50
export Simulator__Limits__RequestsPerMinute=1000 Simulator__Limits__InputTokensPerMinute=450000 Simulator__Limits__OutputTokensPerMinute=90000
cd "$work"
/usr/bin/time -f "peak RSS %M KiB, CPU %U s user %S s system" \
  dotnet "$OLDPWD/src/Pacer.Cli/bin/Release/net10.0/Pacer.Cli.dll" run requests.jsonl --out results.jsonl --progress-every 30 || true
python3 - <<'PY'
import json, collections
ids, types, errors = set(), collections.Counter(), collections.Counter()
for line in open("results.jsonl"):
    r = json.loads(line); ids.add(r["custom_id"]); types[r["result"]["type"]] += 1
    if r["result"]["type"] == "errored": errors[r["result"]["error"]["error"]["type"]] += 1
print(f"results: {sum(types.values())} lines, {len(ids)} distinct custom_ids, {dict(types)}, errors {dict(errors)}")
PY
echo "work folder: $work"
