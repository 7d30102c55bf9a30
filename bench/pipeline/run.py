"""The whole pipeline under load: ingest -> extract -> events -> dedup -> daily on a generated corpus.

Generates a replay corpus (--articles N in Arabic and English over --feeds feeds, from the dev texts
of ../shared/devdata, with planted exact and near duplicates and stories told by several sources),
each article in a page of a news site's chrome (pages.py) sized like the dev pages (a median of
254 KB of HTML; --small-pages for the 3 KB template of earlier runs), serves it with newsflow's replay server, and drives the real task
functions against a throwaway PostgreSQL database. The mapped stages (extract, events) run as the
DAGs run them: batches listed, then one worker process per slot taking batches (`--workers`), once
with one worker and once with `--workers`; the other figures come from the one-worker pass. Each
pass prints what every worker process's time was made of (its own CPU, extraction or coding, waiting
for an advisory lock, loading under the article-load lock, the rest) with the machine's busy cores
and the PostgreSQL server's CPU over the pass: where a second worker's time goes.

Prints the pages' sizes, newsflow's and plain trafilatura's extraction F1 against the generated text
(neither may win speed by losing the story), per-stage throughput, the whole pipeline's articles/s per core and its ratio to plain
trafilatura's pages/s on the same pages, the load rate into PostgreSQL (rows written per second of
loading: the stage's time minus its extraction or coding time), warehouse bytes per 1,000
articles, peak RSS per stage (of each task process), and the daily marts' time with 1x and 10x the
history (a copy of the warehouse where the corpus is copied nine times onto earlier days, whose
marts their daily runs build: ten times the days, as many rows a day), per step of the daily run,
the least and the median of runs taken in turn on both sizes. On a machine shared with other jobs
the wall times move with their load, so it also prints each stage's CPU per article (its task
processes' and their PostgreSQL backends') and the whole pipeline's CPU against plain trafilatura's.
Last line:

    pipeline: N articles, whole X/s (Rx plain trafilatura), extract .../s, events .../s, dedup .../s,
    load .../s, marts 10x/1x=..., peak ... MB
"""
from __future__ import annotations

import argparse
import csv
import html
import json
import multiprocessing
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVDATA = ROOT.parent / "shared" / "devdata"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import PageSizes, Story, build_page  # noqa: E402  (this folder's page builder)
FIRST_DAY = date(2025, 3, 1)
DAYS = 5  # the corpus's publication days
INGEST_END = datetime(2025, 3, 6, tzinfo=timezone.utc)
HISTORY_COPIES = 9  # 10x history = the corpus and nine copies on earlier days
MARTS_REPEATS = 15  # daily runs timed at each history size (this machine is shared: the least is the cost)


# --- corpus ----------------------------------------------------------------------------------------

def _sentences() -> dict[str, list[str]]:
    """Sentences of the dev texts: English fundus article bodies and the Arabic gold sentences."""

    truth = json.loads((DEVDATA / "extraction/fundus/ground-truth.json").read_text(encoding="utf-8"))
    english = []
    for name, entry in sorted(truth.items()):
        if name.split("/")[0] in ("us", "uk", "za", "ca", "au", "ind"):
            english += [s for p in entry["articleBody"].split("\n") for s in re.split(r"(?<=[.!?])\s+", p)
                        if len(s.split()) >= 8]
    arabic = []
    for name in ("assault_gsr.csv", "protest_gsr.csv"):
        with (DEVDATA / "events/arabic_event_gsr_dev" / name).open(encoding="utf-8") as f:
            arabic += [row["text"].strip() for row in csv.DictReader(f) if len(row["text"].split()) >= 8]
    return {"en": sorted(set(english)), "ar": sorted(set(arabic))}


class SentenceDeck:
    """A language's sentences dealt in a shuffled order, reshuffled when all are dealt: unrelated
    articles share a sentence only once the corpus needs more sentences than the dev texts have, as
    in news, where a sentence recurs in the copies and retellings of one story (planted apart).
    Drawn at random with replacement instead, each generated article shared sentences with about 17
    others at 600 articles, making containment candidates of unrelated articles (0.45-0.85 per
    article against 0.00-0.01 among the real fundus articles)."""

    def __init__(self, rng: random.Random, sentences: list[str]):
        self.rng, self.sentences, self.left = rng, sentences, []

    def deal(self, n: int) -> list[str]:
        picked: list[str] = []
        while len(picked) < n:
            if not self.left:
                self.left = self.rng.sample(self.sentences, len(self.sentences))
            sentence = self.left.pop()
            if sentence not in picked:
                picked.append(sentence)
        return picked


def _new_article(rng: random.Random, sentences: SentenceDeck) -> tuple[str, list[str]]:
    """Four to six paragraphs of two or three sentences dealt from the language's sentences."""
    picked = sentences.deal(rng.randint(8, 15))
    paragraphs, i = [], 0
    while i < len(picked):
        n = rng.randint(2, 3)
        paragraphs.append(" ".join(picked[i:i + n]))
        i += n
    return " ".join(picked[0].split()[:12]), paragraphs


PAGE = """<!DOCTYPE html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{url}"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">{source} staff</p>
{paragraphs}
</article><aside><h2>Most read</h2><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></aside></main>
<footer><p>&copy; {source}. All rights reserved.</p></footer></body></html>
"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{source}</title><link>https://{host}/</link><description>{source}</description>
{items}
</channel></rss>
"""

ITEM = """<item><title>{title}</title><link>{url}</link><guid>{url}</guid><pubDate>{pub}</pubDate></item>"""


