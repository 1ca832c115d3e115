#!/usr/bin/env bash
# Lighthouse on the staff workspace (figures in docs/performance.md):
#
#   scripts/lighthouse.sh
#
# Installs npm's `lighthouse` 12 into target/lighthouse/ (once; never committed), starts the
# release `frontdesk-http --with-poller` in a scratch directory with the example mails of
# docs/examples/mail/, signs in through /login, and runs Lighthouse (Debian's Chromium, mobile
# and desktop presets) on the list and a ticket's page with the session cookie. Prints one line
# per page and preset with the scores of performance, accessibility and best practices.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_INCREMENTAL=0

command -v chromium >/dev/null 2>&1 || {
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
}
tools="$root/target/lighthouse"
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
    echo "installing lighthouse from npm" >&2
    mkdir -p "$tools"
    (cd "$tools" && npm install --silent --no-audit --no-fund lighthouse@12 >/dev/null)
fi
cargo build --release -q -p frontdesk-app-http --bin frontdesk-http

work=$(mktemp -d /tmp/frontdesk-lighthouse.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/data/maildir/new"
cp docs/examples/mail/*.eml "$work/data/maildir/new/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="lighthouse-$(date +%s)-password"
(
    cd "$work"
    FRONTDESK_ADMIN_PASSWORD="$password" RUST_LOG=warn \
        exec "$root/target/release/frontdesk-http" --with-poller --bind "127.0.0.1:$port"
) >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
jar="$work/cookies"
csrf=$(curl -sf -c "$jar" "$base/login" | python3 -c 'import re, sys; print(re.search(r"name=\"csrf\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
curl -sf -o /dev/null -b "$jar" -c "$jar" "$base/login" --data-urlencode "csrf=$csrf" \
    --data-urlencode "email=admin@frontdesk.localhost" --data-urlencode "password=$password"
session=$(awk '$6 == "fd_session" { print $7 }' "$jar")
# The example mails become tickets on the poller's first pass.
for _ in $(seq 1 50); do
    curl -sf -o /dev/null -b "$jar" "$base/tickets/TKT-000003" && break
    sleep 0.2
done
for page in /tickets /tickets/TKT-000001; do
    for preset in mobile desktop; do
        flags=()
        [ "$preset" = desktop ] && flags=(--preset=desktop)
        CHROME_PATH=$(command -v chromium) "$tools/node_modules/.bin/lighthouse" "$base$page" \
            --quiet --chrome-flags="--headless --no-sandbox --disable-gpu" \
            --extra-headers="{\"Cookie\": \"fd_session=$session\"}" \
            --only-categories=performance,accessibility,best-practices "${flags[@]}" \
            --output=json --output-path="$work/report.json" >/dev/null 2>&1
        python3 - "$work/report.json" "$page" "$preset" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in r["categories"].items()}
print(f"{sys.argv[2]} ({sys.argv[3]}): {scores}; LCP {r['audits']['largest-contentful-paint']['displayValue']}, "
      f"TBT {r['audits']['total-blocking-time']['displayValue']}; Lighthouse {r['lighthouseVersion']}")
PY
    done
done
