"""Alerts that reach a person: an Airflow notifier for failed newsflow tasks, newsflow_daily's missed
deadline and sources without new articles (newsflow.health): `kind` task_failed, deadline_missed,
source_stale.

Configured by environment, read when an alert is sent (so the worker's settings count):

- always: one ERROR line in the task log (logger `newsflow.alerts`), the default and only channel
  when nothing else is set;
- `NEWSFLOW_ALERT_WEBHOOK`: an http(s) URL that gets the alert as a JSON POST (Slack-compatible:
  the JSON carries a `text` line besides the fields);
- `NEWSFLOW_ALERT_SMTP_HOST` with `NEWSFLOW_ALERT_EMAIL_TO` (comma-separated): an e-mail, through
  `NEWSFLOW_ALERT_SMTP_PORT` (25), `NEWSFLOW_ALERT_SMTP_USER` / `_PASSWORD`, `NEWSFLOW_ALERT_SMTP_STARTTLS`
  (0/1) and `NEWSFLOW_ALERT_EMAIL_FROM` (newsflow@localhost).

A channel that cannot be reached or is misconfigured is logged as an error and the other channels
still go: an alert is never lost because one way of sending it failed.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

from airflow.sdk import BaseNotifier

from newsflow.config import ConfigError

log = logging.getLogger("newsflow.alerts")


@dataclass(frozen=True)
class AlertSettings:
    webhook: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    email_from: str
    email_to: tuple[str, ...]
    timeout: float


def alert_settings(env: dict | None = None) -> AlertSettings:
    """The alert channels from the environment; ConfigError names the bad variable."""
    env = os.environ if env is None else env
    webhook = env.get("NEWSFLOW_ALERT_WEBHOOK") or None
    if webhook and (urlsplit(webhook).scheme not in ("http", "https") or not urlsplit(webhook).hostname):
        raise ConfigError(f"NEWSFLOW_ALERT_WEBHOOK must be an http(s) URL, got {webhook!r}")
    smtp_host = env.get("NEWSFLOW_ALERT_SMTP_HOST") or None
    email_to = tuple(a.strip() for a in env.get("NEWSFLOW_ALERT_EMAIL_TO", "").split(",") if a.strip())
    if smtp_host and not email_to:
        raise ConfigError("NEWSFLOW_ALERT_SMTP_HOST is set but NEWSFLOW_ALERT_EMAIL_TO names no address")
    numbers = {}
    for name, default in (("NEWSFLOW_ALERT_SMTP_PORT", "25"), ("NEWSFLOW_ALERT_TIMEOUT", "10")):
        try:
            numbers[name] = float(env.get(name) or default)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {env.get(name)!r}") from None
    starttls = env.get("NEWSFLOW_ALERT_SMTP_STARTTLS", "0")
    if starttls not in ("0", "1"):
        raise ConfigError(f"NEWSFLOW_ALERT_SMTP_STARTTLS must be 0 or 1, got {starttls!r}")
    return AlertSettings(webhook=webhook, smtp_host=smtp_host, smtp_port=int(numbers["NEWSFLOW_ALERT_SMTP_PORT"]),
                         smtp_user=env.get("NEWSFLOW_ALERT_SMTP_USER") or None,
                         smtp_password=env.get("NEWSFLOW_ALERT_SMTP_PASSWORD") or None,
                         smtp_starttls=starttls == "1",
                         email_from=env.get("NEWSFLOW_ALERT_EMAIL_FROM") or "newsflow@localhost",
                         email_to=email_to, timeout=numbers["NEWSFLOW_ALERT_TIMEOUT"])


def _when(value) -> datetime | None:
    """A datetime from a datetime or an ISO string (a Deadline Alert's context is JSON)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def alert_from_context(context: dict, kind: str = "task_failed") -> dict:
    """The facts of an alert: which DAG, run and task, what went wrong, where the log is.

    A task's context (failure callbacks, check tasks) or a Deadline Alert's (the triggerer passes the
    run as JSON, `dag_run`, and the missed `deadline`)."""
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    run = context.get("dag_run") if isinstance(context.get("dag_run"), dict) else {}
    dag_id = getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None) or run.get("dag_id")
    error = context.get("exception") or context.get("reason")
    deadline = context.get("deadline") or {}
    if deadline and not error:
        error = f"run not finished by its deadline {_when(deadline.get('deadline_time'))} (state {run.get('state')})"
    logical_date = context.get("logical_date") or run.get("logical_date")
    alert = {
        "kind": kind,
        "dag_id": dag_id,
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "run_id": getattr(ti, "run_id", None) or context.get("run_id") or run.get("dag_run_id"),
        "try_number": getattr(ti, "try_number", None),
        "logical_date": str(logical_date) if logical_date else None,
        "error": f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error,
        "log_url": getattr(ti, "log_url", None),
    }
    if deadline:
        alert["deadline_time"] = str(_when(deadline.get("deadline_time")))
    where = ".".join(filter(None, [alert["dag_id"], alert["task_id"]])) or "newsflow"
    if alert["map_index"] is not None and alert["map_index"] >= 0:
        where += f"[{alert['map_index']}]"
    alert["text"] = f"newsflow alert ({kind}): {where} in run {alert['run_id']}: {alert['error'] or 'no error given'}"
    return alert


