#!/usr/bin/env bash
# Load benchmark of the REST API on the 1,000,000-ticket fixture (figures in docs/performance.md).
#
#   scripts/load-bench.sh [TICKETS]        # default 1000000
#
# Builds the storage benchmark's SQLite fixture if it is missing (`cargo bench -p
# frontdesk-adapters-db --bench queries -- sqlite TICKETS`, about 4 GiB and 3-4 minutes), copies
# it, starts the release `frontdesk-http` on the copy on loopback, signs in as an admin and runs
# wrk (Debian's package, installed if missing) with scripts/load/frontdesk.lua:
#   1. list:    the filtered first page (new+open, one priority, newest first), 4 connections, 20 s
#   2. detail:  GET /api/tickets/{id} of random tickets, 64 connections, 20 s (throughput)
#   3. search:  one or two words of middling rarity, 2 connections (one per core), 20 s
#   4. mixed:   60 s at 1,000 requests/s paced on the clock (45 % detail, 25 % filtered lists,
#               20 % the queue and other lists, 5 % search, 5 % notes written), 128 connections
#   5. inbound: sequential raw-MIME posts to /api/webhooks/inbound-email, one connection, 20 s
#   6. page-list, page-detail: the workspace's /tickets (filtered, with its total) and
#      /tickets/{number}, signed in by a session cookie, 4 connections, 20 s each
#   7. pages:   both pages paced at 200 requests/s for 30 s, 16 connections (server time under
#               a steady load: the p99 the issue sets)
# Each run prints one JSON line; the summary goes to target/load-bench.json.
# RUNS="page-list page-detail pages" picks runs (default: all).
set -euo pipefail

tickets="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_INCREMENTAL=0

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk" >&2
    apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi

fixture="target/fixtures/tickets-${tickets}.sqlite"
if [ ! -f "$fixture" ]; then
    echo "building the ${tickets}-ticket fixture" >&2
    cargo bench -p frontdesk-adapters-db --bench queries -- sqlite "$tickets"
fi
cargo build --release -q -p frontdesk-app-http --bin frontdesk-http

work=$(mktemp -d /tmp/frontdesk-load.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
echo "copying the fixture" >&2
# Everything into the main file first: a copy without its write-ahead log misses what is in it.
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$fixture"
cp --reflink=auto "$fixture" "$work/frontdesk.sqlite"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="load-bench-$(date +%s)-password"
export INBOUND_SECRET="load-bench-inbound-secret-$(date +%s)"
(
    cd "$work"
    FRONTDESK_DATABASE_URL="sqlite://$work/frontdesk.sqlite?mode=rwc" \
    FRONTDESK_SUPPORT_ADDRESS="support@example.com" \
    FRONTDESK_ADMIN_EMAIL="admin@example.com" \
    FRONTDESK_ADMIN_PASSWORD="$password" \
    FRONTDESK_HTTP__ACCESS_TOKEN_MINUTES=120 \
    FRONTDESK_HTTP__INBOUND_SECRET_ENV=INBOUND_SECRET \
    RUST_LOG=warn \
        exec "$root/target/release/frontdesk-http" --bind "127.0.0.1:$port"
) >"$work/server.log" 2>&1 &
server=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
    if curl -sf "$base/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
    sleep 0.5
done
curl -sf "$base/healthz" >/dev/null || { echo "the server did not come up" >&2; cat "$work/server.log" >&2; exit 1; }

TOKEN=$(curl -sf "$base/api/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"admin@example.com\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
export TOKEN TICKETS="$tickets"

# A workspace session, signed in through /login as a browser does.
jar="$work/cookies"
login_csrf=$(curl -sf -c "$jar" "$base/login" | python3 -c 'import re, sys; print(re.search(r"name=\"csrf\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
curl -sf -o /dev/null -b "$jar" -c "$jar" "$base/login" --data-urlencode "csrf=$login_csrf" \
    --data-urlencode "email=admin@example.com" --data-urlencode "password=$password"
SESSION=$(awk '$6 == "fd_session" { print $7 }' "$jar")
[ -n "$SESSION" ] || { echo "no workspace session" >&2; exit 1; }
export SESSION

# A first look at every kind of request, so each run starts warm and a broken one fails here.
for path in "/api/tickets?status=new,open&priority=high&sort=-created&limit=25" \
    "/api/tickets/TKT-000001" "/api/tickets?q=lorukakal&limit=25" "/api/tickets/queue"; do
    curl -sf -o /dev/null "$base$path" -H "authorization: Bearer $TOKEN" ||
        { echo "GET $path failed" >&2; exit 1; }
done
for path in "/tickets?status=new%2Copen&priority=high" "/tickets/TKT-000001"; do
    curl -sf -o /dev/null "$base$path" -H "cookie: fd_session=$SESSION" ||
        { echo "GET $path failed" >&2; exit 1; }
done
# What a browser transfers (gzip): the list page and its assets, then a ticket page.
{
    for path in "/tickets?status=new%2Copen&priority=high" /assets/htmx.min.js \
        /assets/workspace.css /assets/workspace.js /assets/favicon.svg "/tickets/TKT-000001"; do
        printf '%s %s\n' "$path" "$(curl -sf -o /dev/null -w '%{size_download}' -H 'accept-encoding: gzip' \
            -H "cookie: fd_session=$SESSION" "$base$path")"
    done
} | tee "$root/target/load-bench-sizes.txt" >&2

results="$root/target/load-bench.json"
: >"$results"
run() { # name, threads, wrk options, mix, [rate]
    local name="$1" threads="$2" options="$3" mix="$4" rate="${5:-}" line
    if [ -n "${RUNS:-}" ] && [[ " $RUNS " != *" $name "* ]]; then return; fi
    echo "== $name" >&2
    # shellcheck disable=SC2086
    line=$(wrk $options -t"$threads" -s scripts/load/frontdesk.lua "$base" -- "$mix" $rate ${rate:+$threads} |
        tail -n 1)
    echo "$line"
    echo "{\"run\": \"$name\", \"result\": $line}" >>"$results"
}
run list 2 "-c4 -d20s" list
run detail 2 "-c64 -d20s" detail
run search 2 "-c2 -d20s" search
run mixed 2 "-c128 -d60s --timeout 5s" mixed 1000
run inbound 1 "-c1 -d20s" inbound
run page-list 2 "-c4 -d20s" page_list
run page-detail 2 "-c4 -d20s" page_detail
run pages 2 "-c16 -d30s" pages 200
echo "results in $results" >&2
