#!/usr/bin/env bash
# The whole test suite, as the README promises: `scripts/test.sh`.
#
# Suites that need real servers start them from here, installing what is missing, so a fresh
# machine and CI run exactly the same tests:
#   - PostgreSQL for the storage contract suite (scripts/postgres.sh);
#   - the public mail corpora for the MIME suite (scripts/fetch-corpora.sh);
#   - a private Dovecot (IMAP, LMTP) and an SMTP server on loopback (scripts/mail-servers.sh);
#   - Debian's Chromium driven through chromedriver, with axe-core from npm (scripts/browser.sh);
#   - llama.cpp's server with a small model from PyPI, OpenAI-compatible (scripts/model-server.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_INCREMENTAL=0

# Each helper registers how to stop what it started; one trap runs them all.
FRONTDESK_CLEANUP=()
cleanup() { for step in "${FRONTDESK_CLEANUP[@]}"; do "$step"; done; }
trap cleanup EXIT

# shellcheck source=scripts/postgres.sh
. scripts/postgres.sh
ensure_postgres
echo "PostgreSQL: ${DATABASE_URL%%@*}@… ready"

scripts/fetch-corpora.sh

# shellcheck source=scripts/mail-servers.sh
. scripts/mail-servers.sh
start_mail_servers
echo "Dovecot IMAP on 127.0.0.1:$FRONTDESK_TEST_IMAP_PORT, SMTP on 127.0.0.1:$FRONTDESK_TEST_SMTP_PORT"

# shellcheck source=scripts/model-server.sh
. scripts/model-server.sh
start_model_server
echo "llama-server $FRONTDESK_LLAMA_SERVER_VERSION with SmolLM2-135M at $FRONTDESK_TEST_MODEL_URL"

# shellcheck source=scripts/browser.sh
. scripts/browser.sh
start_browser
echo "chromedriver at $FRONTDESK_TEST_WEBDRIVER, axe-core $(cat target/browser/axe.version)"

cargo test --workspace --all-targets --locked "$@"
