#!/usr/bin/env bash
# The hexagon's dependency rule, checked on the resolved dependency graph:
#   - frontdesk-domain has no I/O crate among its normal dependencies;
#   - adapters depend on the domain, never on each other, never on an app;
#   - app-http may use app-poller's library (the shared composition root), only through its
#     `wiring` module once that exists; app-poller never uses app-http; no other app-to-app edge;
#   - one TLS crypto provider in the whole workspace, ring: aws-lc-rs never enters.
set -euo pipefail
cd "$(dirname "$0")/.."

forbidden='^(tokio|sea-orm|sea-query|sqlx[a-z-]*|reqwest|hyper|actix[a-z-]*|lettre|async-imap|imap|mio|rustls|native-tls|openssl) '
status=0

bad=$(cargo tree -p frontdesk-domain -e normal --prefix none --locked | grep -E "$forbidden" | sort -u || true)
if [ -n "$bad" ]; then
    echo "frontdesk-domain depends on I/O crates (move that code to an adapter):"
    echo "$bad"
    status=1
fi

adapters=(frontdesk-adapters-gmail frontdesk-adapters-db frontdesk-adapters-ai frontdesk-adapters-shopify)
for a in "${adapters[@]}"; do
    for other in "${adapters[@]}"; do
        [ "$a" = "$other" ] && continue
        if cargo tree -p "$a" -e normal --prefix none --locked | grep -q "^$other "; then
            echo "$a depends on $other: adapters must not import each other"
            status=1
        fi
    done
done

apps=(frontdesk-app-http frontdesk-app-poller)
for crate in frontdesk-domain "${adapters[@]}"; do
    for app in "${apps[@]}"; do
        if cargo tree -p "$crate" -e normal --prefix none --locked | grep -q "^$app "; then
            echo "$crate depends on $app: only the apps wire adapters together"
            status=1
        fi
    done
done
if cargo tree -p frontdesk-app-poller -e normal,build --prefix none --locked | grep -q "^frontdesk-app-http "; then
    echo "frontdesk-app-poller depends on frontdesk-app-http: app-http may use the poller's library, never the reverse"
    status=1
fi
# Inside app-http, the poller's library is reached through one module only.
if [ -f crates/app-http/src/wiring.rs ]; then
    outside=$(grep -rln "frontdesk_poller" crates/app-http/src | grep -v "^crates/app-http/src/wiring.rs$" || true)
    if [ -n "$outside" ]; then
        echo "app-http uses frontdesk_poller outside src/wiring.rs:"
        echo "$outside"
        status=1
    fi
fi

# `cargo tree -i` fails when no package of that name is in the graph, which is what we want.
for crate in aws-lc-rs aws-lc-sys; do
    if cargo tree --workspace --target all -e normal,build,dev -i "$crate" --locked >/dev/null 2>&1; then
        echo "$crate is in the dependency graph: the workspace uses ring as its only TLS provider"
        cargo tree --workspace --target all -e normal,build,dev -i "$crate" --locked | head -n 20
        status=1
    fi
done

[ "$status" -eq 0 ] && echo "dependency rule holds"
exit "$status"
