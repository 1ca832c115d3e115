#!/usr/bin/env bash
# Load benchmark of the customer portal and the help centre (figures in docs/performance.md).
#
#   scripts/portal-bench.sh [CUSTOMERS]        # default 100000
#
# Builds the portal fixture if it is missing (`cargo bench -p frontdesk-adapters-db --bench
# portal -- CUSTOMERS`: CUSTOMERS customers with two mailed requests each, 1,000 published
# articles), copies it, starts the release `frontdesk-http --with-poller` (the one-process
# install, whose maintenance pass sends mail) on the copy on loopback, then:
#   1. link:  20 customers ask for a sign-in link (POST /api/auth/portal-link); each time, how
#             long until the mail is in the outbox Maildir (the server's own maintenance pass
#             sends it), polled every 5 ms; then each signs in through /portal/link as a browser
#             does (the one-click confirmation, a session cookie)
#   2. wrk, 4 connections, 20 s each: portal_list (/portal), portal_ticket (one of the
#      customer's requests), help_search (/help?q=), help_article (/help/{slug}, which counts a
#      view: a write), portal_suggest (/portal/new?subject=, the deflection suggestions)
#   3. portal: all of them mixed, paced at 200 requests/s for 30 s, 16 connections (server time
#      under a steady load: the p99 the issue sets)
# Each run prints one JSON line; the summary goes to target/portal-bench.json.
set -euo pipefail

customers="${1:-100000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_INCREMENTAL=0

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk" >&2
    apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi

fixture="target/fixtures/portal-${customers}.sqlite"
if [ ! -f "$fixture" ]; then
    echo "building the ${customers}-customer fixture" >&2
fi
# Builds it when missing; prints its counts either way.
cargo bench -q -p frontdesk-adapters-db --bench portal -- "$customers"
cargo build --release -q -p frontdesk-app-http --bin frontdesk-http

work=$(mktemp -d /tmp/frontdesk-portal.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$fixture"
cp --reflink=auto "$fixture" "$work/frontdesk.sqlite"
sqlite3_slugs() {
    python3 -c 'import sqlite3, sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute("SELECT slug FROM kb_articles")]' "$1"
}
sqlite3_slugs "$work/frontdesk.sqlite" >"$work/slugs.txt"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(
    cd "$work"
    FRONTDESK_DATABASE_URL="sqlite://$work/frontdesk.sqlite?mode=rwc" \
    FRONTDESK_SUPPORT_ADDRESS="support@example.com" \
    FRONTDESK_ADMIN_EMAIL="admin@example.com" \
    FRONTDESK_ADMIN_PASSWORD="portal-bench-$(date +%s)-password" \
    FRONTDESK_HTTP__REGISTRATIONS_PER_IP=1000 \
    RUST_LOG=warn \
        exec "$root/target/release/frontdesk-http" --with-poller --bind "127.0.0.1:$port"
) >"$work/server.log" 2>&1 &
server=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
    if curl -sf "$base/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
    sleep 0.5
done
curl -sf "$base/healthz" >/dev/null || { echo "the server did not come up" >&2; cat "$work/server.log" >&2; exit 1; }

results="$root/target/portal-bench.json"
: >"$results"

# 1. Sign-in links: request → mail in the outbox, then a session per customer.
outbox="$work/data/outbox/new"
sessions=""
timings=""
for i in $(seq 1 20); do
    c=$(( (i * 4999) % customers ))
    email="customer${c}@example.com"
    start=$(date +%s%N)
    curl -sf -o /dev/null "$base/api/auth/portal-link" -H 'content-type: application/json' \
        -d "{\"email\": \"$email\"}"
    file=""
    for _ in $(seq 1 2000); do
        file=$(grep -rl "^To:.*$email" "$outbox" 2>/dev/null | head -n 1 || true)
        if [ -n "$file" ]; then break; fi
        sleep 0.005
    done
    [ -n "$file" ] || { echo "no sign-in mail for $email" >&2; cat "$work/server.log" >&2; exit 1; }
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    timings="$timings $took"
    token=$(python3 -c 'import re, sys, quopri; t = quopri.decodestring(open(sys.argv[1], "rb").read()).decode("utf-8", "replace"); print(re.search(r"/portal/link\?token=([A-Za-z0-9_-]+)", t).group(1))' "$file")
    jar="$work/jar-$i"
    csrf=$(curl -sf -c "$jar" "$base/portal/link?token=$token" | python3 -c 'import re, sys; print(re.search(r"name=\"csrf\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
    curl -sf -o /dev/null -b "$jar" -c "$jar" "$base/portal/link" --data-urlencode "csrf=$csrf" --data-urlencode "token=$token"
    cookie=$(awk '$6 == "fd_session" { print $7 }' "$jar")
    [ -n "$cookie" ] || { echo "no portal session for $email" >&2; exit 1; }
    first=$(printf 'TKT-%06d' $(( c + 1 )))
    second=$(printf 'TKT-%06d' $(( customers + c + 1 )))
    curl -sf -o /dev/null -H "cookie: fd_session=$cookie" "$base/portal/tickets/$first" ||
        { echo "$email cannot read $first" >&2; exit 1; }
    sessions="${sessions:+$sessions,}$cookie:$first:$second"
done
echo "sign-in link to outbox, ms:$timings" >&2
python3 - "$timings" >>"$results" <<'PY'
import json, sys
t = sorted(int(x) for x in sys.argv[1].split())
print(json.dumps({"run": "link", "result": {"n": len(t), "p50_ms": t[len(t) // 2], "max_ms": t[-1], "all_ms": t}}))
PY
export PORTAL_SESSIONS="$sessions" SLUGS_FILE="$work/slugs.txt"

# A first look at every page, so each run starts warm and a broken one fails here.
one="${sessions%%,*}"
cookie="${one%%:*}"
for path in /portal "/portal/new?subject=parcel%20refund" "/help?q=parcel" "/help/$(head -n 1 "$work/slugs.txt")"; do
    curl -sf -o /dev/null -H "cookie: fd_session=$cookie" "$base$path" || { echo "GET $path failed" >&2; exit 1; }
done

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
run portal-list 2 "-c4 -d20s" portal_list
run portal-ticket 2 "-c4 -d20s" portal_ticket
run help-search 2 "-c4 -d20s" help_search
run help-article 2 "-c4 -d20s" help_article
run portal-suggest 2 "-c4 -d20s" portal_suggest
run portal 2 "-c16 -d30s" portal 200
echo "results in $results" >&2