def build_corpus(root: Path, articles: int, feeds: int, seed: int = 7, small_pages: bool = False) -> dict:
    """Write feeds.yaml and the replay folder; return what was planted, the pages' sizes and each
    page's article text (its paragraphs: what extraction must find)."""
    rng = random.Random(seed)
    sentences = {language: SentenceDeck(rng, pool) for language, pool in _sentences().items()}
    per_feed: dict[int, list[str]] = {f: [] for f in range(feeds)}
    bodies: list[tuple[str, list[str], str]] = []  # title, paragraphs, language of each article
    planted = {"exact": 0, "near": 0, "story": 0}
    for i in range(articles):
        language = "ar" if i % 2 else "en"
        roll = rng.random()
        same_language = [j for j in range(max(0, i - 40), i) if bodies[j][2] == language]
        if roll < 0.08 and same_language:  # a wire copy: the same body on another site
            j = rng.choice(same_language)
            title, paragraphs = bodies[j][0], list(bodies[j][1])
            planted["exact"] += 1
        elif roll < 0.16 and same_language:  # a near copy: the last paragraph rewritten
            j = rng.choice(same_language)
            title, paragraphs = bodies[j][0], list(bodies[j][1])
            paragraphs[-1] = _new_article(rng, sentences[language])[1][0]
            planted["near"] += 1
        elif roll < 0.26 and same_language:  # the same story told anew: its lead, the rest new
            j = rng.choice(same_language)
            title, paragraphs = _new_article(rng, sentences[language])
            paragraphs[0] = bodies[j][1][0]
            planted["story"] += 1
        else:
            title, paragraphs = _new_article(rng, sentences[language])
        bodies.append((title, paragraphs, language))

    def place(i: int) -> tuple[int, str, datetime, str]:
        feed = (i * 7919) % feeds  # spread over the feeds, both languages on each
        host = f"bench{feed:03d}.example"
        published = datetime.combine(FIRST_DAY, datetime.min.time(), timezone.utc) + timedelta(
            minutes=(i * (DAYS * 24 * 60)) // articles)
        return feed, host, published, f"https://{host}/news/{published:%Y/%m/%d}/article-{i:06d}"

    # the corpus's other stories in each language, as a page's menus, cards and lists show them
    stories = {language: [Story(b[0], b[1][0], place(i)[3]) for i, b in enumerate(bodies) if b[2] == language]
               for language in ("en", "ar")}
    sizes = PageSizes(random.Random(seed + 1), DEVDATA)
    page_bytes, truth = [], {}
    for i, (title, paragraphs, language) in enumerate(bodies):
        feed, host, published, url = place(i)
        if small_pages:
            page = PAGE.format(lang=language, dir="rtl" if language == "ar" else "ltr", title=html.escape(title),
                               url=url, published=published.isoformat(), source=f"Bench source {feed}",
                               paragraphs="\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))
        else:
            page = build_page(rng, sizes.draw(), lang=language, title=title, paragraphs=paragraphs, url=url,
                              host=host, source=f"Bench source {feed}", published=published.isoformat(),
                              stories=[s for s in rng.sample(stories[language], min(200, len(stories[language])))
                                       if s.url != url])
        path = root / "sites" / host / "news" / f"{published:%Y/%m/%d}" / f"article-{i:06d}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        page_bytes.append(len(page.encode("utf-8")))
        truth[url] = "\n".join(paragraphs)
        per_feed[feed].append(ITEM.format(title=html.escape(title), url=url,
                                          pub=published.strftime("%a, %d %b %Y %H:%M:%S +0000")))
    lines = ["feeds:"]
    for feed, items in per_feed.items():
        host = f"bench{feed:03d}.example"
        (root / "sites" / host).mkdir(parents=True, exist_ok=True)
        (root / "sites" / host / "rss.xml").write_text(
            FEED.format(source=f"Bench source {feed}", host=host, items="\n".join(items)), encoding="utf-8")
        lines += [f"  - id: bench_{feed:03d}", f"    name: Bench source {feed}",
                  f"    url: https://{host}/rss.xml", "    language: en", "    kind: publisher",
                  "    enabled: true"]
    (root / "feeds.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"planted": planted, "page_bytes": page_bytes, "sizes_from": "the 3 KB template" if small_pages else sizes.origin, "truth": truth}


# --- stages, each in task processes ----------------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(module, name: str, spent: dict, key: str) -> None:
    """Wrap module.name so the time spent in it is added to spent[key]."""
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - start
    setattr(module, name, wrapper)


BACKEND_CPU = [0.0]  # CPU seconds of this task process's PostgreSQL backends, closed ones


def _backend_cpu_s(pid: int) -> float:
    try:  # nanoseconds on the CPU where the kernel keeps them (the daily marts take tens of ms)
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server is not on this machine
        return 0.0
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def _metered_connections() -> None:
    """Warehouse connections of this process add their backend's CPU to BACKEND_CPU when closed:
    the PostgreSQL work of the task itself, not of other databases on the same server."""
    import psycopg2.extensions

    from newsflow import config, warehouse
    if getattr(warehouse, "_bench_metered", False):
        return

    class Metered(psycopg2.extensions.connection):
        def close(self):
            if not self.closed:
                BACKEND_CPU[0] += _backend_cpu_s(self.get_backend_pid())
            super().close()

    def connect(url=None):
        conn = psycopg2.connect(url or config.warehouse_url(), connection_factory=Metered)
        conn.autocommit = False
        return conn
    warehouse.connect, warehouse._bench_metered = connect, True


def _split(function, *args, **kwargs) -> dict:
    """Run a task body and split its time (the `spent` keys set up by the caller's wrappers) with
    the process's own CPU time and its PostgreSQL backends': what a worker's second is made of."""
    _metered_connections()
    wall, cpu, backend = time.perf_counter(), time.process_time(), BACKEND_CPU[0]
    counts = function(*args, **kwargs)
    return {**counts, "wall_s": time.perf_counter() - wall, "proc_cpu_s": time.process_time() - cpu,
            "pg_cpu_s": BACKEND_CPU[0] - backend, "pid": os.getpid(), "peak_mb": _peak_mb()}


def task_ingest(feed_ids: list[str]) -> dict:
    from newsflow import pipeline

    def ingest() -> dict:
        result = pipeline.ingest_site(feed_ids, INGEST_END - timedelta(minutes=15), INGEST_END)
        return {"pages": sum(r["pages_new"] for r in result)}
    return _split(ingest)


SPENT = {"extract_s": 0.0, "code_s": 0.0, "lock_wait_s": 0.0, "load_s": 0.0}  # per task process


def _instrumented() -> None:
    """Time the parts of the mapped stages in this task process: extraction or coding (CPU, outside
    any lock), waiting for an advisory lock, and loading under the article-load lock."""
    from newsflow import events, pipeline
    if not getattr(pipeline, "_bench_timed", False):
        _timed(pipeline, "_extract_html", SPENT, "extract_s")
        _timed(pipeline, "lock", SPENT, "lock_wait_s")
        _timed(pipeline, "_load_pages", SPENT, "load_s")
        _timed(events, "extract_events", SPENT, "code_s")
        pipeline._bench_timed = True
    for key in SPENT:
        SPENT[key] = 0.0


def task_extract(batch: dict) -> dict:
    from newsflow import pipeline
    _instrumented()
    result = _split(pipeline.extract_pending, **batch)
    return {**result, **SPENT, "cpu_s": SPENT["extract_s"]}


def task_events(ids: list) -> dict:
    from newsflow import pipeline
    _instrumented()
    result = _split(pipeline.code_events, article_ids=ids)
    return {**result, **SPENT, "cpu_s": SPENT["code_s"]}


def task_dedup(lines: list[str]) -> dict:
    from newsflow.dedup import dedup_batch

    def deduplicate() -> dict:
        out = list(dedup_batch(lines))
        return {"articles": len(out), "duplicates": sum(1 for r in out if r.get("duplicate_of"))}
    return _split(deduplicate)


def task_plain_trafilatura(paths: list[str]) -> dict:
    import trafilatura

    def extract() -> dict:
        texts = [trafilatura.extract(Path(path).read_text(encoding="utf-8")) for path in paths]
        return {"pages": len(paths), "texts": texts}
    return _split(extract)


def task_plain_trafilatura_dev(count: int) -> dict:
    """Plain trafilatura on `count` of the real dev pages (extraction/fundus): its ms per KB of HTML
    there against on the generated pages says how real the generated pages' cost is."""
    import gzip

    import trafilatura
    paths = sorted((DEVDATA / "extraction/fundus/test_data").glob("*/*.html.gz"))
    pages = [gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
             for p in random.Random(1).sample(paths, min(count, len(paths)))]
    start = time.process_time()
    for page in pages:
        trafilatura.extract(page)
    return {"pages": len(pages), "kb": sum(len(p.encode("utf-8")) for p in pages) / 1024,
            "cpu_s": time.process_time() - start}


def _extraction_scorer():
    """bench/extraction's body score (4-token shingles, precision and recall per page averaged, F1 of
    the averages), so that the figures compare with that benchmark's."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("extraction_bench", ROOT / "bench/extraction/run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.precision_recall, module.prf


def extraction_f1(texts: dict[str, str | None], truth: dict[str, str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of extracted texts (by page URL; a page without one counts as empty)
    against the generated articles' text."""
    precision_recall, prf = _extraction_scorer()
    return prf([precision_recall(texts.get(url), text) for url, text in truth.items()])


def task_daily(days: list[str]) -> dict:
    from newsflow import pipeline

    def rebuild() -> dict:
        for day in days:
            pipeline.daily(date.fromisoformat(day))
        return {}
    return _split(rebuild)


def _warm_up() -> None:
    """What every task process loads first (the extractor, the gazetteer and lexicons)."""
    from newsflow import articles, events, pipeline  # noqa: F401
    articles.warm_up()
    events.extract_events("Protesters marched in Cairo on Monday.", language="en")


def _started(_: int) -> float:
    time.sleep(0.5)  # each worker takes one: all have started and warmed up
    return _peak_mb()


class Profiled:
    """A task function run under cProfile, its statistics written to `folder` (one file per call)."""

    def __init__(self, function, folder: str):
        self.function, self.folder = function, folder

    def __call__(self, batch):
        import cProfile
        profile = cProfile.Profile()
        try:
            return profile.runcall(self.function, batch)
        finally:
            profile.dump_stats(os.path.join(self.folder, f"{self.function.__name__}-{uuid.uuid4().hex}.prof"))


def print_profile(folder: str, name: str, top: int = 25) -> None:
    """The stage's calls merged over its task processes, by cumulative time."""
    import io
    import pstats

    files = sorted(str(p) for p in Path(folder).glob(f"{name}-*.prof"))
    if not files:
        return
    out = io.StringIO()
    stats = pstats.Stats(*files, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"--- profile of {name} ({len(files)} task calls) ---")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip() and ".prof" not in line))


PROFILE_DIR: str | None = None  # --profile: each stage's task calls run under cProfile


def _machine_busy_s() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, over all cores (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def _postgres_cpu_s(url: str) -> float | None:
    """CPU seconds of the warehouse's PostgreSQL server so far: the postmaster with its exited
    children (backends of finished tasks) and its live ones. None when the server is not local."""
    import psycopg2
    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, psycopg2.Error):
        return None
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if proc.name == str(postmaster):
            total += sum(int(x) for x in stat[11:15])  # utime, stime, cutime, cstime
        elif stat[1] == str(postmaster):
            total += int(stat[11]) + int(stat[12])
    return total / tick


def _stage_cpu(results: list[dict]) -> tuple[float, float]:
    """(task processes' CPU seconds, their PostgreSQL backends' CPU seconds) of a stage."""
    return sum(r["proc_cpu_s"] for r in results), sum(r["pg_cpu_s"] for r in results)


def run_stage(function, batches: list, workers: int, url: str | None = None) -> tuple[float, list[dict]]:
    """Run the batches on `workers` fresh interpreters (as task processes are: peak RSS is the
    task's own). Timed from when every worker has started and warmed up: the steady throughput; the
    start-up cost per task process is printed apart (startup_seconds). With `url`, the machine's
    busy CPU and the PostgreSQL server's CPU over the stage go to MACHINE."""
    if PROFILE_DIR and workers == 1:  # the one-worker pass of each stage is profiled
        function = Profiled(function, PROFILE_DIR)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_warm_up) as pool:
        begin = time.perf_counter()
        list(pool.map(_started, range(workers)))
        STARTUP.append(time.perf_counter() - begin)
        busy, pg = _machine_busy_s(), _postgres_cpu_s(url) if url else None
        start = time.perf_counter()
        results = list(pool.map(function, batches))
        seconds = time.perf_counter() - start
        busy_after, pg_after = _machine_busy_s(), _postgres_cpu_s(url) if url else None
    MACHINE.clear()
    MACHINE.update(busy_cores=(busy_after[0] - busy[0]) / seconds,
                   postgres_cores=(pg_after - pg) / seconds if pg is not None and pg_after is not None else None)
    return seconds, results


