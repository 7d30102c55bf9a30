"""Alerts: a failed task under a real Airflow run reaches a webhook on 127.0.0.1 with its DAG, task
and error; a broken channel is logged and the others still go."""
from __future__ import annotations

import json
import logging
import os
import socketserver
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsflow.alerts import alert_settings, send_alert
from newsflow.config import ConfigError

ROOT = Path(__file__).resolve().parents[1]


class Recorder(BaseHTTPRequestHandler):
    """Records every JSON body POSTed to it; answers 500 on /broken."""

    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/broken":
            self.send_response(500)
        else:
            type(self).received.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Recorder.received
    server.shutdown()
    server.server_close()


class MailDrop(socketserver.StreamRequestHandler):
    """Just enough SMTP to take a message: records each message's text."""

    received: list[str] = []

    def handle(self):
        self.wfile.write(b"220 127.0.0.1 ready\r\n")
        lines, in_data = [], False
        for line in self.rfile:
            if in_data:
                if line == b".\r\n":
                    type(self).received.append(b"".join(lines).decode("utf-8"))
                    lines, in_data = [], False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 end with .\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def mail_drop():
    MailDrop.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), MailDrop)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], MailDrop.received
    server.shutdown()
    server.server_close()


def test_a_failed_task_alerts_the_webhook_and_by_mail_with_dag_task_and_error(
        airflow_db, warehouse, webhook, mail_drop, tmp_path, monkeypatch, caplog):
    url, received = webhook
    monkeypatch.setenv("NEWSFLOW_ALERT_WEBHOOK", f"{url}/hook")
    smtp_port, mails = mail_drop
    monkeypatch.setenv("NEWSFLOW_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NEWSFLOW_ALERT_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("NEWSFLOW_ALERT_EMAIL_TO", "ops@example.org, oncall@example.org")
    monkeypatch.setenv("NEWSFLOW_TASK_RETRIES", "0")
    # a feeds file with a bad entry: the ingest run's feed grouping fails
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - {id: Bad-Id, name: Bad, url: 'not a url', language: english, kind: blog}\n",
                     encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_FEEDS_FILE", str(feeds))
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    with caplog.at_level(logging.ERROR, logger="newsflow.alerts"):
        dagrun = bag.dags["newsflow_ingest"].test(logical_date=datetime(2024, 12, 3, 12, 0, tzinfo=timezone.utc))
    assert dagrun.state == "failed"
    failed = {ti.task_id for ti in dagrun.get_task_instances() if ti.state == "failed"}
    assert "site_groups" in failed
    alerts = [a for a in received if a["task_id"] == "site_groups"]
    assert len(alerts) == 1, received
    alert = alerts[0]
    assert alert["dag_id"] == "newsflow_ingest"
    assert alert["run_id"] == dagrun.run_id
    assert alert["kind"] == "task_failed"
    assert "ConfigError" in alert["error"] and "feeds.yaml" in alert["error"]
    assert "newsflow_ingest.site_groups" in alert["text"]
    mail = [m for m in mails if "newsflow_ingest.site_groups" in m]
    assert len(mail) == 1
    assert "To: ops@example.org, oncall@example.org" in mail[0] and f"run_id: {dagrun.run_id}" in mail[0]
    assert "ConfigError" in mail[0]
    # the log line is there too, whatever else is configured
    assert any("newsflow_ingest.site_groups" in r.getMessage() for r in caplog.records)


def test_a_broken_channel_is_logged_and_the_alert_still_logged(webhook, monkeypatch, caplog):
    url, received = webhook
    monkeypatch.setenv("NEWSFLOW_ALERT_WEBHOOK", f"{url}/broken")
    alert = {"kind": "task_failed", "dag_id": "d", "task_id": "t", "text": "newsflow alert: d.t failed"}
    with caplog.at_level(logging.ERROR, logger="newsflow.alerts"):
        assert send_alert(alert) == ["log"]
    messages = [r.getMessage() for r in caplog.records]
    assert "newsflow alert: d.t failed" in messages
    assert any("webhook 127.0.0.1 failed" in m and "500" in m for m in messages)

    monkeypatch.setenv("NEWSFLOW_ALERT_WEBHOOK", f"{url}/hook")
    assert send_alert(alert) == ["log", "webhook"]
    assert received == [alert]


def test_log_only_by_default_and_bad_settings_are_named():
    settings = alert_settings({})
    assert settings.webhook is None and settings.smtp_host is None
    for env, name in [({"NEWSFLOW_ALERT_WEBHOOK": "ftp://x"}, "NEWSFLOW_ALERT_WEBHOOK"),
                      ({"NEWSFLOW_ALERT_SMTP_HOST": "mail"}, "NEWSFLOW_ALERT_EMAIL_TO"),
                      ({"NEWSFLOW_ALERT_SMTP_PORT": "x"}, "NEWSFLOW_ALERT_SMTP_PORT"),
                      ({"NEWSFLOW_ALERT_SMTP_STARTTLS": "yes"}, "NEWSFLOW_ALERT_SMTP_STARTTLS")]:
        with pytest.raises(ConfigError, match=name):
            alert_settings(env)
    assert os.environ.get("NEWSFLOW_ALERT_WEBHOOK") is None


# --- the ingest run's checks, the stale-source alert and newsflow_daily's deadline, under dag.test() ---

MANIFEST = json.loads((ROOT / "include" / "replay" / "manifest.json").read_text(encoding="utf-8"))
GOOD_FEED = next(f["url"] for f in MANIFEST["feeds"] if f["feed_id"] == "anadolu_en")


def feeds_file(tmp_path, monkeypatch, **urls) -> None:
    """A feeds file of the given feed ids and URLs, all enabled, used by the DAGs under test."""
    lines = [f'  - {{id: {fid}, name: {fid}, url: "{url}", language: en, kind: wire, enabled: true}}'
             for fid, url in urls.items()]
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_FEEDS_FILE", str(path))


def dag_named(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=str(ROOT / "dags" / f"{dag_id}.py"))
    assert bag.import_errors == {}
    return bag.dags[dag_id]


def task_states(dagrun) -> dict:
    return {ti.task_id: ti.state for ti in dagrun.get_task_instances()}


@pytest.fixture
def alerting(airflow_db, warehouse, replay, webhook, monkeypatch):
    """A clean warehouse, the replay and alerts going to a local webhook; returns what it received."""
    url, received = webhook
    monkeypatch.setenv("NEWSFLOW_ALERT_WEBHOOK", f"{url}/hook")
    monkeypatch.setenv("NEWSFLOW_TASK_RETRIES", "2")  # the deployment retries: what must fail at once does
    monkeypatch.setenv("NEWSFLOW_DEADLINE_ALERTS", "1")  # as deployed (conftest turns it off for dag.test)
    # dag.test() stores the DAG it runs, but Airflow skips a rewrite within 30 s of the last one: an
    # earlier test's copy without the deadline would be the one run
    monkeypatch.setenv("AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL", "0")
    return received


def test_a_run_in_which_every_feed_failed_fails_and_names_the_feeds(alerting, tmp_path, monkeypatch):
    feeds_file(tmp_path, monkeypatch, down="https://faults.example/500", noise="https://faults.example/garbage")
    dagrun = dag_named("newsflow_ingest").test(logical_date=datetime(2024, 12, 3, 12, 0, tzinfo=timezone.utc))
    assert dagrun.state == "failed"
    instances = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    assert instances["ingest_site"].state == "success"  # a feed's failure is recorded, not raised
    assert instances["check_polls"].state == "failed" and instances["check_polls"].try_number == 1
    alerts = [a for a in alerting if a["task_id"] == "check_polls"]
    assert len(alerts) == 1, alerting
    alert = alerts[0]
    assert alert["dag_id"] == "newsflow_ingest" and alert["run_id"] == dagrun.run_id
    assert "every feed polled" in alert["error"] and "failed (2)" in alert["error"]
    assert "down: " in alert["error"] and "500" in alert["error"] and "noise: " in alert["error"]


def test_one_broken_feed_among_working_ones_is_a_warning(alerting, tmp_path, monkeypatch, caplog):
    feeds_file(tmp_path, monkeypatch, anadolu_en=GOOD_FEED, down="https://faults.example/500")
    with caplog.at_level(logging.INFO, logger="newsflow"):
        dagrun = dag_named("newsflow_ingest").test(logical_date=datetime(2024, 12, 3, 12, 0, tzinfo=timezone.utc))
    assert dagrun.state == "success", task_states(dagrun)
    assert alerting == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("feed down failed (the other feeds were read): ") and "500" in m for m in warnings)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    # one readable line per feed and a summary per task, no dict dumps
    assert any(m.startswith("feed anadolu_en: 200 OK, ") and " items (" in m and " new pages, 0 failed, " in m
               for m in infos), infos
    assert any(m.startswith("polls: 2 feed(s) polled, 1 read, 1 failed") for m in infos)
    assert any(m.startswith("extraction: ") for m in infos)
    assert any(m.startswith("source down: no article yet, polled for 0.0 h") for m in infos)
    assert not any("{" in m for m in infos + warnings if m.startswith(("feed ", "site ", "polls", "extraction")))


