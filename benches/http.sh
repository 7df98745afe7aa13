#!/usr/bin/env bash
# HTTP benchmark of a release server on SQLite: GET /healthz, an
# authenticated GET /api/v1/me, a price quote and a landed-cost quote at 64 concurrent
# connections, three runs each
# with wrk (Debian package `wrk`), plus the server's idle and loaded RSS.
# Usage: bash benches/http.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
target="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p chuhai
data="$(mktemp -d)"
port=18399
"$target/release/chuhai" serve --data-dir "$data" --addr "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
sleep 1
echo "idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"demo@chuhai.test","password":"chuhai-demo"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
run() {
  local name=$1; shift
  for i in 1 2 3; do
    wrk -t1 -c64 -d"${secs}s" --latency "$@" | awk -v n="$name" -v i="$i" '
      /Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      END {printf "%s run %d: %s req/s, p50 %s, p99 %s%s\n", n, i, rps, p50, p99, (bad ? ", NON-2XX " bad : "")}'
  done
}
run "GET /healthz" "http://127.0.0.1:$port/healthz"
run "GET /api/v1/me" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me"
# A price quote: variant 1 of the demo in market 1 (US), explained.
run "GET /api/v1/variants/1/price" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/variants/1/price?market=1&quantity=2&date=2026-10-30"
# A landed-cost quote of a 5-line cart (benches/landed-quote.lua).
TOKEN="$token" run "POST /api/v1/landed-cost/quotes" -s benches/landed-quote.lua \
  "http://127.0.0.1:$port/api/v1/landed-cost/quotes"
echo "loaded RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status), peak $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