MACHINE: dict = {}  # the last run_stage's machine figures


def print_split(stage: str, workers: int, seconds: float, results: list[dict]) -> None:
    """Per worker process of a mapped pass: what its wall time was made of."""
    parts = [k for k in ("extract_s", "code_s", "lock_wait_s", "load_s") if any(r.get(k) for r in results)]
    by_pid: dict = {}
    for r in results:
        w = by_pid.setdefault(r["pid"], {"tasks": 0, "wall_s": 0.0, "proc_cpu_s": 0.0, **{k: 0.0 for k in parts}})
        w["tasks"] += 1
        for k in w:
            if k != "tasks":
                w[k] += r[k]
    pg = MACHINE.get("postgres_cores")
    print(f"  {stage}, {workers} worker(s), {seconds:.1f}s: machine busy {MACHINE['busy_cores']:.2f} cores"
          f" of {os.cpu_count()}, PostgreSQL {'?' if pg is None else f'{pg:.2f}'} cores")
    for n, (pid, w) in enumerate(sorted(by_pid.items()), 1):
        inside = sum(w[k] for k in parts)
        print(f"    worker {n}: {w['tasks']} tasks, {w['wall_s']:.1f}s in tasks, own CPU {w['proc_cpu_s']:.1f}s; "
              + ", ".join(f"{k[:-2].replace('_', ' ')} {w[k]:.1f}s" for k in parts)
              + f", other (DB reads, waits for earlier batches) {w['wall_s'] - inside:.1f}s")


