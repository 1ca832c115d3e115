#!/usr/bin/env bash
# The whole test suite, as the README promises: `scripts/test.sh`.
#
# Suites that need real servers (PostgreSQL, Dovecot IMAP, SMTP) start them from here, installing
# what is missing, so a fresh machine and CI run exactly the same tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_INCREMENTAL=0

cargo test --workspace --all-targets --locked "$@"