def stale_source_alert(context: dict, facts: dict) -> dict:
    """The alert of a source without a new article (newsflow.health), from the check task's context."""
    alert = {**alert_from_context(context, "source_stale"), **facts}
    alert["text"] = f"newsflow alert (source_stale): {facts['error']}, seen by {alert['dag_id']} in run {alert['run_id']}"
    return alert


def deadline_unmeetable(context: dict) -> bool:
    """A run queued after its deadline (a backfill or a re-run of a past day) could never meet it: its
    Deadline Alert says nothing about today's marts."""
    run, deadline = context.get("dag_run"), context.get("deadline")
    if not isinstance(run, dict) or not deadline:
        return False
    queued = _when(run.get("queued_at"))  # the scheduler sets it; dag.test() leaves it empty
    due = _when(deadline.get("deadline_time"))
    return bool(queued and due and queued > due)


def _post_webhook(url: str, alert: dict, timeout: float) -> None:
    request = urllib.request.Request(url, data=json.dumps(alert, default=str).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


def _send_email(settings: AlertSettings, alert: dict) -> None:
    message = EmailMessage()
    message["Subject"] = alert["text"][:200]
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    message.set_content("\n".join(f"{k}: {v}" for k, v in alert.items() if k != "text") + "\n")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def send_alert(alert: dict) -> list[str]:
    """Send an alert through every configured channel; returns the channels it reached."""
    log.error("%s", alert["text"])
    reached = ["log"]
    try:
        settings = alert_settings()
    except ConfigError as exc:
        log.error("alert channels not configured correctly, only logged: %s", exc)
        return reached
    if settings.webhook:
        try:
            _post_webhook(settings.webhook, alert, settings.timeout)
            reached.append("webhook")
        except Exception as exc:  # one unreachable channel must not stop the others
            log.error("alert webhook %s failed: %s", urlsplit(settings.webhook).hostname, exc)
    if settings.smtp_host:
        try:
            _send_email(settings, alert)
            reached.append("email")
        except Exception as exc:
            log.error("alert e-mail through %s failed: %s", settings.smtp_host, exc)
    return reached


class NewsflowNotifier(BaseNotifier):
    """Sends a newsflow alert (log, webhook, e-mail) for a failed task, run or missed deadline."""

    def __init__(self, kind: str = "task_failed", context=None):
        super().__init__(context)
        self.kind = kind

    def notify(self, context) -> None:
        if self.kind == "deadline_missed" and deadline_unmeetable(context):
            run = context["dag_run"]
            log.info("deadline of %s run %s not alerted: the run was queued after its deadline (a backfill"
                     " or a re-run)", run.get("dag_id"), run.get("dag_run_id"))
            return
        send_alert(alert_from_context(context, self.kind))

    async def async_notify(self, context) -> None:
        # Deadline Alerts run notifiers in the triggerer; the sending itself blocks, so off the loop
        await asyncio.to_thread(self.notify, context)


def failure_callback() -> NewsflowNotifier:
    """The on_failure_callback of every newsflow task (newsflow.dag_settings.DEFAULT_ARGS)."""
    return NewsflowNotifier("task_failed")


def deadline_callback():
    """The callback of newsflow's Deadline Alerts: the notifier, run by the triggerer when a deadline
    passes (it gets the run as JSON and the deadline; see alert_from_context)."""
    from airflow.sdk import AsyncCallback
    return AsyncCallback(NewsflowNotifier, kwargs={"kind": "deadline_missed"})