STARTUP: list[float] = []


# --- warehouse ------------------------------------------------------------------------------------

def fetch_all(url: str, query: str, params=None) -> list[tuple]:
    import psycopg2
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def scalar(url: str, query: str, params=None):
    import psycopg2
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


def execute(url: str, query: str, params=None) -> None:
    import psycopg2
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query, params)
    finally:
        conn.close()


def rows_in(url: str, schemas=("raw", "core", "mart")) -> int:
    import psycopg2
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s)", (list(schemas),))
        total = 0
        for schema, table in cur.fetchall():
            cur.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            total += cur.fetchone()[0]
        return total


RESET_EXTRACTION = "TRUNCATE core.page_extraction, core.article_version, core.article_signature, core.article_lsh," \
                   " core.event_mention, core.event, core.story_cluster, core.article CASCADE"
RESET_EVENTS = "TRUNCATE core.event_mention, core.event; UPDATE core.article SET events_coded_version = NULL"

# The corpus again on earlier days (copy k is shifted by 2 * DAYS * k + 30 days), for the tables the daily
# marts read: their time at 10x history against 1x.
HISTORY_COPY = """
INSERT INTO raw.feed_poll SELECT feed_id, interval_start - %(shift)s, interval_end - %(shift)s, status, http_status,
  error, etag, last_modified, n_items, n_new_items FROM raw.feed_poll WHERE interval_end > %(since)s;
INSERT INTO raw.page SELECT canonical_url || %(tag)s, content_sha256, url, final_url, feed_id, http_status, headers,
  html_gz, etag, last_modified, fetched_at - %(shift)s FROM raw.page WHERE fetched_at > %(since)s;
INSERT INTO raw.page_fetch SELECT canonical_url || %(tag)s, interval_start - %(shift)s, feed_id, status, http_status,
  error, content_sha256 FROM raw.page_fetch WHERE interval_start > %(since)s;
INSERT INTO core.article SELECT md5(article_id::text || %(tag)s)::uuid, canonical_url || %(tag)s, source_id, title,
  text, published_at - %(shift)s, updated_at - %(shift)s, first_seen_at - %(shift)s, language, authors, agencies,
  kind, section, tags, word_count, content_hash, version, extractor_version, md5(cluster_id::text || %(tag)s)::uuid,
  md5(duplicate_of::text || %(tag)s)::uuid, duplicate_kind, similarity, events_coded_version
  FROM core.article WHERE first_seen_at > %(since)s;
INSERT INTO core.page_extraction SELECT canonical_url || %(tag)s, content_sha256, status, error,
  md5(article_id::text || %(tag)s)::uuid, version FROM core.page_extraction e
  WHERE EXISTS (SELECT 1 FROM raw.page p WHERE p.canonical_url = e.canonical_url AND p.fetched_at > %(since)s);
INSERT INTO core.event SELECT event_id || %(tag)s, event_type, mode, event_date - %(days)s, date_precision,
  actor1_code, actor2_code, location_name, country, admin1, latitude, longitude, location_precision, num_mentions,
  num_articles, num_sources, first_seen - %(shift)s, last_seen - %(shift)s, confidence, sample_sentence
  FROM core.event WHERE first_seen > %(since)s;
INSERT INTO core.event_mention SELECT md5(mention_id::text || %(tag)s)::uuid, event_id || %(tag)s,
  md5(article_id::text || %(tag)s)::uuid, source_id, article_version, event_type, mode, actor1_text, actor1_code,
  actor1_country, actor1_sector, actor2_text, actor2_code, actor2_country, actor2_sector, location_name, country,
  admin1, latitude, longitude, location_precision, event_date - %(days)s, date_precision, sentence, sentence_start,
  sentence_end, trigger, confidence, is_root, language, mentioned_at - %(shift)s, is_event
  FROM core.event_mention WHERE mentioned_at > %(since)s;
"""


