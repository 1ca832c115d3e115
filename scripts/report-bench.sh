#!/usr/bin/env bash
# Report latency on the 1,000,000-ticket fixture (figures in docs/performance.md).
#
#   scripts/report-bench.sh [sqlite|postgres] [TICKETS]      # default sqlite 1000000
#
# Builds the storage benchmark's fixture if it is missing (as scripts/load-bench.sh does), copies
# it (SQLite: the file; PostgreSQL: a database from it as template), gives the copy a year of
# history (scripts/load/history-*.sql: opened over the year before 2026-12-01, 20 agents, first
# responses, resolutions, one reply per answered ticket), starts the release `frontdesk-http` on
# it, waits for the report index to be read, and times each report REQUESTS times (default 40)
# with curl, one at a time: p50, p95 and max per report, the index's read time and the server's
# resident memory before and after. Results go to target/report-bench-BACKEND.json.
set -euo pipefail

have_history=""
backend="${1:-sqlite}"
tickets="${2:-1000000}"
requests="${REQUESTS:-40}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_INCREMENTAL=0

work=$(mktemp -d /tmp/frontdesk-reports.XXXXXX)
server=""
pg_copy=""
admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    if [ -n "$pg_copy" ]; then psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $pg_copy" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

case "$backend" in
sqlite)
    fixture="target/fixtures/tickets-${tickets}.sqlite"
    if [ ! -f "$fixture" ]; then
        echo "building the ${tickets}-ticket fixture" >&2
        cargo bench -p frontdesk-adapters-db --bench queries -- sqlite "$tickets"
    fi
    checkpoint() { python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$1"; }
    # The copy with its history is kept beside the fixture for the next run.
    kept="target/fixtures/tickets-${tickets}-history.sqlite"
    if [ -f "$kept" ]; then
        cp --reflink=auto "$kept" "$work/frontdesk.sqlite"
        have_history=1
    else
        checkpoint "$fixture"
        cp --reflink=auto "$fixture" "$work/frontdesk.sqlite"
    fi
    url="sqlite://$work/frontdesk.sqlite?mode=rwc"
    history() {
        sqlite3 "$work/frontdesk.sqlite" <scripts/load/history-sqlite.sql >/dev/null
        checkpoint "$work/frontdesk.sqlite"
        cp --reflink=auto "$work/frontdesk.sqlite" "$kept"
    }
    ;;
postgres)
    # shellcheck source=scripts/postgres.sh
    . scripts/postgres.sh
    ensure_postgres
    name="frontdesk_fixture_${tickets}"
    if ! psql -tA "$admin_url" -c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        echo "building the ${tickets}-ticket fixture" >&2
        cargo bench -p frontdesk-adapters-db --bench queries -- postgres "$tickets"
    fi
    kept="${name}_history"
    pg_copy="frontdesk_reportbench_$$"
    echo "copying the fixture" >&2
    if psql -tA "$admin_url" -c "SELECT 1 FROM pg_database WHERE datname = '$kept'" | grep -q 1; then
        psql -q "$admin_url" -c "CREATE DATABASE $pg_copy TEMPLATE $kept" >/dev/null
        have_history=1
    else
        psql -q "$admin_url" -c "CREATE DATABASE $pg_copy TEMPLATE $name" >/dev/null
    fi
    url="${admin_url%/*}/$pg_copy"
    history() {
        psql -q "$url" -f scripts/load/history-postgres.sql >/dev/null
        psql -q "$admin_url" -c "CREATE DATABASE $kept TEMPLATE $pg_copy" >/dev/null
    }
    ;;
