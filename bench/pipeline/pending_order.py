"""What a mapped extraction batch reads under the article-load lock to keep pending order, by backlog.

Fills a throwaway warehouse with N pending pages (and their feed items) as a backfill leaves them,
plans them (`plan_page_extraction.sql`: their extraction order, once per run), then times, per batch,
the two ways a batch checks that the pages before it are loaded: reading the pages pending up to its
own last in extraction order (`pending_pages_through.sql`, what a batch listed without `after_key`
does; here for a batch in the middle of the backlog) and asking whether the page before it is still
pending (`page_still_pending.sql`, a chained batch). Least of a few runs each; with N / 50 batches in a
run, the first grows with N per batch (N squared per run), the second not.

Run: .venv/bin/python bench/pipeline/pending_order.py [--pages 600,5000,20000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "include"))

from run import new_database  # noqa: E402  (bench/pipeline/run.py, beside this script)

FILL = """
INSERT INTO core.source (source_id, name, url, host, language, kind, enabled)
VALUES ('bench_backlog', 'Backlog', 'https://backlog.example/rss.xml', 'backlog.example', 'en', 'publisher', true);
INSERT INTO raw.feed_item (feed_id, guid, canonical_url, link, title, published_at, first_seen_at)
SELECT 'bench_backlog', 'g' || i, 'https://backlog.example/a/' || i, 'https://backlog.example/a/' || i, 'Title ' || i,
       timestamptz '2025-03-01' + i * interval '1 minute', timestamptz '2025-03-06'
FROM generate_series(1, %(pages)s) AS i;
INSERT INTO raw.page (canonical_url, content_sha256, url, final_url, feed_id, http_status, html_gz, fetched_at)
SELECT 'https://backlog.example/a/' || i, md5(i::text), 'https://backlog.example/a/' || i,
       'https://backlog.example/a/' || i, 'bench_backlog', 200, '\\x00', timestamptz '2025-03-06'
FROM generate_series(1, %(pages)s) AS i;
ANALYZE;
"""


def least_ms(cur, statement: str, params: dict, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        cur.execute(statement, params)
        cur.fetchall()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="600,5000,20000", help="backlog sizes, comma-separated")
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    import psycopg2

    from newsflow.warehouse import migrate, sql

    print(f"per batch, under the article-load lock (least of 5 runs); a run has pages / {args.batch} batches:")
    for pages in (int(n) for n in args.pages.split(",")):
        admin, name, url = new_database("newsflow_bench_pending")
        try:
            migrate(url)
            with psycopg2.connect(url) as conn, conn.cursor() as cur:
                cur.execute(FILL, {"pages": pages})
                start = time.perf_counter()
                cur.execute(sql("plan_page_extraction"))
                plan_ms = (time.perf_counter() - start) * 1000
                middle = f"https://backlog.example/a/{pages // 2}"
                cur.execute("SELECT md5(%s::text)", (str(pages // 2),))
                key = {"canonical_url": middle, "content_sha256": cur.fetchone()[0]}
                cur.execute("SELECT extract_order FROM raw.page WHERE canonical_url = %(canonical_url)s"
                            " AND content_sha256 = %(content_sha256)s", key)
                every = least_ms(cur, sql("pending_pages_through"), {"last": cur.fetchone()[0]})
                one = least_ms(cur, sql("page_still_pending"), key)
            batches = -(-pages // args.batch)
            print(f"  backlog {pages:6d}: plan {plan_ms:7.1f} ms once; pending up to the batch {every:8.2f} ms"
                  f" (a run: {every * batches / 1000:7.1f} s"
                  f" over {batches} batches); the page before {one:6.3f} ms (a run: {one * batches / 1000:6.3f} s)")
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
