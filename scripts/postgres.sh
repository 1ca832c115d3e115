#!/usr/bin/env bash
# Sourced by scripts/test.sh: makes sure a PostgreSQL server answers at $DATABASE_URL.
#
# Uses the server at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) when it
# answers; otherwise installs Debian's PostgreSQL if needed and starts a throwaway cluster on a
# private port, stopped again when the calling script exits. Tests never skip PostgreSQL.

ensure_postgres() {
    local url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    if ! command -v pg_isready >/dev/null 2>&1; then
        echo "installing the PostgreSQL client" >&2
        apt-get install -y -q postgresql-client >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql-client >/dev/null; }
    fi
    if pg_isready -q -d "$url" 2>/dev/null; then
        export DATABASE_URL="$url"
        drop_stale_test_databases
        return 0
    fi

    echo "no PostgreSQL at $url: starting a throwaway cluster" >&2
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ]; then
        apt-get install -y -q postgresql >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    local dir port=55432
    dir=$(mktemp -d /tmp/frontdesk-pg.XXXXXX)
    chown postgres "$dir"
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    FRONTDESK_PG_DIR="$dir"
    FRONTDESK_PG_BIN="$bin"
    FRONTDESK_CLEANUP+=(stop_throwaway_postgres)
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_throwaway_postgres() {
    runuser -u postgres -- "$FRONTDESK_PG_BIN/pg_ctl" -D "$FRONTDESK_PG_DIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$FRONTDESK_PG_DIR"
}

# Test databases of runs that crashed before dropping their own.
drop_stale_test_databases() {
    command -v psql >/dev/null 2>&1 || return 0
    psql -q -At -d "$DATABASE_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'frontdesk_test_%'" 2>/dev/null |
        while read -r name; do
            psql -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
        done
}
