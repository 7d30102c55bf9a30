# newsflow: `make run` (real feeds), `make demo` (local replay), `make bi` (Superset), `make test`, `make stop`.
SHELL := /bin/bash
PYTEST_ARGS ?=
# make run WORKERS=2 / make demo WORKERS=2: the CeleryExecutor with two local workers (0: LocalExecutor)
WORKERS ?= 0

.PHONY: run demo stop test venv venv-bi bi bi-stop pg browser bench layer-gate lock lock-bi dictionary

.venv/.installed: requirements.lock pyproject.toml
	bash scripts/venv.sh

venv: .venv/.installed

# Apache Superset in its own virtualenv, from its own lock file
.venv-bi/.installed: requirements-bi.lock .venv/.installed
	bash scripts/venv.sh bi

venv-bi: .venv-bi/.installed

pg:
	bash scripts/pg.sh start

# Debian's chromium, for the browser test of the newsflow page (installed when missing)
browser:
	bash scripts/browser.sh

run: venv
	NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh run

demo: venv
	NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh demo

# Superset on 127.0.0.1:$${NEWSFLOW_BI_PORT:-8088} with the newsflow dashboard, reading the warehouse as a
# read-only login (run `make demo` first for the replay's data)
bi: venv venv-bi
	bash scripts/services.sh bi

bi-stop:
	bash scripts/services.sh bi-stop

stop:
	bash scripts/services.sh stop

test: venv venv-bi pg browser
	. scripts/env.sh && NEWSFLOW_TASK_RETRIES=0 .venv/bin/python -m pytest $(PYTEST_ARGS)

bench: venv
	.venv/bin/python bench/extraction/run.py
	.venv/bin/python bench/events/run.py
	.venv/bin/python bench/actors/run.py
	.venv/bin/python bench/dedup/run.py
	. scripts/env.sh && .venv/bin/python bench/pipeline/run.py

# retrain the extraction layer gate (include/newsflow/data/extraction/layer_gate.json) on the dev sets
layer-gate: venv
	.venv/bin/python bench/extraction/layer_gate.py --write

lock:
	.venv/bin/uv pip compile requirements.in -o requirements.lock --python-version 3.11

lock-bi:
	.venv/bin/uv pip compile requirements-bi.in -o requirements-bi.lock --python-version 3.11

dictionary: venv pg
	. scripts/env.sh && .venv/bin/python scripts/gen_dictionary.py
