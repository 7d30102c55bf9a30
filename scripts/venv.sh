#!/usr/bin/env bash
# Create .venv from the pinned lock file (uv when available: seconds instead of minutes).
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
.venv/bin/uv pip install -q --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
touch .venv/.installed
echo ".venv ready ($(.venv/bin/python --version))"
