"""Superset's settings for newsflow (`make bi`, tests, the compose service).

Superset reads this file through SUPERSET_CONFIG_PATH. Everything deployment-specific comes from the
environment that scripts/bi.sh (or compose) sets: NEWSFLOW_BI_HOME holds the SQLite metadata and the
generated secret key.
"""
import os
from pathlib import Path

_HOME = Path(os.environ["NEWSFLOW_BI_HOME"])

# metadata (users, dashboards, charts) in SQLite: one local analyst, no server to run
SQLALCHEMY_DATABASE_URI = os.environ.get("NEWSFLOW_BI_METADATA_URL") or f"sqlite:///{_HOME / 'superset.db'}"
# generated once by include/bi/superset/provision.py (signs sessions and encrypts stored passwords)
SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY") or (_HOME / "secret_key").read_text(encoding="utf-8").strip()

# no Mapbox, no tile server: the dashboard's maps are World Map and Country Map, whose shapes ship
# inside Superset's own static files
MAPBOX_API_KEY = ""
# the rate limiter's counters in memory (one process) instead of a warning on every start
RATELIMIT_STORAGE_URI = "memory://"
FEATURE_FLAGS = {"DASHBOARD_NATIVE_FILTERS": True}
# a SQL Lab query as long as the BI login's statement_timeout (migration 013)
SQLLAB_TIMEOUT = 60
SUPERSET_WEBSERVER_TIMEOUT = 60

# Superset's default content security policy, with images, fonts and connections from this server
# only: the browser then never tries the telemetry pixel, map tile or font hosts (nothing leaves the
# machine, and a dashboard opened offline logs no failed request)
from superset.config import TALISMAN_CONFIG as _DEFAULT_TALISMAN  # noqa: E402

_POLICY = dict(_DEFAULT_TALISMAN["content_security_policy"])
_POLICY.update({"img-src": ["'self'", "blob:", "data:"], "connect-src": ["'self'"],
                "font-src": ["'self'", "data:"], "style-src": ["'self'", "'unsafe-inline'"]})
TALISMAN_CONFIG = {**_DEFAULT_TALISMAN, "content_security_policy": _POLICY}
