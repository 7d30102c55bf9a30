# Environment shared by make run / demo / stop / test. Source it: . scripts/env.sh
NEWSFLOW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export NEWSFLOW_ROOT
export NEWSFLOW_PG_PORT=${NEWSFLOW_PG_PORT:-5433}
# the private cluster's generated password (scripts/pg.sh): libpq reads it for URLs without one
# (exported before the file exists: services.sh sources this, then pg.sh creates it)
export PGPASSFILE=${PGPASSFILE:-$NEWSFLOW_ROOT/var/pgpass}
export NEWSFLOW_AIRFLOW_PORT=${NEWSFLOW_AIRFLOW_PORT:-8080}
export NEWSFLOW_REPLAY_PORT=${NEWSFLOW_REPLAY_PORT:-8765}
# make bi: Superset's port and home (SQLite metadata, generated secret key and admin password)
export NEWSFLOW_BI_PORT=${NEWSFLOW_BI_PORT:-8088}
export NEWSFLOW_BI_HOME=${NEWSFLOW_BI_HOME:-$NEWSFLOW_ROOT/var/superset}
export AIRFLOW_HOME=${AIRFLOW_HOME:-$NEWSFLOW_ROOT/var/airflow}
export AIRFLOW__CORE__DAGS_FOLDER=$NEWSFLOW_ROOT/dags
export AIRFLOW__CORE__PLUGINS_FOLDER=$NEWSFLOW_ROOT/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
# two cores: a few workers are plenty and keep memory near 1 GB
export AIRFLOW__CORE__PARALLELISM=${AIRFLOW__CORE__PARALLELISM:-4}
export AIRFLOW__API__PORT=$NEWSFLOW_AIRFLOW_PORT
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-postgresql+psycopg2://postgres@127.0.0.1:$NEWSFLOW_PG_PORT/airflow}
# WORKERS=N (make run / demo): the CeleryExecutor with N local `airflow celery worker` processes and a
# private Redis as the broker (task states go to the metadata database); else the LocalExecutor.
export NEWSFLOW_WORKERS=${NEWSFLOW_WORKERS:-${WORKERS:-0}}
export NEWSFLOW_REDIS_PORT=${NEWSFLOW_REDIS_PORT:-6389}
if [ "$NEWSFLOW_WORKERS" -gt 0 ] 2>/dev/null; then
  export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
  export AIRFLOW__CELERY__BROKER_URL=${AIRFLOW__CELERY__BROKER_URL:-redis://127.0.0.1:$NEWSFLOW_REDIS_PORT/0}
  export AIRFLOW__CELERY__RESULT_BACKEND=${AIRFLOW__CELERY__RESULT_BACKEND:-db+$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN}
else
  export NEWSFLOW_WORKERS=0
  export AIRFLOW__CORE__EXECUTOR=LocalExecutor
fi
# a user-given warehouse means no private cluster is started (scripts/pg.sh)
if [ -n "${NEWSFLOW_WAREHOUSE_URL:-}" ] && [ -z "${NEWSFLOW_PRIVATE_PG:-}" ]; then
  export NEWSFLOW_PRIVATE_PG=0
else
  export NEWSFLOW_PRIVATE_PG=1
  export NEWSFLOW_WAREHOUSE_URL="postgresql://postgres@127.0.0.1:$NEWSFLOW_PG_PORT/newsflow_warehouse"
fi
# the warehouse as the Airflow Connection newsflow_warehouse, which the tasks read (newsflow.config):
# always derived from NEWSFLOW_WAREHOUSE_URL, so Airflow and the command line use the same warehouse
export AIRFLOW_CONN_NEWSFLOW_WAREHOUSE=$NEWSFLOW_WAREHOUSE_URL
export PATH=$NEWSFLOW_ROOT/.venv/bin:$PATH
