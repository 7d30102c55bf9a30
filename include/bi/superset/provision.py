"""Provision newsflow's Superset: its metadata database, the admin login and the dashboard export.

Run with Superset's own Python (.venv-bi, or the official image in compose), never Airflow's:

    NEWSFLOW_BI_HOME=var/superset SUPERSET_CONFIG_PATH=include/bi/superset/superset_config.py \\
        .venv-bi/bin/python include/bi/superset/provision.py --warehouse-uri postgresql://...

Every step is idempotent: the metadata schema is upgraded only when behind, roles and permissions are
synced when Superset's version changed, the admin is created once (its generated password is written to
NEWSFLOW_BI_HOME/admin_password, mode 600, and printed that once), and the export in
include/bi/superset/dashboard is imported with overwrite, keyed by the uuids in its files: importing it
again leaves the same objects. The last line printed is a JSON summary of what Superset holds.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

EXPORT_DIR = Path(__file__).resolve().parent / "dashboard"
DATABASE_FILE = "databases/newsflow_warehouse.yaml"
ADMIN = "admin"


def write_private(path: Path, text: str) -> None:
    """Write a secret readable by its owner only (created with mode 600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def ensure_secret_key(home: Path) -> None:
    """Superset refuses to start with its default key: generate one per installation."""
    path = home / "secret_key"
    if not path.is_file() and not os.environ.get("SUPERSET_SECRET_KEY"):
        write_private(path, secrets.token_urlsafe(48) + "\n")


def export_contents(warehouse_uri: str) -> tuple[dict[str, str], dict[str, str]]:
    """The export's files by their path in the bundle, with the database's URI set to the warehouse
    (password masked, as Superset exports it), and the password to import it with."""
    parts = urlsplit(warehouse_uri)
    if parts.scheme not in ("postgresql", "postgresql+psycopg2") or not parts.username or not parts.path.strip("/"):
        raise SystemExit(f"--warehouse-uri must be postgresql://user:password@host:port/database, got {parts.scheme}://...")
    contents = {}
    for path in sorted(EXPORT_DIR.rglob("*.yaml")):
        contents[path.relative_to(EXPORT_DIR).as_posix()] = path.read_text(encoding="utf-8")
    database = yaml.safe_load(contents[DATABASE_FILE])
    host = parts.hostname if ":" not in (parts.hostname or "") else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port else ""
    database["sqlalchemy_uri"] = f"postgresql://{parts.username}:XXXXXXXXXX@{host}{port}{parts.path}"
    contents[DATABASE_FILE] = yaml.safe_dump(database, sort_keys=False)
    return contents, {DATABASE_FILE: unquote(parts.password or "")}


def upgrade_metadata(app, home: Path) -> None:
    """The metadata schema (alembic, a no-op when current); roles and permissions when Superset's
    version changed since the last sync (the slow part of `superset init`)."""
    from flask_migrate import upgrade
    from superset import appbuilder, db, security_manager

    upgrade()
    marker = home / "synced_version"
    version = app.config["VERSION_STRING"]
    if not marker.is_file() or marker.read_text(encoding="utf-8").strip() != version:
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        db.session.commit()
        marker.write_text(version + "\n", encoding="utf-8")


def ensure_admin(home: Path) -> None:
    from superset import db, security_manager

    if security_manager.find_user(username=ADMIN) is not None:
        print(f"Superset login: {ADMIN}, password in {home / 'admin_password'}")
        return
    password = secrets.token_urlsafe(18)
    user = security_manager.add_user(ADMIN, "newsflow", "admin", "admin@newsflow.invalid",
                                     security_manager.find_role("Admin"), password=password)
    if not user:
        raise SystemExit("could not create Superset's admin user")
    db.session.commit()
    write_private(home / "admin_password", password + "\n")
    print(f"Superset login: {ADMIN}, password (shown once, kept in {home / 'admin_password'}): {password}")


def import_dashboard(contents: dict[str, str], passwords: dict[str, str]) -> None:
    """Import the export with overwrite, each kind of object by its own command: a dashboard import
    alone only creates the charts, datasets and database it lacks and never updates existing ones, so
    a changed export would not reach a Superset that imported an earlier one."""
    from flask import g
    from superset import db, security_manager
    from superset.commands.chart.importers.dispatcher import ImportChartsCommand
    from superset.commands.dashboard.importers.dispatcher import ImportDashboardsCommand
    from superset.commands.database.importers.dispatcher import ImportDatabasesCommand
    from superset.commands.dataset.importers.dispatcher import ImportDatasetsCommand

    g.user = security_manager.find_user(username=ADMIN)
    metadata = yaml.safe_load(contents["metadata.yaml"])
    for model, command in (("Database", ImportDatabasesCommand), ("SqlaTable", ImportDatasetsCommand),
                           ("Slice", ImportChartsCommand), ("Dashboard", ImportDashboardsCommand)):
        # the bundle's metadata names the kind of object each command expects
        bundle = {**contents, "metadata.yaml": yaml.safe_dump({**metadata, "type": model})}
        command(bundle, passwords=passwords, overwrite=True).run()
    db.session.commit()


def summary() -> dict:
    """What Superset holds: uuids of the databases, datasets, charts and dashboards."""
    from superset import db
    from superset.connectors.sqla.models import SqlaTable
    from superset.models.core import Database
    from superset.models.dashboard import Dashboard
    from superset.models.slice import Slice

    def uuids(model):
        return sorted(str(row.uuid) for row in db.session.query(model).all())

    dashboard = db.session.query(Dashboard).filter_by(slug="newsflow").one()
    return {"databases": uuids(Database), "datasets": uuids(SqlaTable), "charts": uuids(Slice),
            "dashboards": uuids(Dashboard), "dashboard_id": dashboard.id,
            "dashboard_charts": sorted(str(chart.uuid) for chart in dashboard.slices)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse-uri", required=True,
                        help="the warehouse as the read-only login, postgresql://user:password@host:port/database")
    args = parser.parse_args(argv)
    home = Path(os.environ["NEWSFLOW_BI_HOME"]).resolve()
    home.mkdir(parents=True, exist_ok=True)
    ensure_secret_key(home)
    contents, passwords = export_contents(args.warehouse_uri)

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        upgrade_metadata(app, home)
        ensure_admin(home)
        import_dashboard(contents, passwords)
        print(json.dumps(summary(), sort_keys=True))
    metadata = home / "superset.db"
    if metadata.is_file():   # users' password hashes, the warehouse password (encrypted)
        os.chmod(metadata, 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
