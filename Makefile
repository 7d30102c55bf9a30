# newsflow: `make run` (real feeds), `make demo` (local replay), `make test`, `make stop`.
SHELL := /bin/bash
PYTEST_ARGS ?=
# make run WORKERS=2 / make demo WORKERS=2: the CeleryExecutor with two local workers (0: LocalExecutor)
WORKERS ?= 0

.PHONY: run demo stop test venv compiled compiled-or-plain pg browser bench lock dictionary

.venv/.installed: requirements.lock pyproject.toml
	bash scripts/venv.sh

venv: .venv/.installed

# Cython copies of the event-coding modules (newsflow.compiled); rebuilt only when their source changed.
compiled: venv
	.venv/bin/python scripts/build_compiled.py

# What run, demo, test and bench build first: a failed build stops nothing, the plain modules run.
compiled-or-plain: venv
	@.venv/bin/python scripts/build_compiled.py || echo "WARNING: the compiled build failed (see its" \
	  "message above): make goes on and the plain modules run" >&2

pg:
	bash scripts/pg.sh start

# Debian's chromium, for the browser test of the newsflow page (installed when missing)
browser:
	bash scripts/browser.sh

run: compiled-or-plain
	NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh run

demo: compiled-or-plain
	NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh demo

stop:
	bash scripts/services.sh stop

test: compiled-or-plain pg browser
	. scripts/env.sh && NEWSFLOW_TASK_RETRIES=0 .venv/bin/python -m pytest $(PYTEST_ARGS)

bench: compiled-or-plain
	.venv/bin/python bench/extraction/run.py
	.venv/bin/python bench/events/run.py
	.venv/bin/python bench/actors/run.py
	.venv/bin/python bench/dedup/run.py
	. scripts/env.sh && .venv/bin/python bench/pipeline/run.py

lock:
	.venv/bin/uv pip compile requirements.in -o requirements.lock --python-version 3.11

dictionary: venv pg
	. scripts/env.sh && .venv/bin/python scripts/gen_dictionary.py
