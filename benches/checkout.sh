#!/usr/bin/env bash
# Checkout benchmark: completed checkouts per second at 64 concurrent
# clients against a release server on SQLite (a fresh data directory with
# the demo). Each checkout is a cart with two lines and a Japanese address
# (routed to the seller's Shenzhen warehouse and priced with the landed
# cost), its checkout (stock held), a card payment intent and the card
# provider's signed payment_intent.succeeded webhook that pays the order.
# `chuhai bench checkout` receives enough stock at the demo's first
# warehouse (Shenzhen) first, prints throughput, p50/p99 per checkout and
# the mean time of each phase, and checks that every completed checkout is
# a paid order whose units are held. After each run the ledger is verified
# (`chuhai inventory verify`, exit status 0 when the caches agree with it).
# Usage: bash benches/checkout.sh [seconds-per-run] [runs] [clients]
# (CHUHAI_BIN=path runs that binary instead of building one, to compare
# builds.)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
runs="${2:-3}"
clients="${3:-64}"
target="${CARGO_TARGET_DIR:-target}"
if [ -n "${CHUHAI_BIN:-}" ]; then
  bin="$CHUHAI_BIN"
else
  cargo build --release -q -p chuhai
  bin="$target/release/chuhai"
fi
port=18397
export CHUHAI_CARD_WEBHOOK_SECRET="whsec_bench_$$"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  data="$(mktemp -d)"
  RUST_LOG=warn "$bin" serve --data-dir "$data" --addr "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  echo "--- run $i ($(date -u +%H:%M:%S) UTC)"
  "$bin" bench checkout --url "http://127.0.0.1:$port" --clients "$clients" --seconds "$secs" --stock 10000000
  echo "server RSS after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
  # The server stops first so the check reads a settled database.
  kill $pid; wait $pid 2>/dev/null || true
  if "$bin" inventory verify --data-dir "$data" >/dev/null; then
    echo "inventory verify: clean"
  else
    echo "inventory verify: DIFFERENCES (see: $bin inventory verify --data-dir $data)"; exit 1
  fi
  rm -rf "$data"
  trap - EXIT
done
