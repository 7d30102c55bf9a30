#!/usr/bin/env bash
# Create .venv from the pinned lock file (uv when available: seconds instead of minutes).
# `scripts/venv.sh bi`: Superset's own .venv-bi from requirements-bi.lock (never inside Airflow's).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check uv==0.13.9
fi
if [ "${1:-}" = bi ]; then
  [ -x .venv-bi/bin/python ] || .venv/bin/uv venv -q --python "$(command -v "$python")" .venv-bi
  .venv/bin/uv pip install -q --python .venv-bi/bin/python -r requirements-bi.lock
  touch .venv-bi/.installed
  echo ".venv-bi ready (Superset $(.venv-bi/bin/python -c 'import importlib.metadata as m; print(m.version("apache-superset"))'))"
  exit 0
fi
.venv/bin/uv pip install -q --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
touch .venv/.installed
echo ".venv ready ($(.venv/bin/python --version))"
