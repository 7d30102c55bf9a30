"""The newsflow Airflow plugin: the newsflow page (source health, event charts, data checks) as a
FastAPI app under /newsflow, shown in the Airflow UI's navigation."""
from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from newsflow_ui.app import URL_PREFIX, app


class NewsflowPlugin(AirflowPlugin):
    name = "newsflow"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "newsflow"}]
    external_views = [{
        "name": "newsflow",
        "href": f"{URL_PREFIX}/",
        "destination": "nav",
        "url_route": "newsflow",
        "nav_top_level": True,
    }]
