#!/usr/bin/env bash
# The whole test suite, as the README promises: `scripts/test.sh`.
#
# Suites that need real servers start them from here, installing what is missing, so a fresh
# machine and CI run exactly the same tests:
#   - PostgreSQL for the storage contract suite (scripts/postgres.sh);
#   - the public mail corpora for the MIME suite (scripts/fetch-corpora.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_INCREMENTAL=0

# shellcheck source=scripts/postgres.sh
. scripts/postgres.sh
ensure_postgres
echo "PostgreSQL: ${DATABASE_URL%%@*}@… ready"

scripts/fetch-corpora.sh

cargo test --workspace --all-targets --locked "$@"
