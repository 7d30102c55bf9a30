# newsflow: `make run` (real feeds), `make demo` (local replay), `make test`, `make stop`.
SHELL := /bin/bash
PYTEST_ARGS ?=

.PHONY: run demo stop test venv compiled pg browser bench lock dictionary

.venv/.installed: requirements.lock pyproject.toml
	bash scripts/venv.sh

venv: .venv/.installed

# Cython copies of the event-coding modules (newsflow.compiled); rebuilt only when their source changed.
compiled: venv
	.venv/bin/python scripts/build_compiled.py

pg:
	bash scripts/pg.sh start

# Debian's chromium, for the browser test of the newsflow page (installed when missing)
browser:
	bash scripts/browser.sh

run: compiled
	bash scripts/services.sh run

demo: compiled
	bash scripts/services.sh demo

stop:
	bash scripts/services.sh stop

test: compiled pg browser
	. scripts/env.sh && NEWSFLOW_TASK_RETRIES=0 .venv/bin/python -m pytest $(PYTEST_ARGS)

bench: compiled
	.venv/bin/python bench/extraction/run.py
	.venv/bin/python bench/events/run.py
	.venv/bin/python bench/actors/run.py
	.venv/bin/python bench/dedup/run.py

lock:
	.venv/bin/uv pip compile requirements.in -o requirements.lock --python-version 3.11

dictionary: venv pg
	. scripts/env.sh && .venv/bin/python scripts/gen_dictionary.py