def test_a_stale_source_is_alerted_once_per_spell(alerting, warehouse, tmp_path, monkeypatch, caplog):
    from newsflow.config import Feed
    from newsflow.pipeline import sync_sources

    feeds_file(tmp_path, monkeypatch, anadolu_en=GOOD_FEED, down="https://faults.example/500")
    ingest = dag_named("newsflow_ingest")
    first = datetime(2024, 12, 3, 12, 0, tzinfo=timezone.utc)
    assert ingest.test(logical_date=first).state == "success"
    assert alerting == []
    # a source the feeds file no longer lists, still enabled in the warehouse, polled long ago: not alerted
    with warehouse.cursor() as cur:
        sync_sources(cur, [Feed("retired", "Retired", "https://retired.example/rss", "en", "wire")])
        cur.execute("INSERT INTO raw.feed_poll (feed_id, interval_start, interval_end, status)"
                    " VALUES ('retired', %s, %s, 'error')", (first - timedelta(days=2), first))
    # ten hours later nothing new arrived (the replay answers "not modified"): both sources are stale
    later = first + timedelta(hours=10)
    with caplog.at_level(logging.INFO, logger="newsflow.health"):
        dagrun = ingest.test(logical_date=later)
    assert dagrun.state == "success", task_states(dagrun)
    stale = sorted((a for a in alerting if a["kind"] == "source_stale"), key=lambda a: a["source_id"])
    assert [a["source_id"] for a in stale] == ["anadolu_en", "down"], alerting
    assert stale[0]["hours_without"] >= 6 and stale[0]["limit_hours"] == 6
    assert "no new article for" in stale[0]["text"] and "never brought an article" in stale[1]["text"]
    assert all(a["dag_id"] == "newsflow_ingest" and a["task_id"] == "check_freshness" for a in stale)
    assert any(r.getMessage().startswith("source anadolu_en: STALE, no new article for ")
               and "alert sent (log, webhook)" in r.getMessage() for r in caplog.records)
    # a re-run of the interval and the next interval: the same spells, no second alert
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="newsflow.health"):
        assert ingest.test(logical_date=later).state == "success"
        assert ingest.test(logical_date=later + timedelta(minutes=15)).state == "success"
    assert len([a for a in alerting if a["kind"] == "source_stale"]) == 2
    assert any("alerted in the run ending" in r.getMessage() for r in caplog.records)
    assert any(r.getMessage() == "freshness: 2 source(s), 2 stale, 0 alert(s) sent" for r in caplog.records)


