#!/usr/bin/env python3
"""Interactive requests' queue wait at a gateway with and without a batch saturating it (pacer run --base-url).

Starts the gateway (built-in simulator upstream), sends interactive requests at a steady rate for PHASE seconds alone,
then starts `pacer run --priority batch --base-url GATEWAY` on a large file and sends the same interactive stream again.
Reports the interactive queue wait (x-pacer-queue-ms) p50/p95/max in both phases, and the batch's admissions per minute
during the second phase against what the interactive traffic left of the gateway's requests-per-minute limit.

Usage (from the repository root, after `dotnet build -c Release src/Pacer.Gateway src/Pacer.Cli`):
  python3 bench/cli/priority.py [--rpm 600] [--interactive-per-second 1] [--phase 60] [--batch-min-share 10]"""
import json, os, re, statistics, subprocess, sys, tempfile, threading, time, urllib.request

def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default

rpm, rate, phase, share = arg("--rpm", 600), arg("--interactive-per-second", 1.0), arg("--phase", 60), arg("--batch-min-share", 10)
root = os.getcwd()
work = tempfile.mkdtemp(prefix="pacer-priority-")
env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "PACER_", "Simulator__"))}
simulator = {"Simulator__Limits__RequestsPerMinute": "4000", "Simulator__Limits__InputTokensPerMinute": "2000000",
             "Simulator__Limits__OutputTokensPerMinute": "400000"}
gateway_env = dict(env, **simulator, PACER_GATEWAY_URLS="http://127.0.0.1:0", ANTHROPIC_RATE_LIMIT_PER_MINUTE=str(rpm),
                   ANTHROPIC_CONCURRENT_REQUESTS="50", PACER_BATCH_MIN_SHARE=str(share))
gateway = subprocess.Popen(["dotnet", f"{root}/src/Pacer.Gateway/bin/Release/net10.0/Pacer.Gateway.dll"], cwd=work, env=gateway_env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
address = None
for line in gateway.stdout:
    m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
    if m:
        address = m.group(1)
        break
threading.Thread(target=lambda: [None for _ in gateway.stdout], daemon=True).start()
print(f"gateway {address}, operator limit {rpm} RPM, interactive {rate}/s, phases of {phase} s, batch min share {share}%")

body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Quick question"}]}).encode()

def interactive(waits, errors):
    req = urllib.request.Request(address + "/v1/messages", data=body, method="POST", headers={
        "x-api-key": "sk-ant-bench", "anthropic-version": "2023-06-01", "content-type": "application/json",
        "x-pacer-priority": "interactive", "x-pacer-user": "interactive"})
    try:
        with urllib.request.urlopen(req, timeout=300) as response:
            response.read()
            waits.append(int(response.headers.get("x-pacer-queue-ms", "0")))
    except Exception as e:  # noqa: BLE001 - a benchmark counts every failure
        errors.append(str(e))

def stream(seconds):
    waits, errors, threads = [], [], []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        t = threading.Thread(target=interactive, args=(waits, errors)); t.start(); threads.append(t)
        n += 1
        time.sleep(max(0, start + n / rate - time.monotonic()))
    for t in threads:
        t.join()
    return waits, errors

def report(name, waits, errors):
    q = statistics.quantiles(waits, n=100) if len(waits) > 1 else [0] * 99
    print(f"{name}: {len(waits)} interactive requests, {len(errors)} failed; queue wait p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, max {max(waits or [0])} ms")
    return q[49]

alone = report("without batch", *stream(phase))

subprocess.run([sys.executable, f"{root}/bench/cli/make-requests.py", str(int(rpm * (phase + 60) / 60) * 2), f"{work}/batch.jsonl", "--max-tokens", "50"], check=True)
cli_env = dict(env, ANTHROPIC_RATE_LIMIT_PER_MINUTE="1000", ANTHROPIC_CONCURRENT_REQUESTS="50", ANTHROPIC_API_KEY="sk-ant-bench")
batch = subprocess.Popen(["dotnet", f"{root}/src/Pacer.Cli/bin/Release/net10.0/Pacer.Cli.dll", "run", "batch.jsonl", "--out", "results.jsonl",
                          "--base-url", address, "--priority", "batch", "--progress-every", "600"], cwd=work, env=cli_env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(20)  # the batch fills the gateway's queue
def lines():
    try:
        with open(f"{work}/results.jsonl") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0
before = lines()
t0 = time.monotonic()
waits, errors = stream(phase)
elapsed = time.monotonic() - t0
batch_done = lines() - before
with_batch = report("with batch", waits, errors)
batch.send_signal(2)
batch.wait(timeout=120)
batch_rpm = batch_done / elapsed * 60
left = rpm - rate * 60
print(f"batch: {batch_done} results in {elapsed:.0f} s = {batch_rpm:.0f} per minute; the interactive traffic left {left:.0f} of {rpm} RPM: {batch_rpm / left:.1%}")
print(f"interactive p50 queue wait: {alone:.0f} ms alone, {with_batch:.0f} ms with the batch (+{with_batch - alone:.0f} ms)")
gateway.terminate()
gateway.wait(timeout=60)