def table_bytes(url: str) -> list[tuple[str, int]]:
    """Bytes of each warehouse table with its indexes and TOAST, largest first."""
    import psycopg2
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT schemaname || '.' || tablename, pg_total_relation_size(format('%I.%I', schemaname, tablename))"
                    " FROM pg_tables WHERE schemaname IN ('raw', 'core', 'mart') ORDER BY 2 DESC")
        return cur.fetchall()


def add_history(url: str, copies: int) -> None:
    """The corpus's rows again, shifted onto earlier days, then the daily run of each copy's fetch day,
    oldest first, as the warehouse would have run it then: the marts and clusters hold the history too."""
    from newsflow import pipeline

    since = INGEST_END - timedelta(days=DAYS + 30)  # the corpus itself, not earlier copies
    shifts = [2 * DAYS * k + 30 for k in range(1, copies + 1)]
    for k, days in enumerate(shifts, 1):
        execute(url, HISTORY_COPY, {"shift": timedelta(days=days), "days": days, "tag": f"#h{k}", "since": since})
    execute(url, "ANALYZE")
    for days in reversed(shifts):
        pipeline.daily(INGEST_END.date() - timedelta(days=days))
    execute(url, "ANALYZE")


CPU = "cpu (process + backend)"  # time_marts's CPU seconds of a run


def time_marts(urls: dict[str, str], repeats: int = MARTS_REPEATS) -> dict[str, dict[str, tuple[float, float]]]:
    """The daily run of the day the corpus was fetched (with its revisit days) in this process, on each
    warehouse of `urls` (history size -> database), after one run each to warm the caches: `repeats`
    rounds, each running every warehouse once in turn (the order alternating), so that the other jobs
    on this shared machine weigh on all sizes alike. Per history size, per step and in all ("total",
    with the connections) and of CPU (CPU, this process's and the run's PostgreSQL backend's, when the
    server is on this machine): the least and the median seconds. Other jobs only add time: the least
    is the cost, the median shows the spread; the CPU is what waiting for them does not add to."""
    from newsflow import pipeline

    day = INGEST_END.date()  # the day the corpus was fetched: its articles, pages and mentions

    def run(url: str, steps: dict | None = None) -> None:
        os.environ["NEWSFLOW_WAREHOUSE_URL"] = url
        pipeline.daily(day, step_seconds=steps)

    _metered_connections()

    before = os.environ["NEWSFLOW_WAREHOUSE_URL"]
    try:
        for url in urls.values():
            run(url)
        runs: dict[str, list[dict]] = {size: [] for size in urls}
        for round_ in range(repeats):
            for size in (list(urls) if round_ % 2 == 0 else list(urls)[::-1]):
                steps: dict = {}
                start, cpu, backend = time.perf_counter(), time.process_time(), BACKEND_CPU[0]
                run(urls[size], steps)
                steps["total"] = time.perf_counter() - start
                # CPU of this process and of the run's PostgreSQL backend: what waiting for the
                # machine's other jobs does not add to
                steps[CPU] = time.process_time() - cpu + BACKEND_CPU[0] - backend
                runs[size].append(steps)
    finally:
        os.environ["NEWSFLOW_WAREHOUSE_URL"] = before
    return {size: {name: (min(r[name] for r in rs), statistics.median(r[name] for r in rs)) for name in rs[0]}
            for size, rs in runs.items()}


def _scans(plan: dict, table: str = "") -> list[str]:
    """The table reads of a JSON plan: by which index, or whole (a bitmap index scan names the table of
    the heap scan above it)."""
    if "Relation Name" in plan:
        table = f"{plan.get('Schema', '')}.{plan['Relation Name']}".lstrip(".")
    found = []
    if "Index Name" in plan:
        found.append(f"{table} by {plan['Index Name']}")
    elif plan["Node Type"] == "Seq Scan":
        found.append(f"{table} WHOLE")
    for child in plan.get("Plans", []):
        found += _scans(child, table)
    return found


def print_plans(url: str) -> None:
    """How the planner reads each table in every statement of the daily run (EXPLAIN, not run): which
    reads follow the days' rows by an index and which read a whole table."""
    import psycopg2

    from newsflow import pipeline
    from newsflow.config import load_event_policy
    from newsflow.warehouse import sql

    params = {**pipeline.day_params(INGEST_END.date()), "cut": load_event_policy().cut}
    names = ["event_cut_disagrees", "mart_scope", *(f"marts/{m}" for m in pipeline.MARTS),
             *(f"checks/{c}" for c in pipeline.CHECKS)]
    print("plans of the daily run at 10x history (tables read by index, or WHOLE):")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(pipeline.DAILY_PLANNER_SETTINGS)
        pipeline.mart_scope(cur, params)
        print(f"  scope: {len(params['event_days'])} event days whole, {params['daily_events_keys']} keys"
              f" ({params['actor_keys']} of actors) on {len(params['partial_days'])} older days"
              if "daily_events_keys" in params else  # an earlier newsflow's, by group (--marts-of)
              f"  scope: {len(params['event_days'])} event days whole, {len(params['touched_days'])} groups"
              f" on {len(params['partial_days'])} older days")
        for name in names:
            statements = [s for s in re.split(r";\s*\n", sql(name))
                          if re.sub(r"--[^\n]*", "", s).strip() and "CREATE TEMPORARY TABLE" not in s]  # no plan
            scans = []
            for statement in statements:
                cur.execute("EXPLAIN (FORMAT JSON, VERBOSE) " + statement, params)
                scans += _scans(cur.fetchone()[0][0]["Plan"])
            print(f"  {name}: " + ", ".join(dict.fromkeys(scans)))
        conn.rollback()


