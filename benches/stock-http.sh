#!/usr/bin/env bash
# HTTP benchmark of the stock of one SKU across 2,000 warehouses:
# GET /api/v1/stock?sku= with one connection (the latency of a query) and
# with 64 (throughput), three runs each with wrk,
# on a release server with the demo data plus 1,993 more warehouses of the
# demo operator, each serving the demo seller and holding its SKU.
# Usage: bash benches/stock-http.sh [seconds-per-run] [postgres://…/db]
# (with a PostgreSQL URL the database is dropped and created afresh).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
pg="${2:-}"
target="${CARGO_TARGET_DIR:-target}"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p chuhai
data="$(mktemp -d)"
port=18398
db=(--data-dir "$data")
if [ -n "$pg" ]; then
  name="${pg##*/}"
  admin="${pg%/*}/postgres"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  db=(--database-url "$pg")
fi
"$target/release/chuhai" serve "${db[@]}" --addr "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
token() {
  curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/tokens" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"chuhai-demo\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}
seller=$(token demo@chuhai.test)
operator=$(token warehouse@chuhai.test)
sku=LUMI-AUR-WHT
started=$(date +%s)
python3 - "$port" "$operator" "$sku" <<'PY'
import http.client, json, sys
port, token, sku = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port)
def call(method, path, body):
    conn.request(method, path, json.dumps(body),
                 {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    res = conn.getresponse()
    data = res.read()
    if res.status >= 300:
        sys.exit(f"{method} {path}: {res.status} {data[:300]!r}")
    return json.loads(data)
for i in range(1993):
    w = call("POST", "/api/v1/warehouses", {
        "kind": "overseas", "code": f"BW-{i:04}", "name": f"Bench warehouse {i}", "country": "US",
        "address": f"{i} Dock Road", "latitude": "34.0420", "longitude": "-117.5727",
        "time_zone": "America/Los_Angeles", "utc_offset_minutes": -480, "cutoff_time": "14:00",
        "capacity_m2": "24000", "capacity_m3": "150000", "carrier_services": ["UPS Ground"], "bins": []})
    served = call("POST", f"/api/v1/warehouses/{w['id']}/sellers", {"seller": "lumi"})
    call("POST", f"/api/v1/warehouses/{w['id']}/entries",
         {"seller_id": served["seller_ids"][0], "sku": sku, "entry_type": "receipt",
          "quantity": 10 + i % 7})
PY
echo "setup: 1,993 warehouses with stock of $sku in $(( $(date +%s) - started )) s"
lines=$(curl -sf -H "Authorization: Bearer $seller" "http://127.0.0.1:$port/api/v1/stock?sku=$sku" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"]))')
echo "GET /api/v1/stock?sku=$sku answers $lines warehouse lines"
bytes=$(curl -sf -H "Authorization: Bearer $seller" "http://127.0.0.1:$port/api/v1/stock?sku=$sku" | wc -c)
echo "answer: $bytes bytes of JSON"
# The latency of one query (one client), then the throughput at 64.
for c in 1 64; do
  for i in 1 2 3; do
    wrk -t1 -c$c -d"${secs}s" --latency -H "Authorization: Bearer $seller" \
      "http://127.0.0.1:$port/api/v1/stock?sku=$sku" | awk -v i="$i" -v c="$c" '
      /Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      END {printf "GET /api/v1/stock, %d connections, run %d: %s req/s, p50 %s, p99 %s%s\n", c, i, rps, p50, p99, (bad ? ", NON-2XX " bad : "")}'
  done
done
echo "loaded RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
if [ -n "$pg" ] && [ -z "${KEEP_DB:-}" ]; then kill $pid; wait $pid 2>/dev/null || true; psql -q "$admin" -c "DROP DATABASE IF EXISTS $name"; fi
