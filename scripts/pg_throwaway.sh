#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster, then stops and deletes the cluster.
#
#   scripts/pg_throwaway.sh pytest -q      # the command sees DATABASE_URL=postgres://postgres@127.0.0.1:PORT/casacomuni
#   scripts/pg_throwaway.sh --check        # prints the server's bin directory, or fails if there is none
#
# The server is the newest under /usr/lib/postgresql/*/bin (Debian's layout), or PG_BIN if set, or
# initdb on PATH. The cluster lives in a temporary directory, listens on a free port of 127.0.0.1 only,
# trusts local connections and runs without fsync: it holds nothing worth keeping. initdb refuses to
# run as root, so as root the cluster belongs to the `postgres` user (or to a dedicated system user
# when there is none). The exit status is the command's.
set -euo pipefail

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/initdb" ]] && echo "$PG_BIN" && return 0
        return 1
    fi
    local newest
    newest="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$newest" ]]; then
        dirname "$newest"
        return 0
    fi
    command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
    return 1
}

if ! PG_BIN="$(find_pg_bin)"; then
    echo "No PostgreSQL server found (looked in /usr/lib/postgresql/*/bin and on PATH)." >&2
    echo "Install it with: sudo apt-get install postgresql   (or set PG_BIN to the directory holding initdb)" >&2
    exit 3
fi
if [[ "${1:-}" == "--check" ]]; then
    echo "$PG_BIN"
    exit 0
fi
if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

# Runs a server binary as the cluster's owner, from a directory that owner can enter.
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        (cd "$PG_DIR" && runuser -u "$PG_OWNER" -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

PG_OWNER="$(id -un)"
if [[ $EUID -eq 0 ]]; then
    PG_OWNER=postgres
    if ! id postgres >/dev/null 2>&1; then
        PG_OWNER=casacomuni-pg
        id "$PG_OWNER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OWNER"
    fi
fi

PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/casacomuni-pg.XXXXXX")"
chmod 700 "$PG_DIR"
[[ $EUID -eq 0 ]] && chown "$PG_OWNER" "$PG_DIR"

cleanup() {
    # -m immediate: the data is thrown away, so there is nothing to flush.
    as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# C.UTF-8 keeps lower()/upper() right for accented letters, which the C locale would leave alone.
locale_args=(--no-locale)
locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale_args=(--locale=C.UTF-8)

as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 "${locale_args[@]}" \
    --no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }

PG_PORT="$(free_port)"
server_options="-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR"
server_options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o "$server_options" \
    start >/dev/null; then
    echo "PostgreSQL did not start; its log follows." >&2
    cat "$PG_DIR/server.log" >&2
    exit 1
fi
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres casacomuni

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/casacomuni"
echo "Throwaway PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $DATABASE_URL"
status=0
"$@" || status=$?
exit "$status"
