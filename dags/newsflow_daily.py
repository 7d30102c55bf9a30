"""newsflow_daily: story clusters, daily marts and data checks for one day."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable, dag, task

from newsflow.dag_settings import DEFAULT_ARGS, fail_at_once, marts_deadline, require_current_schema

DOC = """
### newsflow_daily
For its data interval's day (and two days before, for late articles): recomputes story clusters,
`mart.daily_events`, `mart.daily_actor_activity` and `mart.daily_source_health`, then runs the SQL
data checks (no event without a mention, mart totals equal fact totals, no future dates). A failed
check fails the task at once (no retry: the data would not change), naming the failing checks;
every outcome is in `mart.data_check`.

Deadline Alert: when a day's marts are not built `marts_due_hours` after the day ends
(`include/config/ops.yaml`: 02:00 UTC of the next day), the newsflow notifier alerts (log, webhook,
e-mail). Runs queued after their deadline (backfills) are not alerted.

`html_retention` (beside it): the raw HTML of extracted pages fetched more than `html_retention_days`
before the day's end leaves the warehouse, to files under `html_archive_dir` or dropped
(`include/config/storage.yaml`); article text, metadata and events stay.

Recomputes only the days it touches, so a re-run or a backfill leaves the marts exactly as one run
would:

    airflow backfill create --dag-id newsflow_daily --from-date 2024-12-01 --to-date 2024-12-03
"""


@dag(
    dag_id="newsflow_daily",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2024, 12, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=marts_deadline(),
    tags=["newsflow", "marts"],
    doc_md=DOC,
)
def newsflow_daily():
    @task
    def build_marts(data_interval_start=None) -> dict:
        from newsflow.pipeline import daily
        require_current_schema()
        with fail_at_once():  # failed data checks: a retry would find the same data
            return daily(data_interval_start.date())

    @task
    def html_retention(data_interval_start=None) -> dict:
        from newsflow.retention import apply_html_retention
        require_current_schema()
        return apply_html_retention(data_interval_start.date())

    build_marts()
    html_retention()


newsflow_daily()
