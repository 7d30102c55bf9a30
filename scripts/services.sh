#!/usr/bin/env bash
# Start and stop what `make run` / `make demo` bring up: PostgreSQL, optionally the replay server,
# and Airflow standalone with the newsflow DAGs unpaused. Processes are tracked by pid files in
# var/run and stopped by those pids only.
# Usage: scripts/services.sh run | demo | stop
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$NEWSFLOW_ROOT"
# A task process reports to the API server's execution API: a run the scheduler starts before that
# server listens fails ("Connection refused"). So the DAGs stay paused until the API server answers
# (start_airflow), and tasks are sent to this deployment's port (Airflow's default is 8080).
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-http://127.0.0.1:$NEWSFLOW_AIRFLOW_PORT/execution/}
run_dir=var/run
mkdir -p "$run_dir" "$AIRFLOW_HOME"

is_running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_detached() {  # name, log, command...: own process group, so stop can end its children too
  local name=$1 logfile=$2; shift 2
  if is_running "$run_dir/$name.pid"; then echo "$name already running (pid $(cat "$run_dir/$name.pid"))"; return; fi
  setsid "$@" >"$logfile" 2>&1 < /dev/null &
  echo $! > "$run_dir/$name.pid"
}

wait_until() {  # seconds, what, command...: run the command every second until it succeeds
  local limit=$1 what=$2 i; shift 2
  for ((i = 0; i < limit; i++)); do
    "$@" && return 0
    sleep 1
  done
  echo "timed out after ${limit}s waiting for $what" >&2
  return 1
}

answers() { curl -fsS -o /dev/null "$1" 2>/dev/null; }

wait_http() { wait_until "$2" "$1" answers "$1"; }  # url, seconds

airflow_ready() {  # the API server reports a healthy database, scheduler and DAG processor, and its
  # execution API (where task processes report) accepts connections
  local base=http://127.0.0.1:$NEWSFLOW_AIRFLOW_PORT
  curl -fsS "$base/api/v2/monitor/health" 2>/dev/null | python3 -c '
import json, sys
health = json.load(sys.stdin)
sys.exit(any((health.get(part) or {}).get("status") != "healthy" for part in ("metadatabase", "scheduler", "dag_processor")))
' 2>/dev/null && answers "$base/execution/health"
}

newsflow_dags_parsed() { [ "$(airflow dags list -o plain 2>/dev/null | grep -c '^newsflow_')" -ge 4 ]; }

start_airflow() {
  bash scripts/pg.sh start
  airflow db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || { tail -20 "$AIRFLOW_HOME/db-migrate.log"; exit 1; }
  airflow pools set newsflow_http 4 "newsflow HTTP work (feeds, pages, sitemaps)" >/dev/null
  # the warehouse schema is migrated here, at deploy time: the DAGs only check its version
  newsflow db migrate
  newsflow gazetteer
  if ! is_running "$run_dir/airflow.pid"; then
    # DAGs an earlier session left unpaused would be scheduled as soon as the scheduler starts
    airflow dags pause --treat-dag-id-as-regex -y '^newsflow_' >/dev/null
  fi
  start_detached airflow "$AIRFLOW_HOME/standalone.log" airflow standalone
  echo "waiting for Airflow on http://localhost:$NEWSFLOW_AIRFLOW_PORT ..."
  wait_until 240 "the Airflow API server, scheduler and DAG processor (see $AIRFLOW_HOME/standalone.log)" \
    airflow_ready
  if ! wait_until 120 "the four newsflow DAGs to be parsed" newsflow_dags_parsed; then
    echo "DAGs parsed later stay paused: unpause them in the UI or run" \
      "airflow dags unpause --treat-dag-id-as-regex -y '^newsflow_'" >&2
  fi
  airflow dags unpause --treat-dag-id-as-regex -y '^newsflow_' >/dev/null
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
