#!/bin/bash
# First start: initialise PGDATA from POSTGRES_USER, POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE)
# and POSTGRES_DB, then run the command (the server) in the foreground as the postgres user.
set -euo pipefail
: "${PGDATA:?PGDATA must be set}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD=$(<"$POSTGRES_PASSWORD_FILE"); fi
say() { echo "postgres-entrypoint: $*" >&2; }

if [ "$(id -u)" = 0 ]; then
  say "refusing to run as root: run as the postgres user (uid 999)"
  exit 1
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    say "set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to initialise $PGDATA"
    exit 1
  fi
  if ! mkdir -p "$PGDATA" 2>/dev/null || ! touch "$PGDATA/.probe" 2>/dev/null; then
    say "$PGDATA is not writable by uid $(id -u): mount a volume there"
    exit 1
  fi
  rm -f "$PGDATA/.probe"
  say "initialising $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # Local socket trusted (only this container reaches it); the network needs the password.
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  cat >>"$PGDATA/postgresql.conf" <<CONF

# medic-scribe: read-only root (socket in the /tmp tmpfs), reachable on the stack's network.
listen_addresses = '*'
unix_socket_directories = '/tmp'
jit = off
CONF
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
    psql --username="$POSTGRES_USER" --dbname=postgres --set=ON_ERROR_STOP=1 \
      --set=db="$POSTGRES_DB" --quiet <<<'CREATE DATABASE :"db";'
    pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
  fi
  say "initialised"
fi
exec "$@"
