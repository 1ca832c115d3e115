#!/usr/bin/env bash
# Sourced by scripts/test.sh: a real browser for the page tests. Installs Debian's `chromium`
# and `chromium-driver` when missing, starts `chromedriver` on a free loopback port, fetches
# axe-core from npm into target/browser/ (idempotent; never committed) and registers the
# driver's stop in the caller's FRONTDESK_CLEANUP. Exports:
#   FRONTDESK_TEST_WEBDRIVER  http://127.0.0.1:PORT of the running chromedriver
#   FRONTDESK_TEST_CHROMIUM   the browser binary chromedriver is to start
#   FRONTDESK_TEST_AXE        target/browser/axe.min.js (its version in axe.version beside it)
# The browser tests fail, never skip, when these are missing.

start_browser() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        echo "installing Chromium and chromedriver" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }
    fi
    fetch_axe
    local dir port
    dir=$(mktemp -d /tmp/frontdesk-browser.XXXXXX)
    port=$(/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    chromedriver --port="$port" --allowed-ips=127.0.0.1 --log-path="$dir/chromedriver.log" \
        >/dev/null 2>&1 &
    echo $! > "$dir/chromedriver.pid"
    FRONTDESK_BROWSER_DIR="$dir"
    FRONTDESK_CLEANUP+=(stop_browser)
    local ready=""
    for _ in $(seq 1 100); do
        if /usr/bin/python3 -c "
import json, sys, urllib.request
sys.exit(0 if json.load(urllib.request.urlopen('http://127.0.0.1:$port/status', timeout=1))['value']['ready'] else 1)
" 2>/dev/null; then
            ready=yes
            break
        fi
        sleep 0.1
    done
    if [ -z "$ready" ]; then
        echo "chromedriver did not answer on 127.0.0.1:$port (log: $dir/chromedriver.log)" >&2
        return 1
    fi
    export FRONTDESK_TEST_WEBDRIVER="http://127.0.0.1:$port"
    FRONTDESK_TEST_CHROMIUM=$(command -v chromium)
    export FRONTDESK_TEST_CHROMIUM
}

# axe-core 4.x from npm, unpacked once into target/browser/.
fetch_axe() {
    local dest=target/browser work version
    mkdir -p "$dest"
    if [ ! -s "$dest/axe.min.js" ] || [ ! -s "$dest/axe.version" ]; then
        echo "fetching axe-core from npm" >&2
        work=$(mktemp -d)
        (cd "$work" && npm pack --silent axe-core@4 >/dev/null)
        tar -xzf "$work"/axe-core-*.tgz -C "$work" package/axe.min.js package/package.json
        version=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$work/package/package.json")
        cp "$work/package/axe.min.js" "$dest/axe.min.js"
        echo "$version" > "$dest/axe.version"
        rm -rf "$work"
    fi
    FRONTDESK_TEST_AXE="$(pwd)/$dest/axe.min.js"
    export FRONTDESK_TEST_AXE
}

stop_browser() {
    local dir=${FRONTDESK_BROWSER_DIR:-}
    [ -n "$dir" ] || return 0
    [ -f "$dir/chromedriver.pid" ] && kill "$(cat "$dir/chromedriver.pid")" 2>/dev/null
    rm -rf "$dir"
}
