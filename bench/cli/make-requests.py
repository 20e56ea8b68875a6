#!/usr/bin/env python3
"""Writes N Message Batches request lines with prompts of varied length (seeded), for the pacer run benchmark.

Usage: make-requests.py N OUT.jsonl [--max-tokens 100] [--pad BYTES]
--pad adds that many bytes of text to each prompt (to make a large input file for the memory measurement)."""
import json, random, sys

n, path = int(sys.argv[1]), sys.argv[2]
max_tokens = int(sys.argv[sys.argv.index("--max-tokens") + 1]) if "--max-tokens" in sys.argv else 100
pad = int(sys.argv[sys.argv.index("--pad") + 1]) if "--pad" in sys.argv else 0
words = "pace limit token bucket request answer model batch queue wait retry header budget minute".split()
rng = random.Random(7)
filler = ("lorem ipsum " * (pad // 12 + 1))[:pad]
with open(path, "w") as out:
    for i in range(n):
        prompt = " ".join(rng.choice(words) for _ in range(rng.randint(20, 400)))
        out.write(json.dumps({"custom_id": f"req-{i}", "params": {"model": "claude-sonnet-4-5", "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": prompt + filler}]}}) + "\n")
