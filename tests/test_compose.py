"""Static checks of docker-compose.yaml, the Dockerfile and .dockerignore (no Docker engine needed).

The files are parsed and cross-checked against the project: the lock's Airflow version, the pool
the DAGs use, the read-only BI login the warehouse migrations create, the paths that exist.
"""
from __future__ import annotations

import fnmatch
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

AIRFLOW_SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker"]
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
INIT_SERVICE = "airflow-init"
REQUIRED_SERVICES = ["postgres", "redis", "warehouse", *AIRFLOW_SERVICES, INIT_SERVICE, "replay", "metabase",
                     "superset"]
PROJECT_MOUNTS = {"dags": "/opt/airflow/dags", "plugins": "/opt/airflow/plugins", "include": "/opt/airflow/include"}
BI_LOGIN = "newsflow_metabase"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _default(value: str) -> str:
    """The value compose uses when the variable is unset: `${VAR:-default}` -> default; a required
    `${VAR:?message}` (a secret from .env) -> `VAR`, standing for whatever .env holds."""
    value = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?[^}]*\}", r"\1", value)
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}", r"\1", value)


def _published(service: dict) -> list[str]:
    return [str(port) for port in service.get("ports", [])]


def _bind_mounts(service: dict) -> list[tuple[str, str]]:
    """(host path, container path) of the service's bind mounts; named volumes are left out."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((volume["source"], volume["target"]))
            continue
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/", "~", "$")):
            mounts.append((source, target))
    return mounts


def _command_text(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else command


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    return instructions


def _lock_pin(name: str) -> str:
    match = re.search(rf"^{re.escape(name)}==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert match, f"{name} is not pinned in requirements.lock"
    return match.group(1)


def test_required_services_exist(services):
    missing = [name for name in REQUIRED_SERVICES if name not in services]
    assert not missing, f"docker-compose.yaml lacks services: {missing}"


def test_airflow_services_use_the_built_image_and_mount_the_project(services):
    images = set()
    for name in [*AIRFLOW_SERVICES, INIT_SERVICE]:
        service = services[name]
        build = service.get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context == ".", f"{name} is not built from the project's Dockerfile"
        images.add(service.get("image"))
        mounts = dict(_bind_mounts(service))
        for folder, target in PROJECT_MOUNTS.items():
            assert mounts.get(f"./{folder}") == target, f"{name} does not mount ./{folder} on {target}"
    assert len(images) == 1, f"Airflow services run different images: {images}"


def test_airflow_services_run_their_component(services):
    for name, component in AIRFLOW_COMMANDS.items():
        assert _command_text(services[name]) == component, f"{name} does not run `airflow {component}`"


def test_airflow_environment(services):
    expected = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": "redis://redis:6379/0",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://airflow-apiserver:8080/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    }
    for name in [*AIRFLOW_SERVICES, INIT_SERVICE]:
        env = _env(services[name])
        for key, value in expected.items():
            assert env.get(key, "").lower() == value.lower(), f"{name}: {key}={env.get(key)!r}, expected {value!r}"
        for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "NEWSFLOW_WAREHOUSE_URL", "AIRFLOW__API_AUTH__JWT_SECRET"):
            assert env.get(key), f"{name} lacks {key}"


def _postgres_credentials(service: dict) -> tuple[str, str, str]:
    env = _env(service)
    user = env["POSTGRES_USER"]
    return user, _default(env["POSTGRES_PASSWORD"]), env.get("POSTGRES_DB", user)


def _assert_url_reaches(url: str, services: dict, service_name: str):
    parts = urlsplit(_default(url))
    user, password, database = _postgres_credentials(services[service_name])
    assert parts.hostname == service_name, f"{url} does not point at the {service_name} service"
    assert (parts.username, parts.password) == (user, password), f"{url}: credentials differ from {service_name}'s"
    assert parts.path.lstrip("/") == database, f"{url}: database differs from {service_name}'s POSTGRES_DB"
    assert parts.port in (None, 5432), f"{url}: inside the network PostgreSQL listens on 5432"


def test_database_urls_point_at_their_services(services):
    env = _env(services["airflow-scheduler"])
    metadata_url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert metadata_url.startswith("postgresql")
    _assert_url_reaches(metadata_url, services, "postgres")
    _assert_url_reaches(env["NEWSFLOW_WAREHOUSE_URL"], services, "warehouse")
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["warehouse"]["image"].startswith("postgres:")


def test_celery_workers_scale_and_share_the_broker_and_results(services):
    """`docker compose up --scale airflow-worker=N`: a worker has no fixed name or host port, waits
    for Redis and the API server (its task processes report there), and its results go to the
    metadata database."""
    worker = services["airflow-worker"]
    assert "container_name" not in worker and not worker.get("ports"), "airflow-worker could not be scaled"
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
    redis = services["redis"]
    image, _, tag = redis["image"].partition(":")
    assert image == "redis" and tag[:1].isdigit() and tag != "latest"  # a pinned release
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    for name in [*AIRFLOW_SERVICES, INIT_SERVICE]:
        env = _env(services[name])
        backend = env.get("AIRFLOW__CELERY__RESULT_BACKEND", "")
        assert backend.startswith("db+"), f"{name}: Celery results do not go to the metadata database"
        _assert_url_reaches(backend.removeprefix("db+"), services, "postgres")


def test_warehouse_is_published_for_bi_tools_on_this_host_only(services):
    assert "127.0.0.1:5433:5432" in _published(services["warehouse"])


def test_every_port_is_published_on_127_0_0_1_only(services):
    for name, service in services.items():
        for port in _published(service):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


REQUIRED_SECRETS = {"AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY", "AIRFLOW_DB_PASSWORD",
                    "WAREHOUSE_PASSWORD", "NEWSFLOW_BI_PASSWORD", "MB_ADMIN_PASSWORD"}


def test_secrets_are_required_from_env_and_listed_empty_in_the_example(compose):
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):\?", text))
    assert required == REQUIRED_SECRETS
    for secret in REQUIRED_SECRETS:  # never a built-in fallback
        assert not re.search(rf"\$\{{{secret}:?-", text), f"{secret} has a default"
    env = _env({"environment": compose["x-airflow-common"]["environment"]})
    assert _default(env["AIRFLOW__CORE__FERNET_KEY"]) == "AIRFLOW_FERNET_KEY"
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
                   if line and not line.startswith("#"))
    assert REQUIRED_SECRETS <= set(example)
    assert all(example[secret] == "" for secret in REQUIRED_SECRETS), "the example holds a real value"


def test_apiserver_publishes_8080_and_checks_the_api(services):
    apiserver = services["airflow-apiserver"]
    assert "127.0.0.1:8080:8080" in _published(apiserver)
    check = " ".join(apiserver["healthcheck"]["test"])
    assert re.search(r"localhost:8080/api/v2/(version|monitor/health)", check), check


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if str(service.get("restart", "no")) == "no":
            continue  # one-shot jobs
        test = (service.get("healthcheck") or {}).get("test")
        assert test and test != ["NONE"], f"{name} has no healthcheck"


def test_depends_on_conditions_are_sound(services):
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: depends_on should name a condition for each service"
        for target, rule in depends_on.items():
            assert target in services, f"{name} depends on unknown service {target}"
            condition = rule["condition"]
            assert condition in ("service_started", "service_healthy", "service_completed_successfully")
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{name} waits for {target}, which has no healthcheck"
            if condition == "service_completed_successfully":
                assert str(services[target].get("restart", "no")) == "no", f"{target} is not a one-shot job"
            assert "profiles" not in services[target], f"{name} depends on {target}, which runs only in a profile"
    for name in AIRFLOW_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on[INIT_SERVICE]["condition"] == "service_completed_successfully"
        assert depends_on["postgres"]["condition"] == "service_healthy"
    assert services[INIT_SERVICE]["depends_on"]["warehouse"]["condition"] == "service_healthy"


def test_init_service_migrates_both_databases_and_creates_the_pool(services):
    script = _command_text(services[INIT_SERVICE])
    pool = re.search(r'^HTTP_POOL = "([^"]+)"', (ROOT / "include/newsflow/dag_settings.py").read_text(), re.M)
    assert "airflow db migrate" in script
    assert "newsflow db migrate" in script
    pool_command = re.search(r"airflow pools set (.+)", script)
    assert pool_command, "airflow-init does not create the pool"
    name, slots, _description = shlex.split(pool_command.group(1))
    assert name == pool.group(1) and int(slots) > 0
    assert script.index("airflow db migrate") < script.index("airflow pools set")


def test_init_writes_the_password_of_the_configured_login(services):
    env = _env(services[INIT_SERVICE])
    users = [entry.split(":")[0] for entry in env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")]
    passwords_file = env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    script = _command_text(services[INIT_SERVICE])
    written = re.search(r"printf '(\{.*\})\\n'", script)
    assert written, "airflow-init does not write the passwords file"
    assert list(json.loads(written.group(1).replace("%s", "x"))) == users
    assert passwords_file.rsplit("/", 1)[0] in {target for _, target in _named_volumes(services[INIT_SERVICE])}
    for name in AIRFLOW_SERVICES:
        assert _env(services[name])["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == passwords_file


def _named_volumes(service: dict) -> list[tuple[str, str]]:
    named = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            if not source.startswith((".", "/", "~", "$")):
                named.append((source, target))
    return named


def test_replay_service_serves_the_fixtures_in_the_demo_profile(services):
    replay = services["replay"]
    assert replay.get("profiles") == ["demo"]
    argv = replay["entrypoint"] + replay["command"]
    assert argv[:2] == ["newsflow", "replay-server"]
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    port = argv[argv.index("--port") + 1]
    assert f"localhost:{port}/" in " ".join(replay["healthcheck"]["test"])
    assert ("./include", "/opt/airflow/include") in _bind_mounts(replay)
    # real feeds unless asked: the replay base defaults to empty
    assert _default(_env(services["airflow-scheduler"])["NEWSFLOW_REPLAY_BASE"]) == ""
    assert f"http://replay:{port}" in (ROOT / "docs/docker.md").read_text(encoding="utf-8")


def test_metabase_reads_the_warehouse_through_the_read_only_login(services):
    metabase = services["metabase"]
    image, _, tag = metabase["image"].partition(":")
    assert image == "metabase/metabase" and tag.startswith("v0.")  # a pinned release, not latest
    assert "127.0.0.1:3000:3000" in _published(metabase)
    assert metabase["depends_on"]["warehouse"]["condition"] == "service_healthy"

    setup = services["metabase-init"]
    env = _env(setup)
    owner, _, database = _postgres_credentials(services["warehouse"])
    assert env["NEWSFLOW_BI_USER"] == BI_LOGIN != owner
    assert env["NEWSFLOW_BI_HOST"] == "warehouse" and env["NEWSFLOW_BI_DBNAME"] == database
    # the login must exist, read-only, once `newsflow db migrate` has run, and airflow-init gives it
    # the password that metabase-init connects with
    migrations = "\n".join(p.read_text(encoding="utf-8")
                           for p in sorted((ROOT / "include/newsflow/sql/migrations").glob("*.sql")))
    assert re.search(rf"CREATE ROLE {BI_LOGIN} LOGIN PASSWORD", migrations)
    assert re.search(rf"GRANT newsflow_bi TO {BI_LOGIN}", migrations)
    init_env, init_script = _env(services[INIT_SERVICE]), _command_text(services[INIT_SERVICE])
    assert init_env["NEWSFLOW_BI_PASSWORD"] == env["NEWSFLOW_BI_PASSWORD"]
    assert "ALTER ROLE {login} PASSWORD" in init_script and f"'{BI_LOGIN}'" in init_script
    assert init_script.index("newsflow db migrate") < init_script.index("ALTER ROLE")
    assert setup["depends_on"][INIT_SERVICE]["condition"] == "service_completed_successfully"
    assert env["MB_URL"] == "http://metabase:3000"
    compile(_command_text(setup), "metabase-init", "exec")  # the set-up script is valid Python


def test_superset_imports_the_dashboard_export_as_the_read_only_login(services):
    superset = services["superset"]
    locked = dict(line.split("==") for line in (ROOT / "requirements-bi.lock").read_text(encoding="utf-8").splitlines()
                  if "==" in line and not line.startswith("#"))
    image, _, tag = superset["image"].partition(":")
    assert image == "apache/superset" and tag == locked["apache-superset"]   # the release make bi runs
    assert "127.0.0.1:8088:8088" in _published(superset)
    assert superset["depends_on"]["warehouse"]["condition"] == "service_healthy"
    assert superset["depends_on"][INIT_SERVICE]["condition"] == "service_completed_successfully"
    script, env = _command_text(superset), _env(superset)
    # the same export, settings and provisioning step as `make bi`
    assert ("./include/bi/superset", "/app/newsflow_bi") in _bind_mounts(superset)
    assert "python /app/newsflow_bi/provision.py" in script
    assert env["SUPERSET_CONFIG_PATH"] == "/app/newsflow_bi/superset_config.py"
    assert "postgresql://newsflow_superset:$${NEWSFLOW_BI_PASSWORD}@warehouse:5432/" in script
    for package in ("psycopg2-binary", "cachetools"):   # the drivers, at the locked versions
        assert f"{package}=={locked[package]}" in script
    assert "'newsflow_superset'" in _command_text(services[INIT_SERVICE])   # given the password of .env


def test_mounted_host_paths_exist_and_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for source, _target in _bind_mounts(service):
            assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"
        for volume, _target in _named_volumes(service):
            assert volume in declared, f"{name} uses undeclared volume {volume}"


def test_dockerfile_starts_from_the_locked_airflow_version():
    instructions = _dockerfile_instructions()
    keyword, image = instructions[0]
    assert keyword == "FROM"
    repository, tag = image.split()[0].split(":")
    assert repository == "apache/airflow"
    airflow_version = _lock_pin("apache-airflow")
    assert tag.split("-")[0] == airflow_version == "3.3.2"
    # the image's Python is the one the lock was compiled for
    lock_python = re.search(r"--python-version (\S+)", (ROOT / "requirements.lock").read_text()).group(1)
    assert tag == f"{airflow_version}-python{lock_python}"


def test_dockerfile_installs_the_lock_and_the_package():
    runs = [args for keyword, args in _dockerfile_instructions() if keyword == "RUN"]
    installs = " ".join(runs)
    assert re.search(r"pip install [^&]*-r /tmp/requirements\.image\.txt", installs)
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in installs, "pip could replace the image's Airflow"
    assert re.search(r"pip install [^&]*--no-deps -e /opt/airflow\b", installs)
    # the editable root must be where compose mounts include/, else the code would not be live
    assert PROJECT_MOUNTS["include"] == "/opt/airflow/include"


def test_dockerfile_filter_keeps_all_but_airflow_itself():
    run = next(args for keyword, args in _dockerfile_instructions() if keyword == "RUN" and "grep -vE" in args)
    pattern = re.search(r"grep -vE '([^']+)'", run).group(1)
    lock_lines = (ROOT / "requirements.lock").read_text().splitlines()
    dropped = {line.split("==")[0] for line in lock_lines if re.search(pattern, line)}
    assert dropped == {"apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk"}


def _dockerignore_excludes(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; a `!` pattern re-includes."""
    excluded = False
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            excluded = not negate
    return excluded


def test_dockerfile_copies_only_what_exists_and_is_in_the_context():
    copies = [args.split() for keyword, args in _dockerfile_instructions() if keyword == "COPY"]
    assert copies
    for args in copies:
        sources = [arg for arg in args[:-1] if not arg.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert not _dockerignore_excludes(source), f"COPY {source}: excluded by .dockerignore"
    assert _dockerignore_excludes(".venv") and _dockerignore_excludes("var")
    assert _dockerignore_excludes("include/newsflow.egg-info")