def cpu_ratio(timed: dict) -> str:
    """The CPU of time_marts's runs at 10x against 1x, least and medians."""
    (least_1x, median_1x), (least_10x, median_10x) = timed["1x"][CPU], timed["10x"][CPU]
    return f"10x/1x {least_10x / max(least_1x, 1e-9):.2f}, medians {median_10x / max(median_1x, 1e-9):.2f}"


def print_marts(at_1x: dict, at_10x: dict, repeats: int = MARTS_REPEATS) -> None:
    print(f"daily marts of one day, ms per step (least / median of {repeats} runs) at 1x and 10x history:")
    for name in at_1x:
        (a, am), (b, bm) = at_1x[name], at_10x[name]
        print(f"  {name:32s} {a * 1000:7.1f} / {am * 1000:7.1f}   {b * 1000:7.1f} / {bm * 1000:7.1f}"
              f"   {b / max(a, 1e-9):5.2f}x")


def mapped_passes(url: str, reset: str, list_batches, task, workers: int, stage: str) -> tuple[dict, dict]:
    """A mapped stage from the same start with one worker, then with `workers`: its counts summed
    over the batches, seconds, extraction or coding seconds, rows written and peak RSS of each pass.
    Prints each pass's per-worker time split."""
    passes = []
    for n in (1, workers):
        execute(url, reset)
        batches = list_batches()
        rows_before = rows_in(url, ("core",))
        seconds, results = run_stage(task, batches, n, url)
        print_split(stage, n, seconds, results)
        summed = {key: sum(r[key] for r in results) for key in results[0] if key not in ("peak_mb", "pid")}
        passes.append({**summed, "s": seconds, "rows": rows_in(url, ("core",)) - rows_before,
                       "peak": max(r["peak_mb"] for r in results)})
    return passes[0], passes[1]


def page_batches(size: int) -> list[dict]:
    """The extraction's batches as the DAG maps them (each with the page before it, to wait for), or
    keys only with a package before chained batches (to measure it on the same corpus)."""
    from newsflow import pipeline
    if hasattr(pipeline, "chained_page_batches"):
        return pipeline.chained_page_batches(size=size)
    return [{"keys": keys} for keys in pipeline.pending_page_batches(size=size)]


def bench_server_url() -> str:
    """The PostgreSQL server the benchmarks create their throwaway databases on."""
    return os.environ.get("NEWSFLOW_BENCH_PG_URL",
                          f"postgresql://postgres@127.0.0.1:{os.environ.get('NEWSFLOW_PG_PORT', '5433')}/postgres")


def new_database(prefix: str):
    """A new empty database on the benchmark server: (an autocommit admin connection, its name, its URL)."""
    import psycopg2

    server_url = bench_server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    return admin, name, server_url.rpartition("/")[0] + "/" + name


def marts_of(name: str, articles: int, feeds: int) -> int:
    """The daily marts' part of the benchmark on kept databases: the newsflow code at hand (this
    checkout's, or another's first on PYTHONPATH) timed on the same rows as a run before it."""
    from newsflow.warehouse import migrate

    url = bench_server_url().rpartition("/")[0] + "/" + name
    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-marts-"))
    try:
        build_corpus(work, articles, feeds)  # its feeds file: the sources the daily run syncs
        os.environ.update(NEWSFLOW_WAREHOUSE_URL=url, NEWSFLOW_FEEDS_FILE=str(work / "feeds.yaml"))
        for database in (url, url + "_10x"):
            migrate(database)
        timed = time_marts({"1x": url, "10x": url + "_10x"})
        print_marts(timed["1x"], timed["10x"])
        print_plans(url + "_10x")
        (least_1x, median_1x), (least_10x, median_10x) = timed["1x"]["total"], timed["10x"]["total"]
        print(f"marts of one day {least_1x:.3f}s at 1x history, {least_10x:.3f}s at 10x (least of {MARTS_REPEATS};"
              f" medians {median_1x:.3f}s, {median_10x:.3f}s: {median_10x / median_1x:.2f}x; CPU {cpu_ratio(timed)}):"
              f" marts 10x/1x={least_10x / least_1x:.2f}")
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0


