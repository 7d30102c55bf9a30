"""The `newsflow` command line: the same functions the DAG tasks call."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import Callable, Iterable, Iterator


def _lines(path: str) -> Iterator[str]:
    """The batch's lines: opened now (a missing file is a BatchInputError, exit code 2), decoded
    line by line (a line that is not UTF-8 becomes an error for that line only)."""
    from newsflow.batch import open_batch
    return open_batch(path, sys.stdin.buffer)


def _emit_json_lines(records: Iterable[dict]) -> None:
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()


def _print(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _parse_ts(value: str) -> datetime:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def _current_window(minutes: int = 15) -> tuple[datetime, datetime]:
    """The 15-minute window that just ended, as the ingest DAG would see it (command line default only)."""
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    end = now - timedelta(minutes=now.minute % minutes)
    return end - timedelta(minutes=minutes), end


def cmd_db(args) -> int:
    from newsflow import warehouse
    if args.action == "migrate":
        applied = warehouse.migrate()
        print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
        print(f"schema version: {warehouse.schema_version()}")
    elif args.action == "dictionary":
        from newsflow.dictionary import data_dictionary_markdown
        sys.stdout.write(data_dictionary_markdown())
    return 0


def cmd_fetch_feeds(args) -> int:
    from newsflow import pipeline
    start, end = _current_window()
    if args.interval_end:
        end = _parse_ts(args.interval_end)
        start = _parse_ts(args.interval_start) if args.interval_start else end - timedelta(minutes=15)
    groups = pipeline.feeds_by_site(args.feed or None)
    summaries = [s for group in groups for s in pipeline.ingest_site(group, start, end)]
    _print(summaries)
    return 0


def _batch_or_pending(args, batch_fn: Callable[[Iterable[str]], Iterator[dict]], pending_fn) -> int:
    if args.batch:
        _emit_json_lines(batch_fn(_lines(args.batch)))
        return 0
    _print(pending_fn())
    return 0


def cmd_extract(args) -> int:
    from newsflow import pipeline
    from newsflow.articles import extract_batch
    return _batch_or_pending(args, extract_batch, pipeline.extract_pending)


def cmd_events(args) -> int:
    from newsflow import pipeline
    from newsflow.events import events_batch
    return _batch_or_pending(args, partial(events_batch, candidates=args.candidates), pipeline.code_events)


def cmd_dedup(args) -> int:
    from newsflow.dedup import dedup_batch
    _emit_json_lines(dedup_batch(_lines(args.batch)))
    return 0


def cmd_daily(args) -> int:
    from newsflow import pipeline
    _print(pipeline.daily(date.fromisoformat(args.day), revisit_days=args.revisit_days))
    return 0


def cmd_export(args) -> int:
    from newsflow.export import export_days
    day_from = date.fromisoformat(args.day_from)
    day_to = date.fromisoformat(args.day_to) if args.day_to else day_from
    _print(export_days(day_from, day_to, args.out))
    return 0


def cmd_archive(args) -> int:
    from newsflow import pipeline
    _print(pipeline.archive_day(date.fromisoformat(args.day)))
    return 0


def cmd_replay_server(args) -> int:
    from newsflow.replay import serve_forever
    serve_forever(root=args.root, host=args.host, port=args.port, phase=args.phase)
    return 0


def cmd_gazetteer(args) -> int:
    import time
    from newsflow.places import Gazetteer
    started = time.perf_counter()
    Gazetteer.load()  # builds the compact index once when it is missing or stale
    print(f"gazetteer ready ({time.perf_counter() - started:.1f}s)")
    return 0


def cmd_check_config(args) -> int:
    from newsflow.config import load_feeds
    feeds = load_feeds(args.feeds)
    print(f"{len(feeds)} feeds OK ({sum(f.enabled for f in feeds)} enabled)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="warehouse schema")
    db.add_argument("action", choices=["migrate", "dictionary"],
                    help="migrate: apply pending migrations; dictionary: print the BI data dictionary")
    db.set_defaults(func=cmd_db)

    ff = sub.add_parser("fetch-feeds", help="poll feeds and fetch new article pages into the warehouse")
    ff.add_argument("--feed", action="append", help="feed id (repeatable); default: every enabled feed")
    ff.add_argument("--interval-start", help="data interval start (ISO 8601)")
    ff.add_argument("--interval-end", help="data interval end (ISO 8601); default: the last 15-minute window")
    ff.set_defaults(func=cmd_fetch_feeds)

    ex = sub.add_parser("extract", help="extract articles: from a JSONL batch of HTML files, or the pending pages")
    ex.add_argument("--batch", help='JSONL file ("-" for stdin) of {"id", "path", "url"?} lines')
    ex.set_defaults(func=cmd_extract)

    ev = sub.add_parser("events", help="code events: from a JSONL batch of texts, or the pending articles")
    ev.add_argument("--batch", help='JSONL file ("-" for stdin) of {"id", "text", "language"?, ...} lines')
    ev.add_argument("--candidates", action="store_true",
                    help="with --batch: also emit the coded mentions below the event cut (is_event false)")
    ev.set_defaults(func=cmd_events)

    dd = sub.add_parser("dedup", help="cluster a JSONL batch of texts into exact and near-duplicate stories")
    dd.add_argument("--batch", required=True, help='JSONL file ("-" for stdin) of {"id", "text", ...} lines')
    dd.set_defaults(func=cmd_dedup)

    dl = sub.add_parser("daily", help="recompute one day's clusters and marts, and run the data checks")
    dl.add_argument("--day", required=True, help="YYYY-MM-DD")
    dl.add_argument("--revisit-days", type=int, default=2, help="earlier days revisited for late articles")
    dl.set_defaults(func=cmd_daily)

    ex = sub.add_parser("export", help="write the daily marts and events of a day range as CSV files")
    ex.add_argument("--from", dest="day_from", required=True, help="first day, YYYY-MM-DD")
    ex.add_argument("--to", dest="day_to", help="last day, YYYY-MM-DD (default: the first)")
    ex.add_argument("--out", required=True, help="folder for <table>.csv (created if missing)")
    ex.set_defaults(func=cmd_export)

    ar = sub.add_parser("archive", help="ingest one past day from the sources' date sitemaps")
    ar.add_argument("--day", required=True, help="YYYY-MM-DD")
    ar.set_defaults(func=cmd_archive)

    rs = sub.add_parser("replay-server", help="serve the bundled feeds and pages on 127.0.0.1")
    rs.add_argument("--host", default="127.0.0.1")
    rs.add_argument("--port", type=int, default=8765)
    rs.add_argument("--phase", type=int, default=1)
    rs.add_argument("--root", default=None, help="fixture root (default: include/replay)")
    rs.set_defaults(func=cmd_replay_server)

    gz = sub.add_parser("gazetteer", help="build the place index once (else the first event task builds it)")
    gz.set_defaults(func=cmd_gazetteer)

    cc = sub.add_parser("check-config", help="validate the feeds file")
    cc.add_argument("--feeds", default=None, help="path (default: include/config/feeds.yaml)")
    cc.set_defaults(func=cmd_check_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 done (a batch's bad lines are errors in its output), 2 bad configuration or a
    batch that cannot be read, 1 anything else."""
    from newsflow.batch import BatchInputError
    from newsflow.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"newsflow: configuration error: {exc}", file=sys.stderr)
        return 2
    except BatchInputError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
