"""The newsflow page inside the Airflow UI: a FastAPI app mounted by the Airflow API server.

Airflow does not protect plugin apps: every route here depends on Airflow's own check (a valid JWT
as a Bearer header or the UI's `_token` cookie, and read access to DAGs), so a request without a
token gets 401 and one with a bad token 403. The figures come from newsflow.ops (the read-only BI
login); this module only adds links to Airflow's own pages (task logs, daily runs).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from airflow.api_fastapi.core_api.security import requires_access_dag

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
URL_PREFIX = "/newsflow"
# the only files served: nothing else under the folder is reachable
STATIC = {"chart.umd.min.js": "text/javascript", "newsflow.js": "text/javascript",
          "newsflow.css": "text/css", "LICENSE.chartjs.md": "text/markdown"}
INGEST_DAG, INGEST_TASK, DAILY_DAG = "newsflow_ingest", "ingest_site", "newsflow_daily"

app = FastAPI(title="newsflow", description="Health, charts and data checks of newsflow",
              dependencies=[Depends(requires_access_dag(method="GET"))])


def _airflow_root(request: Request) -> str:
    """Path of the Airflow UI (the API server may sit under a base path)."""
    root = request.scope.get("root_path", "")
    return root[: -len(URL_PREFIX)] if root.endswith(URL_PREFIX) else root


def _ti_url(root: str, dag_id: str, run_id: str, task_id: str, map_index: int) -> str:
    url = f"{root}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}/tasks/{quote(task_id, safe='')}"
    return url + (f"/mapped/{map_index}" if map_index >= 0 else "")


def last_task_logs(root: str, source_ids: list[str]) -> dict[str, dict]:
    """Per source: the latest ingest task that polled it (its state and a link to its log)."""
    from sqlalchemy import select

    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.utils.session import create_session

    found: dict[str, dict] = {}
    with create_session() as session:
        rows = session.execute(
            select(TI.run_id, TI.map_index, TI.state, TI.start_date, TI._rendered_map_index)
            .where(TI.dag_id == INGEST_DAG, TI.task_id == INGEST_TASK, TI.start_date.is_not(None))
            .order_by(TI.start_date.desc()).limit(500)).all()
    for run_id, map_index, state, start, rendered in rows:
        for source_id in (rendered or "").split(","):
            if source_id in source_ids and source_id not in found:
                found[source_id] = {"url": _ti_url(root, INGEST_DAG, run_id, INGEST_TASK, map_index),
                                    "state": str(state) if state else None,
                                    "started": start.isoformat() if start else None}
    return found


def daily_runs(root: str, days: set[str]) -> dict[str, dict]:
    """Per day: the newsflow_daily run that built it (the latest, when several did)."""
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    found: dict[str, dict] = {}
    with create_session() as session:
        rows = session.execute(
            select(DagRun.run_id, DagRun.state, DagRun.data_interval_start)
            .where(DagRun.dag_id == DAILY_DAG)
            .order_by(DagRun.data_interval_start.desc(), DagRun.id.desc()).limit(500)).all()
    for run_id, state, start in rows:
        day = start.date().isoformat() if start else None
        if day in days and day not in found:
            found[day] = {"url": f"{root}/dags/{DAILY_DAG}/runs/{quote(run_id, safe='')}",
                          "state": str(state) if state else None}
    return found


def _as_of(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"as_of must be an ISO date or time, got {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@app.get("/api/overview")
def overview(request: Request, as_of: str | None = Query(None, description="ISO date or time; now by default")):
    """Source health, event charts and data checks, with links to Airflow's pages."""
    from newsflow import ops

    moment = _as_of(as_of)
    try:
        data = ops.overview(moment)
    except Exception as exc:  # the page says what is wrong instead of an empty 500
        log.exception("newsflow page: cannot read the warehouse")
        raise HTTPException(status_code=503, detail=f"cannot read the warehouse as the BI login: {exc}")
    root = _airflow_root(request)
    logs = last_task_logs(root, [s["source_id"] for s in data["sources"]])
    for source in data["sources"]:
        source["last_task"] = logs.get(source["source_id"])
    runs = daily_runs(root, {c["day"] for c in data["data_checks"]})
    for check in data["data_checks"]:
        check["run"] = runs.get(check["day"])
    return data


@app.get("/", response_class=HTMLResponse)
def page() -> HTMLResponse:
    return HTMLResponse((HERE / "page.html").read_text(encoding="utf-8"))


@app.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in STATIC:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name])
