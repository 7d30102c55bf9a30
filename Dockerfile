# newsflow on Airflow: the official Airflow image plus the newsflow package and its pinned dependencies.
# The Python tag matches requirements.lock, which is compiled for Python 3.11.
FROM apache/airflow:3.3.2-python3.11

# The official image expects packages to be installed as the `airflow` user, never as root.
USER airflow
WORKDIR /opt/airflow

# Dependencies first, so editing the code does not invalidate this layer.
# Airflow itself comes from the base image: its own distributions are dropped from the lock and
# apache-airflow is named at the image's version (AIRFLOW_VERSION is set by the base image), so pip
# can never replace it. Everything else (providers, feedparser, trafilatura, ...) is installed at the
# exact versions of the lock, the ones the test suite runs against.
COPY --chown=airflow:0 requirements.lock /tmp/requirements.lock
RUN grep -vE '^apache-airflow(-core|-task-sdk)?==' /tmp/requirements.lock > /tmp/requirements.image.txt \
 && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/requirements.image.txt \
 && rm /tmp/requirements.lock /tmp/requirements.image.txt

# The package is installed editable from /opt/airflow, so the project root is /opt/airflow:
# newsflow finds include/config and include/replay next to its source, and the compose file's
# ./include mount replaces the copied code with the working tree at the same path.
COPY --chown=airflow:0 pyproject.toml /opt/airflow/pyproject.toml
COPY --chown=airflow:0 include /opt/airflow/include
COPY --chown=airflow:0 dags /opt/airflow/dags
RUN pip install --no-cache-dir --no-deps -e /opt/airflow \
 && python -c "import newsflow.cli, feedparser, trafilatura, psycopg2" \
 && newsflow --help > /dev/null

# Folders that compose mounts as named volumes: created here so that a fresh volume takes the
# airflow user's ownership instead of root's; group-writable like the rest of AIRFLOW_HOME, for
# containers run with another AIRFLOW_UID (always in group 0).
RUN mkdir -p /opt/airflow/auth /opt/airflow/cache/newsflow \
 && chmod -R g+rwX /opt/airflow/auth /opt/airflow/cache

ENV NEWSFLOW_CACHE_DIR=/opt/airflow/cache/newsflow
