#!/usr/bin/env bash
# Start and stop what `make run` / `make demo` bring up: PostgreSQL, optionally the replay server,
# and Airflow standalone with the newsflow DAGs unpaused; with NEWSFLOW_WORKERS=N (make run WORKERS=N)
# Airflow's components one by one on the CeleryExecutor, N Celery workers and a private Redis.
# Processes are tracked by pid files in var/run and stopped by those pids only.
# `bi` starts Superset (its own .venv-bi) with the newsflow dashboard; `bi-stop` stops it alone.
# Usage: scripts/services.sh run | demo | bi | bi-stop | stop
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

# Airflow standalone runs the LocalExecutor only: with Celery workers each component is its own process.
CELERY_COMPONENTS="api-server scheduler dag-processor triggerer"

start_redis() {  # Debian's redis-server (installed when missing) on a private port, data under var/redis
  if ! command -v redis-server >/dev/null; then
    echo "installing Debian's redis-server (the Celery broker)"
    local sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y -qq redis-server >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server >/dev/null; }
  fi
  mkdir -p var/redis
  start_detached redis "$run_dir/redis.log" redis-server --bind 127.0.0.1 --port "$NEWSFLOW_REDIS_PORT" \
    --dir "$NEWSFLOW_ROOT/var/redis" --save "" --appendonly no --daemonize no
  wait_until 30 "Redis on 127.0.0.1:$NEWSFLOW_REDIS_PORT (see $run_dir/redis.log)" \
    redis-cli -p "$NEWSFLOW_REDIS_PORT" ping >/dev/null
}

start_celery() {
  start_redis
  local component i
  for component in $CELERY_COMPONENTS; do
    start_detached "$component" "$run_dir/$component.log" airflow "$component"
  done
  # one machine: the workers share the log folder, so none serves logs over HTTP (one port each)
  for ((i = 1; i <= NEWSFLOW_WORKERS; i++)); do
    start_detached "celery-worker-$i" "$run_dir/celery-worker-$i.log" airflow celery worker \
      --celery-hostname "newsflow-worker-$i@%h" --concurrency "${NEWSFLOW_WORKER_CONCURRENCY:-2}" --skip-serve-logs
  done
}

stop_detached() {  # name: the process group of its pid file, TERM then KILL
  local name=$1
  if is_running "$run_dir/$name.pid"; then
    kill -TERM -- "-$(cat "$run_dir/$name.pid")" 2>/dev/null || true
    for _ in $(seq 1 20); do is_running "$run_dir/$name.pid" || break; sleep 0.5; done
    is_running "$run_dir/$name.pid" && kill -KILL -- "-$(cat "$run_dir/$name.pid")" 2>/dev/null || true
    echo "stopped $name"
  fi
  rm -f "$run_dir/$name.pid"
}

start_superset() {  # metadata, admin and dashboard import (idempotent), then the web server
  export SUPERSET_CONFIG_PATH=$NEWSFLOW_ROOT/include/bi/superset/superset_config.py
  bash scripts/pg.sh start
  newsflow db migrate   # the report views and the newsflow_superset login (migration 013)
  local uri
  uri=$(python -c 'from newsflow.ops import superset_url; print(superset_url())')
  .venv-bi/bin/python include/bi/superset/provision.py --warehouse-uri "$uri" 2>"$run_dir/superset-provision.log" \
    | grep '^Superset login' || { tail -30 "$run_dir/superset-provision.log" >&2; exit 1; }
  start_detached superset "$run_dir/superset.log" .venv-bi/bin/gunicorn --workers 1 --threads 8 --timeout 120 \
    --bind "127.0.0.1:$NEWSFLOW_BI_PORT" "superset.app:create_app()"
  wait_until 120 "Superset on 127.0.0.1:$NEWSFLOW_BI_PORT (see $run_dir/superset.log)" \
    answers "http://127.0.0.1:$NEWSFLOW_BI_PORT/health"
  cat <<INFO

Superset is running.
  Dashboard:  http://localhost:$NEWSFLOW_BI_PORT/superset/dashboard/newsflow/
  Login:      admin, password in $NEWSFLOW_BI_HOME/admin_password
  Warehouse:  read as newsflow_superset (read-only; SQL Lab runs SELECT only)
  Log:        $run_dir/superset.log
  Stop:       make bi-stop (or make stop)
INFO
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
  if [ "$NEWSFLOW_WORKERS" -gt 0 ]; then
    start_celery
  else
    start_detached airflow "$AIRFLOW_HOME/standalone.log" airflow standalone
  fi
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
  Executor:       $AIRFLOW__CORE__EXECUTOR (Celery workers: $NEWSFLOW_WORKERS)
  Logs:           $AIRFLOW_HOME/standalone.log (or $run_dir/*.log with Celery workers)
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
  bi)
    start_superset
    ;;
  bi-stop)
    stop_detached superset
    ;;
  stop)
    workers=$(cd "$run_dir" 2>/dev/null && ls celery-worker-*.pid 2>/dev/null | sed 's/\.pid$//' || true)
    for name in superset demo-backfill airflow $workers $CELERY_COMPONENTS redis replay; do
      stop_detached "$name"
    done
    bash scripts/pg.sh stop
    ;;
  *) echo "usage: $0 run|demo|bi|bi-stop|stop" >&2; exit 2 ;;
esac