def _orphan_event(warehouse) -> None:
    """An event no mention backs: the data check event_has_mention fails."""
    with warehouse.cursor() as cur:
        cur.execute("""INSERT INTO core.event (event_id, event_type, date_precision, num_mentions, num_articles,
                         num_sources, first_seen, last_seen, confidence)
                       VALUES ('orphan', 'ASSAULT', 'day', 1, 1, 1, now(), now(), 0.9)""")


def _miss_deadline(dagrun, queued_at: datetime | None = None) -> dict:
    """What the scheduler does when the run's deadline passed (Deadline.handle_miss queues the callback
    as a trigger), then what the triggerer does: loads the stored trigger and runs it. Returns the
    deadline's time and the trigger's last event."""
    import asyncio

    from sqlalchemy import select

    from airflow.models.dagrun import DagRun
    from airflow.models.deadline import Deadline
    from airflow.models.trigger import Trigger
    from airflow._shared.module_loading import import_string
    from airflow.utils.session import create_session

    with create_session() as session:
        if queued_at:  # dag.test() does not queue its run; the scheduler sets this when it does
            session.get(DagRun, dagrun.id).queued_at = queued_at
        deadline = session.scalars(select(Deadline).where(Deadline.dagrun_id == dagrun.id)).one()
        due = deadline.deadline_time
        deadline.handle_miss(session)
        session.flush()
        trigger_id = deadline.callback.trigger.id
    with create_session() as session:  # as stored, as the triggerer reads it
        stored = session.get(Trigger, trigger_id)
        trigger = import_string(stored.classpath)(**stored.kwargs)

    async def run():
        return [event async for event in trigger.run()]

    return {"deadline_time": due, "last": asyncio.run(run())[-1].payload}


