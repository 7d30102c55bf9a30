"""Alerts: a failed task under a real Airflow run reaches a webhook on 127.0.0.1 with its DAG, task
and error; a broken channel is logged and the others still go."""
from __future__ import annotations

import json
import logging
import os
import socketserver
import threading
from datetime import datetime, timezone
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
