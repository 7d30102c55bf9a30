#!/usr/bin/env bash
# Private PostgreSQL cluster for newsflow: data under var/pg, listening on 127.0.0.1:$NEWSFLOW_PG_PORT.
# Usage: scripts/pg.sh start|stop|status|createdbs|secure
# When NEWSFLOW_WAREHOUSE_URL is set, no local cluster is started: that server is used.
#
# Logins need a password (scram-sha-256). The superuser's is generated when the cluster is created,
# printed once, and kept in var/pgpass (mode 600), a libpq password file: scripts/env.sh exports
# PGPASSFILE, so every URL without a password (env.sh, the tests, .ci/run) logs in with it.
# `secure` switches a cluster created before this (trust authentication) to passwords.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${NEWSFLOW_PG_PORT:-5433}
base="$root/var/pg"
mkdir -p "$base"
passfile="$root/var/pgpass"
export PGPASSFILE="$passfile"
# initdb and pg_ctl run as the postgres user: when it cannot reach the project folder (a clone in a
# private 0700 directory, say), keep the cluster in a folder of its own outside it instead
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$base" 2>/dev/null; then
  base="/var/tmp/newsflow-pg-$(printf '%s' "$root" | cksum | cut -d' ' -f1)"
  mkdir -p "$base"
fi
data="$base/data"
log="$base/postgres.log"

find_bin() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_server_binaries() {
  if ! bin=$(find_bin); then
    echo "PostgreSQL server binaries not found: installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    bin=$(find_bin)
  fi
}

# initdb and pg_ctl refuse to run as root: run them as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

new_password() {
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# the password file: this port's line replaced, mode 600 from the start
save_password() {
  local password=$1 tmp
  tmp=$(umask 077 && mktemp "$passfile.XXXXXX")
  { [ -f "$passfile" ] && grep -v "^127\.0\.0\.1:$port:" "$passfile" || true; } > "$tmp"
  echo "127.0.0.1:$port:*:postgres:$password" >> "$tmp"
  chmod 600 "$tmp" && mv "$tmp" "$passfile"
}

has_password() {
  [ -f "$passfile" ] && grep -q "^127\.0\.0\.1:$port:" "$passfile"
}

# The password of this folder's cluster, from its line for any port (only this cluster writes the file)
known_password() {
  [ -f "$passfile" ] && grep -m1 "^127\.0\.0\.1:[0-9]*:\*:postgres:" "$passfile" | cut -d: -f5-
}

announce() {
  cat <<INFO
PostgreSQL superuser for 127.0.0.1:$port: postgres / $1
  (shown once; kept in $passfile, mode 600, which scripts/env.sh hands to libpq as PGPASSFILE)
INFO
}

init_cluster() {
  local password pwfile
  password=$(new_password)
  pwfile=$(mktemp "$base/pwfile.XXXXXX")
  printf '%s\n' "$password" > "$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pwfile"
  chmod 600 "$pwfile"
  if ! as_pg "$bin/initdb" -D "$data" -A scram-sha-256 --pwfile="$pwfile" -U postgres -E UTF8 \
       --locale=C.UTF-8 >/dev/null; then
    rm -f "$pwfile"; return 1
  fi
  rm -f "$pwfile"
  save_password "$password"
  announce "$password"
}

# A cluster created with trust authentication: give postgres a password, then require passwords.
secure() {
  ensure_server_binaries
  if grep -Eq '^[[:space:]]*(local|host)[[:space:]].*[[:space:]]trust[[:space:]]*$' "$data/pg_hba.conf"; then
    local password
    password=$(new_password)
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "ALTER ROLE postgres PASSWORD '$password'" >/dev/null
    save_password "$password"
    as_pg sed -i -E 's/^([[:space:]]*(local|host)[[:space:]].*[[:space:]])trust[[:space:]]*$/\1scram-sha-256/' "$data/pg_hba.conf"
    as_pg "$bin/pg_ctl" -D "$data" reload >/dev/null
    announce "$password"
  else
    echo "PostgreSQL on 127.0.0.1:$port already requires passwords"
  fi
}

start() {
  ensure_server_binaries
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$base"
  if [ ! -s "$data/PG_VERSION" ]; then
    init_cluster
  elif ! has_password; then
    local password
    password=$(known_password || true)
    if [ -n "$password" ]; then
      # the same cluster started on another port (NEWSFLOW_PG_PORT): its password, for this port too
      save_password "$password"
    else
      echo "warning: the cluster in $data was created without passwords (trust);" \
           "run 'bash scripts/pg.sh secure' to require them" >&2
    fi
  fi
  if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "PostgreSQL already running on 127.0.0.1:$port"
  else
    as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $base -c max_connections=200" start >/dev/null
    echo "PostgreSQL started on 127.0.0.1:$port (data: $data)"
  fi
  createdbs
}

createdbs() {
  for db in newsflow_warehouse airflow; do
    if ! psql -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      psql -h 127.0.0.1 -p "$port" -U postgres -qc "create database $db" >/dev/null
    fi
  done
}

stop() {
  bin=$(find_bin) || exit 0
  if [ -s "$data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "PostgreSQL stopped"
  fi
}

case "${1:-}" in
  start)
    if [ "${NEWSFLOW_PRIVATE_PG:-}" = 0 ] || { [ -z "${NEWSFLOW_PRIVATE_PG:-}" ] && [ -n "${NEWSFLOW_WAREHOUSE_URL:-}" ]; }; then
      echo "Using the warehouse at NEWSFLOW_WAREHOUSE_URL (no private cluster started)"
    else
      start
    fi ;;
  stop) stop ;;
  status) bin=$(find_bin) && as_pg "$bin/pg_ctl" -D "$data" status ;;
  createdbs) createdbs ;;
  secure) secure ;;
  *) echo "usage: $0 start|stop|status|createdbs|secure" >&2; exit 2 ;;
esac
