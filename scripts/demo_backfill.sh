#!/usr/bin/env bash
# make demo: once the first ingest and extract runs have succeeded, backfill the replayed days
# (1-3 December 2024) through newsflow_archive, then newsflow_daily, as a user would.
set -euo pipefail
. "$(dirname "$0")/env.sh"
from=2024-12-01 to=2024-12-03

succeeded() {  # dag_id [minimum count]
  airflow dags list-runs "$1" -o plain 2>/dev/null | grep -c " success " | { read -r n; [ "$n" -ge "${2:-1}" ]; }
}
wait_for() {
  for _ in $(seq 1 120); do succeeded "$@" && return 0; sleep 5; done
  echo "gave up waiting for $1" >&2; return 1
}

wait_for newsflow_ingest
wait_for newsflow_extract
echo "$(date -u +%FT%TZ) backfilling newsflow_archive $from..$to"
airflow backfill create --dag-id newsflow_archive --from-date "$from" --to-date "$to" --reprocess-behavior completed
wait_for newsflow_archive 3
sleep 20  # let newsflow_extract pick up the archived articles
wait_for newsflow_extract 2
echo "$(date -u +%FT%TZ) backfilling newsflow_daily $from..$to"
airflow backfill create --dag-id newsflow_daily --from-date "$from" --to-date "$to" --reprocess-behavior completed
wait_for newsflow_daily 3
echo "$(date -u +%FT%TZ) demo backfill done"