def test_failed_data_checks_fail_at_once_and_the_missed_deadline_alerts(alerting, warehouse):
    _orphan_event(warehouse)
    day = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    dagrun = dag_named("newsflow_daily").test(logical_date=day)
    assert dagrun.state == "failed"
    build = next(ti for ti in dagrun.get_task_instances() if ti.task_id == "build_marts")
    assert build.state == "failed" and build.try_number == 1, "a failed data check is not retried"
    failed = [a for a in alerting if a["task_id"] == "build_marts"]
    assert len(failed) == 1 and "DataCheckError" in failed[0]["error"]
    assert "event_has_mention: 1 event(s) without an event mention" in failed[0]["error"]
    # the marts of the day are due at 02:00 UTC of the next day; this run failed, so the deadline stays
    missed = _miss_deadline(dagrun)
    assert missed["deadline_time"] == day + timedelta(hours=26)
    assert missed["last"]["state"] == "success", missed
    deadline_alerts = [a for a in alerting if a["kind"] == "deadline_missed"]
    assert len(deadline_alerts) == 1, alerting
    alert = deadline_alerts[0]
    assert alert["dag_id"] == "newsflow_daily" and alert["run_id"] == dagrun.run_id
    assert "not finished by its deadline" in alert["error"] and alert["deadline_time"].startswith(
        (day + timedelta(hours=26)).date().isoformat())


def test_a_backfilled_day_is_not_alerted_for_its_past_deadline(alerting, warehouse, caplog):
    _orphan_event(warehouse)  # the run fails, so its deadline is not pruned
    dagrun = dag_named("newsflow_daily").test(logical_date=datetime(2024, 12, 2, tzinfo=timezone.utc))
    assert dagrun.state == "failed"
    with caplog.at_level(logging.INFO, logger="newsflow.alerts"):
        missed = _miss_deadline(dagrun, queued_at=datetime.now(timezone.utc))
    assert missed["last"]["state"] == "success"
    assert [a for a in alerting if a["kind"] == "deadline_missed"] == []
    assert any("queued after its deadline" in r.getMessage() for r in caplog.records)
