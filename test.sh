#!/usr/bin/env bash
# Runs every test of Pacer. Installs what the tests need when it is missing (Node packages for the SDK
# interop tests, PostgreSQL server binaries for the ledger's contract tests, redis-server for the shared limiter
# store's tests, Chromium for the dashboard's browser tests), then runs the whole suite.
# Usage: ./test.sh [extra dotnet test arguments, for example --filter FullyQualifiedName~Limiter]
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "test.sh: '$*' is missing and installing it needs root (apt-get install $*)." >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# PostgreSQL server binaries: the tests start their own throwaway server on a free loopback port.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  log "Installing PostgreSQL server binaries"
  apt_install postgresql
fi
export PACER_TEST_PG_BIN="${PACER_TEST_PG_BIN:-$(pg_bin)}"

# Redis: the shared limiter store's tests start their own throwaway redis-server on a free loopback port.
if ! command -v "${PACER_TEST_REDIS_SERVER:-redis-server}" >/dev/null 2>&1; then
  log "Installing redis-server"
  apt_install redis-server
fi

# Debian's Chromium for the dashboard's browser tests: Playwright drives it and never downloads a browser of its own.
if [ -z "${PACER_TEST_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  log "Installing Chromium"
  apt_install chromium
fi

# Node packages for the interop tests that drive @anthropic-ai/sdk.
for dir in tests/interop; do
  if [ -f "$dir/package.json" ]; then
    if ! command -v node >/dev/null 2>&1; then
      log "Installing Node.js"
      apt_install nodejs npm
    fi
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      log "npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
done

log "Building"
dotnet build Pacer.slnx -c Release -nologo -clp:ErrorsOnly

log "Testing"
out=$(mktemp)
status=0
dotnet test Pacer.slnx -c Release --no-build -nologo "$@" 2>&1 | tee "$out" || status=$?

# One closing line summing every test project: "N passed, N failed, N skipped".
awk '/(Passed|Failed)!  - Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "\n%d passed, %d failed, %d skipped\n", p, f, s }' "$out"
rm -f "$out"
exit "$status"