# --- main ----------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the scaled pass")
    parser.add_argument("--batch", type=int, default=50, help="pages or articles per mapped task")
    parser.add_argument("--keep-db", action="store_true",
                        help="keep the benchmark's databases (1x and 10x history) to examine, and print their names")
    parser.add_argument("--small-pages", action="store_true",
                        help="the small page template of earlier runs (3 KB: three links, one aside) instead of"
                             " pages of the dev pages' sizes with a news site's chrome")
    parser.add_argument("--profile", action="store_true",
                        help="run each stage's one-worker pass under cProfile and print where its time goes")
    parser.add_argument("--marts-of", metavar="DATABASE",
                        help="only time the daily marts (and print their plans) on DATABASE and DATABASE_10x, kept"
                             " by --keep-db with the same --articles and --feeds; they are migrated first")
    args = parser.parse_args()
    if not DEVDATA.is_dir():
        print(f"bench/pipeline: {DEVDATA} is missing (the dev data); nothing measured", file=sys.stderr)
        return 2
    if args.marts_of:
        return marts_of(args.marts_of, args.articles, args.feeds)

    import psycopg2

    from newsflow.replay import ReplayServer

    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-pipeline-"))
    if args.profile:
        global PROFILE_DIR
        PROFILE_DIR = str(work / "profiles")
        os.makedirs(PROFILE_DIR)
    corpus = build_corpus(work, args.articles, args.feeds, small_pages=args.small_pages)
    pages = sorted(str(p) for p in (work / "sites").rglob("article-*"))
    page_bytes = corpus["page_bytes"]
    quartiles = statistics.quantiles(page_bytes, n=4)
    print(f"pages: mean {statistics.mean(page_bytes) / 1024:.0f} KB of HTML (quartiles "
          + " / ".join(f"{q / 1024:.0f}" for q in quartiles) + f" KB), sizes {corpus['sizes_from']}")
    admin, name, url = new_database("newsflow_bench")
    os.environ.update(NEWSFLOW_WAREHOUSE_URL=url, NEWSFLOW_FEEDS_FILE=str(work / "feeds.yaml"))
    figures: dict = {}
    try:
        from newsflow import pipeline
        from newsflow.warehouse import migrate
        migrate(url)
        empty_bytes = scalar(url, "SELECT pg_database_size(current_database())")
        with ReplayServer(root=work) as server:
            os.environ["NEWSFLOW_REPLAY_BASE"] = server.base_url
            groups = pipeline.feeds_by_site()
            figures["ingest_s"], results = run_stage(task_ingest, groups, 1, url)
            peaks = {"ingest": max(r["peak_mb"] for r in results)}
            cpu = {"ingest": _stage_cpu(results)}
        stored = scalar(url, "SELECT count(*) FROM raw.page")
        print(f"corpus: {args.articles} articles over {args.feeds} feeds, planted {corpus['planted']}; "
              f"{stored} pages stored by ingest in {figures['ingest_s']:.1f}s (one worker, local HTTP)")

        # extraction: one worker, then --workers, over the same batches
        one, many = mapped_passes(url, RESET_EXTRACTION, lambda: page_batches(args.batch), task_extract,
                                  args.workers, "extract")
        peaks["extract"] = max(one["peak"], many["peak"])
        cpu["extract"] = (one["proc_cpu_s"], one["pg_cpu_s"])
        extract_rate = one["pages"] / one["s"]
        load_rows, load_s = one["rows"], max(one["s"] - one["cpu_s"], 1e-6)
        print(f"extract: {one['pages']} pages ({one['error']} errors) in {one['s']:.1f}s = {extract_rate:.1f} pages/s"
              f" with 1 worker ({one['cpu_s']:.1f}s extracting, {load_s:.1f}s loading {load_rows} rows);"
              f" {args.workers} workers {many['s']:.1f}s = {one['s'] / many['s']:.2f}x")

        # events: the same
        eone, emany = mapped_passes(url, RESET_EVENTS, lambda: pipeline.article_batches(size=args.batch)["batches"],
                                    task_events, args.workers, "events")
        peaks["events"] = max(eone["peak"], emany["peak"])
        cpu["events"] = (eone["proc_cpu_s"], eone["pg_cpu_s"])
        events_rate = eone["articles"] / eone["s"]
        load_rows += eone["rows"]
        load_s += max(eone["s"] - eone["cpu_s"], 1e-6)
        print(f"events: {eone['articles']} articles in {eone['s']:.1f}s = {events_rate:.1f}/s with 1 worker"
              f" ({eone['cpu_s']:.1f}s coding, {eone['rows']} rows); {args.workers} workers {emany['s']:.1f}s"
              f" = {eone['s'] / emany['s']:.2f}x")
        mapped_scaling = (one["s"] + eone["s"]) / (many["s"] + emany["s"])

        # dedup: the batch deduplication over the stored articles (in the pipeline it runs inside extraction)
        conn = psycopg2.connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT article_id, text, title, canonical_url, language, published_at FROM core.article")
                lines = [json.dumps({"id": str(a), "text": t, "title": ti, "url": u, "language": la,
                                     "published_at": p.isoformat() if p else None}) for a, t, ti, u, la, p in cur]
        finally:
            conn.close()
        dedup_s, results = run_stage(task_dedup, [lines], 1)
        peaks["dedup"] = results[0]["peak_mb"]
        cpu["dedup"] = _stage_cpu(results)
        dedup_rate = len(lines) / dedup_s
        print(f"dedup: {len(lines)} articles in {dedup_s:.1f}s = {dedup_rate:.1f}/s"
              f" ({results[0]['duplicates']} linked as duplicates)")

        # the publication days and the day of the fetch, which holds the articles (first seen then)
        days = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range((INGEST_END.date() - FIRST_DAY).days + 1)]
        daily_s, results = run_stage(task_daily, [days], 1, url)
        peaks["daily"] = results[0]["peak_mb"]
        cpu["daily"] = _stage_cpu(results)
        size = scalar(url, "SELECT pg_database_size(current_database())") - empty_bytes
        by_table = table_bytes(url)
        html_bytes = scalar(url, "SELECT coalesce(sum(octet_length(html_gz)), 0) FROM raw.page")
        articles = scalar(url, "SELECT count(*) FROM core.article")
        # 10x history in a copy of the warehouse, so that both sizes are timed in turn
        with admin.cursor() as cur:  # a copy needs the database to itself: end sessions a task process left
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f"CREATE DATABASE {name}_10x TEMPLATE {name}")
        url_10x = url + "_10x"
        os.environ["NEWSFLOW_WAREHOUSE_URL"] = url_10x
        add_history(url_10x, HISTORY_COPIES)
        os.environ["NEWSFLOW_WAREHOUSE_URL"] = url
        timed = time_marts({"1x": url, "10x": url_10x})
        at_1x, at_10x = timed["1x"], timed["10x"]
        print_marts(at_1x, at_10x)
        print_plans(url_10x)
        marts_1x, marts_10x = at_1x["total"][0], at_10x["total"][0]
        print(f"daily: {len(days)} days in {daily_s:.1f}s; marts of one day {marts_1x:.3f}s at 1x history,"
              f" {marts_10x:.3f}s at 10x (least of {MARTS_REPEATS}; medians {at_1x['total'][1]:.3f}s,"
              f" {at_10x['total'][1]:.3f}s: {at_10x['total'][1] / at_1x['total'][1]:.2f}x; CPU {cpu_ratio(timed)})")

        plain_s, results = run_stage(task_plain_trafilatura, [pages], 1)
        plain_rate = len(pages) / results[0]["wall_s"]
        plain_cpu_ms = results[0]["proc_cpu_s"] * 1000 / len(pages)
        _, dev = run_stage(task_plain_trafilatura_dev, [60], 1)
        print(f"plain trafilatura, CPU ms per KB of HTML: {results[0]['proc_cpu_s'] * 1000 / (sum(page_bytes) / 1024):.3f}"
              f" on the generated pages, {dev[0]['cpu_s'] * 1000 / dev[0]['kb']:.3f} on {dev[0]['pages']} dev pages"
              f" (extraction/fundus, {dev[0]['cpu_s'] * 1000 / dev[0]['pages']:.1f} ms a page)")
        whole_s = figures["ingest_s"] + one["s"] + eone["s"] + dedup_s + daily_s  # one worker each
        whole_rate = args.articles / whole_s
        load_rate = load_rows / load_s
        print(f"plain trafilatura: {plain_rate:.1f} pages/s on the same pages (one process);"
              f" extraction {extract_rate / plain_rate:.2f}x of it")
        # both extract the story, or a speed ratio means nothing: scored against the generated text
        sites = work / "sites"
        plain_texts = {"https://" + str(Path(path).relative_to(sites)): text
                       for path, text in zip(pages, results[0]["texts"])}
        stored = dict(fetch_all(url, "SELECT canonical_url, text FROM core.article"))
        for label, texts in (("newsflow (the warehouse's core.article)", stored), ("plain trafilatura", plain_texts)):
            precision, recall, f1 = extraction_f1(texts, corpus["truth"])
            print(f"extraction F1 against the generated text, {label}: {f1:.4f} (precision {precision:.4f},"
                  f" recall {recall:.4f}, {sum(1 for u in corpus['truth'] if texts.get(u))} of"
                  f" {len(corpus['truth'])} pages with a text)")
        per_article = {"ingest": figures["ingest_s"], "extract": one["s"], "events": eone["s"], "dedup": dedup_s,
                       "daily": daily_s}
        print("wall ms per article, one worker: " + ", ".join(
            f"{k} {v * 1000 / args.articles:.1f}" for k, v in per_article.items())
            + f" (of extract: extracting {one['cpu_s'] * 1000 / args.articles:.1f}, loading under the lock"
              f" {one['load_s'] * 1000 / args.articles:.1f}); plain trafilatura {1000 / plain_rate:.1f} ms a page")
        print(f"warehouse: {size / max(articles, 1) * 1000 / 1e6:.1f} MB per 1,000 articles"
              f" (raw HTML compressed, text, events, indexes)")
        print("bytes per article by table (with its indexes and TOAST): " + ", ".join(
            f"{name} {b / max(articles, 1) / 1024:.1f} KB" for name, b in by_table[:8])
            + f"; of raw.page, compressed HTML {html_bytes / max(articles, 1) / 1024:.1f} KB")
        whole_cpu_ms = sum(sum(c) for c in cpu.values()) * 1000 / args.articles
        print("CPU per article, task processes + their PostgreSQL backends: " + ", ".join(
            f"{k} {t * 1000 / args.articles:.1f} + {p * 1000 / args.articles:.1f} ms" for k, (t, p) in cpu.items())
            + f"; whole {whole_cpu_ms:.1f} ms; plain trafilatura {plain_cpu_ms:.1f} ms a page:"
              f" {plain_cpu_ms / whole_cpu_ms:.2f}x by CPU (wall times move with the other jobs on the machine)")
        print("peak RSS per task process (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items()))
        print(f"mapped stages (extract + events): {args.workers} workers {mapped_scaling:.2f}x one worker"
              f" on {os.cpu_count()} cores")
        print(f"task process start-up (import and warm-up): {min(STARTUP):.1f}-{max(STARTUP):.1f}s,"
              f" left out of the stage times (a mapped task of {args.batch} pages pays it once)")
        if PROFILE_DIR:  # the profiler slows the stages: compare figures of runs without --profile
            for task in (task_ingest, task_extract, task_events, task_dedup, task_daily):
                print_profile(PROFILE_DIR, task.__name__)
        print(f"pipeline: {args.articles} articles, whole {whole_rate:.1f}/s ({whole_rate / plain_rate:.2f}x plain"
              f" trafilatura), extract {extract_rate:.1f}/s, events {events_rate:.1f}/s, dedup {dedup_rate:.1f}/s,"
              f" load {load_rate:.0f}/s, marts 10x/1x={marts_10x / marts_1x:.2f}, peak {max(peaks.values()):.0f} MB")
    finally:
        if args.keep_db:
            print(f"databases kept: {url} (1x history), {url}_10x")
        else:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                cur.execute(f"DROP DATABASE IF EXISTS {name}_10x WITH (FORCE)")
        admin.close()
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
