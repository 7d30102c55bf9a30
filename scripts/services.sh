#!/usr/bin/env bash
# Start and stop what `make run` / `make demo` bring up: PostgreSQL, optionally the replay server,
# and Airflow standalone with the newsflow DAGs unpaused. Processes are tracked by pid files in
# var/run and stopped by those pids only.
# Usage: scripts/services.sh run | demo | stop
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$NEWSFLOW_ROOT"
run_dir=var/run
mkdir -p "$run_dir" "$AIRFLOW_HOME"

is_running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_detached() {  # name, log, command...: own process group, so stop can end its children too
  local name=$1 logfile=$2; shift 2
  if is_running "$run_dir/$name.pid"; then echo "$name already running (pid $(cat "$run_dir/$name.pid"))"; return; fi
  setsid "$@" >"$logfile" 2>&1 < /dev/null &
  echo $! > "$run_dir/$name.pid"
}

wait_http() {  # url, seconds
  local url=$1 limit=$2 i
  for ((i = 0; i < limit; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 1
  done
  echo "timed out waiting for $url" >&2
  return 1
}

start_airflow() {
  bash scripts/pg.sh start
  airflow db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || { tail -20 "$AIRFLOW_HOME/db-migrate.log"; exit 1; }
  airflow pools set newsflow_http 4 "newsflow HTTP work (feeds, pages, sitemaps)" >/dev/null
  newsflow db migrate
  newsflow gazetteer
  start_detached airflow "$AIRFLOW_HOME/standalone.log" airflow standalone
  echo "waiting for Airflow on http://localhost:$NEWSFLOW_AIRFLOW_PORT ..."
  wait_http "http://127.0.0.1:$NEWSFLOW_AIRFLOW_PORT/api/v2/monitor/health" 180
  # DAGs are unpaused at creation; once all four are parsed, unpause them in case an earlier
  # session paused them
  for _ in $(seq 1 40); do
    [ "$(airflow dags list -o plain 2>/dev/null | grep -c '^newsflow_')" -ge 4 ] && break
    sleep 3
  done
  airflow dags unpause --treat-dag-id-as-regex -y '^newsflow_' >/dev/null 2>&1 || true
  local password
  password=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('admin', '?'))" \
    "$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated" 2>/dev/null || echo "see $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated")
  cat <<INFO

newsflow is running.
  Airflow UI:     http://localhost:$NEWSFLOW_AIRFLOW_PORT   (login: admin / $password)
  Warehouse (BI): $NEWSFLOW_WAREHOUSE_URL
                  read-only BI login: newsflow_metabase / newsflow_metabase (schemas bi, mart)
  Logs:           $AIRFLOW_HOME/standalone.log
  Stop:           make stop
INFO
}

case "${1:-}" in
  run)
    unset NEWSFLOW_REPLAY_BASE
    start_airflow
    ;;
  demo)
    start_detached replay var/run/replay.log newsflow replay-server --host 127.0.0.1 --port "$NEWSFLOW_REPLAY_PORT"
    wait_http "http://127.0.0.1:$NEWSFLOW_REPLAY_PORT/_replay/health" 30
    export NEWSFLOW_REPLAY_BASE="http://127.0.0.1:$NEWSFLOW_REPLAY_PORT"
    echo "replay server on $NEWSFLOW_REPLAY_BASE (feeds and pages of include/replay)"
    start_airflow
    # the replayed news is from 1-3 December 2024: backfill those days once the first ingest is in
    start_detached demo-backfill var/run/demo-backfill.log bash scripts/demo_backfill.sh
    echo "  Demo:           backfilling 2024-12-01..2024-12-03 (archive, then daily); see var/run/demo-backfill.log"
    ;;
  stop)
    for name in demo-backfill airflow replay; do
      if is_running "$run_dir/$name.pid"; then
        kill -TERM -- "-$(cat "$run_dir/$name.pid")" 2>/dev/null || true
        for _ in $(seq 1 20); do is_running "$run_dir/$name.pid" || break; sleep 0.5; done
        is_running "$run_dir/$name.pid" && kill -KILL -- "-$(cat "$run_dir/$name.pid")" 2>/dev/null || true
        echo "stopped $name"
      fi
      rm -f "$run_dir/$name.pid"
    done
    bash scripts/pg.sh stop
    ;;
  *) echo "usage: $0 run|demo|stop" >&2; exit 2 ;;
esac