*) echo "usage: $0 [sqlite|postgres] [TICKETS]" >&2; exit 2 ;;
esac
cargo build --release -q -p frontdesk-app-http --bin frontdesk-http

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Fixed: the kept copy with its history keeps the admin made on its first run.
password="report-bench-password-not-secret"
base="http://127.0.0.1:$port"
start_server() {
    (
        cd "$work"
        FRONTDESK_DATABASE_URL="$url" \
        FRONTDESK_SUPPORT_ADDRESS="support@example.com" \
        FRONTDESK_ADMIN_EMAIL="admin@example.com" \
        FRONTDESK_ADMIN_PASSWORD="$password" \
        FRONTDESK_HTTP__ACCESS_TOKEN_MINUTES=120 \
        RUST_LOG=warn,frontdesk_http=info NO_COLOR=1 \
            exec "$root/target/release/frontdesk-http" --bind "127.0.0.1:$port"
    ) >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 600); do
        if curl -sf "$base/healthz" >/dev/null 2>&1; then return; fi
        if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
        sleep 0.5
    done
    echo "the server did not come up" >&2
    exit 1
}
# The first start makes the admin (only a database without staff gets one); the history adds
# agents, so it comes after.
if [ -z "${have_history:-}" ]; then
    start_server
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    echo "giving the copy a year of history" >&2
    history
fi
start_server
# Anonymous memory: SQLite maps its file, and those pages count in VmRSS without being ours.
rss() { awk '/RssAnon/ { print $2 }' "/proc/$server/status"; }
rss_before=$(rss)
for _ in $(seq 1 600); do
    if grep -q "index read" "$work/server.log"; then break; fi
    sleep 0.5
done
grep "index read" "$work/server.log" >&2 || { echo "the report index was not read" >&2; cat "$work/server.log" >&2; exit 1; }
read_secs=$(grep "index read" "$work/server.log" | head -1 | sed -E 's/.*secs=([0-9.]+).*/\1/')
rss_after=$(rss)

TOKEN=$(curl -sf "$base/api/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"admin@example.com\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
agent=$(curl -sf "$base/api/staff" -H "authorization: Bearer $TOKEN" |
    python3 -c 'import json, sys; print(next(s["id"] for s in json.load(sys.stdin) if s["role"] == "agent"))')

year="from=2025-12-01T00:00:00Z&to=2026-12-01T00:00:00Z"
month="from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
cases=(
    "historical-30-days-by-day /api/analytics/historical?$month&interval=day"
    "historical-year-by-week-berlin /api/analytics/historical?$year&interval=week&tz=Europe/Berlin"
    "historical-year-by-day /api/analytics/historical?$year&interval=day"
    "historical-day-by-hour-new-york /api/analytics/historical?from=2026-11-10T05:00:00Z&to=2026-11-11T05:00:00Z&interval=hour&tz=America/New_York"
    "historical-year-filtered /api/analytics/historical?$year&interval=month&category=billing&channel=web"
    "historical-csv-year-by-week /api/analytics/historical.csv?$year&interval=week"
    "performance-30-days /api/staff/$agent/performance?$month"
    "realtime /api/analytics/realtime"
)
results="$root/target/report-bench-$backend.json"
{
    echo "{\"backend\": \"$backend\", \"tickets\": $tickets, \"index_read_secs\": $read_secs,"
    echo " \"rss_kib_before_index\": $rss_before, \"rss_kib_after_index\": $rss_after, \"runs\": ["
    first=1
    for case in "${cases[@]}"; do
        name="${case%% *}"
        path="${case#* }"
        curl -sf -o /dev/null "$base$path" -H "authorization: Bearer $TOKEN" ||
            { echo "GET $path failed" >&2; exit 1; }
        times=$(for _ in $(seq 1 "$requests"); do
            curl -sf -o /dev/null -w '%{time_total}\n' "$base$path" -H "authorization: Bearer $TOKEN"
        done)
        line=$(printf '%s\n' "$times" | python3 -c '
import json, sys
name = sys.argv[1]
t = sorted(float(x) * 1000 for x in sys.stdin.read().split())
rank = lambda p: t[max(1, -(-len(t) * p // 100)) - 1]
print(json.dumps({"run": name, "n": len(t), "p50_ms": round(rank(50), 1), "p95_ms": round(rank(95), 1), "max_ms": round(t[-1], 1)}))
' "$name")
        echo "$line" >&2
        [ "$first" = 1 ] || echo ","
        first=0
        echo "  $line"
    done
    echo "], \"rss_kib_after_runs\": $(rss)}"
} >"$results"
echo "results in $results" >&2
