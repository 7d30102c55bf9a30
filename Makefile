# newsflow: `make run` (real feeds), `make demo` (local replay), `make test`, `make stop`.
SHELL := /bin/bash
PYTEST_ARGS ?=
# make run WORKERS=2 / make demo WORKERS=2: the CeleryExecutor with two local workers (0: LocalExecutor)
WORKERS ?= 0

.PHONY: run demo stop test venv pg browser bench lock dictionary

.venv/.installed: requirements.lock pyproject.toml
	bash scripts/venv.sh

venv: .venv/.installed

pg:
	bash scripts/pg.sh start

# Debian's chromium, for the browser test of the newsflow page (installed when missing)
browser:
	bash scripts/browser.sh

run: venv
	NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh run

demo: venv
	NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh demo

stop:
	bash scripts/services.sh stop

test: venv pg browser
	. scripts/env.sh && NEWSFLOW_TASK_RETRIES=0 .venv/bin/python -m pytest $(PYTEST_ARGS)

bench: venv
	.venv/bin/python bench/extraction/run.py
	.venv/bin/python bench/events/run.py
	.venv/bin/python bench/actors/run.py
	.venv/bin/python bench/dedup/run.py
	. scripts/env.sh && .venv/bin/python bench/pipeline/run.py

lock:
	.venv/bin/uv pip compile requirements.in -o requirements.lock --python-version 3.11

dictionary: venv pg
	. scripts/env.sh && .venv/bin/python scripts/gen_dictionary.py
