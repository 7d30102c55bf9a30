-- newsflow warehouse, version 1: raw landing tables, core entities, daily marts.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;

-- Sources (one per configured feed), synced from include/config/feeds.yaml on every run.
CREATE TABLE core.source (
    source_id   text PRIMARY KEY,
    name        text NOT NULL,
    url         text NOT NULL,
    host        text NOT NULL,
    language    text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('publisher', 'wire')),
    enabled     boolean NOT NULL
);

-- One row per feed poll and data interval: a re-run of the interval replaces its own row.
CREATE TABLE raw.feed_poll (
    feed_id         text NOT NULL,
    interval_start  timestamptz NOT NULL,
    interval_end    timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('ok', 'not_modified', 'error')),
    http_status     integer,
    error           text,
    etag            text,
    last_modified   text,
    n_items         integer NOT NULL DEFAULT 0,
    n_new_items     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (feed_id, interval_start)
);

-- One row per source and archived day read from its date sitemap (newsflow_archive).
CREATE TABLE raw.sitemap_poll (
    feed_id         text NOT NULL,
    day             date NOT NULL,
    url             text NOT NULL,
    status          text NOT NULL CHECK (status IN ('ok', 'error')),
    http_status     integer,
    error           text,
    n_urls          integer NOT NULL DEFAULT 0,
    PRIMARY KEY (feed_id, day)
);

CREATE TABLE raw.feed_item (
    feed_id         text NOT NULL,
    guid            text NOT NULL,
    link            text NOT NULL,
    canonical_url   text NOT NULL,
    title           text,
    summary         text,
    published_at    timestamptz,
    authors         text[] NOT NULL DEFAULT '{}',
    first_seen_at   timestamptz NOT NULL,
    origin          text NOT NULL DEFAULT 'feed' CHECK (origin IN ('feed', 'sitemap')),
    PRIMARY KEY (feed_id, guid)
);
CREATE INDEX feed_item_canonical_url ON raw.feed_item (canonical_url);

-- Raw HTML, content-addressed per URL: an unchanged page is stored once.
CREATE TABLE raw.page (
    canonical_url   text NOT NULL,
    content_sha256  text NOT NULL,
    url             text NOT NULL,
    final_url       text NOT NULL,
    feed_id         text NOT NULL,
    http_status     integer NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}',
    html_gz         bytea NOT NULL,
    etag            text,
    last_modified   text,
    fetched_at      timestamptz NOT NULL,
    PRIMARY KEY (canonical_url, content_sha256)
);

-- Every page fetch attempt of a data interval, failures included (visible, counted).
CREATE TABLE raw.page_fetch (
    canonical_url   text NOT NULL,
    interval_start  timestamptz NOT NULL,
    feed_id         text NOT NULL,
    status          text NOT NULL CHECK (status IN ('ok', 'not_modified', 'error')),
    http_status     integer,
    error           text,
    content_sha256  text,
    PRIMARY KEY (canonical_url, interval_start)
);

-- One article per canonical URL; its latest version's fields.
CREATE TABLE core.article (
    article_id        uuid PRIMARY KEY,
    canonical_url     text NOT NULL UNIQUE,
    source_id         text NOT NULL REFERENCES core.source,
    title             text,
    text              text NOT NULL,
    published_at      timestamptz,
    updated_at        timestamptz,
    first_seen_at     timestamptz NOT NULL,
    language          text,
    authors           text[] NOT NULL DEFAULT '{}',
    agencies          text[] NOT NULL DEFAULT '{}',
    kind              text NOT NULL,
    section           text,
    tags              text[] NOT NULL DEFAULT '{}',
    word_count        integer NOT NULL,
    content_hash      text NOT NULL,
    version           integer NOT NULL,
    extractor_version text NOT NULL,
    cluster_id        uuid,
    duplicate_of      uuid,
    duplicate_kind    text CHECK (duplicate_kind IN ('exact', 'near')),
    similarity        real,
    events_coded_version integer  -- the version whose events are in core.event_mention
);
CREATE INDEX article_content_hash ON core.article (content_hash);
CREATE INDEX article_published_day ON core.article (((published_at AT TIME ZONE 'UTC')::date));
CREATE INDEX article_cluster ON core.article (cluster_id);

CREATE TABLE core.article_version (
    article_id      uuid NOT NULL REFERENCES core.article,
    version         integer NOT NULL,
    content_hash    text NOT NULL,
    content_sha256  text NOT NULL,
    title           text,
    text            text NOT NULL,
    updated_at      timestamptz,
    seen_at         timestamptz NOT NULL,
    PRIMARY KEY (article_id, version),
    UNIQUE (article_id, content_hash)
);

-- Outcome of extracting each stored page (errors are kept, never dropped).
CREATE TABLE core.page_extraction (
    canonical_url   text NOT NULL,
    content_sha256  text NOT NULL,
    status          text NOT NULL CHECK (status IN ('ok', 'error', 'skipped')),
    error           text,
    article_id      uuid,
    version         integer,
    PRIMARY KEY (canonical_url, content_sha256)
);

-- MinHash signatures and LSH band keys, persisted so new articles match recent days, not just their batch.
CREATE TABLE core.article_signature (
    article_id      uuid PRIMARY KEY REFERENCES core.article ON DELETE CASCADE,
    signature       bytea NOT NULL,
    published_day   date NOT NULL
);
CREATE TABLE core.article_lsh (
    band_key        bigint NOT NULL,
    article_id      uuid NOT NULL REFERENCES core.article ON DELETE CASCADE,
    published_day   date NOT NULL,
    PRIMARY KEY (band_key, article_id)
);

-- Story clusters: exact and near-duplicate articles across sources.
CREATE TABLE core.story_cluster (
    cluster_id        uuid PRIMARY KEY,
    first_article_id  uuid NOT NULL,
    first_seen        timestamptz NOT NULL,
    last_seen         timestamptz NOT NULL,
    n_articles        integer NOT NULL,
    n_sources         integer NOT NULL,
    title             text
);

-- One row per event mention in an article (as GDELT's Mentions table).
CREATE TABLE core.event_mention (
    mention_id        uuid PRIMARY KEY,
    event_id          text NOT NULL,
    article_id        uuid NOT NULL REFERENCES core.article ON DELETE CASCADE,
    source_id         text NOT NULL,
    article_version   integer NOT NULL,
    event_type        text NOT NULL,
    mode              text,
    actor1_text       text, actor1_code text, actor1_country text, actor1_sector text,
    actor2_text       text, actor2_code text, actor2_country text, actor2_sector text,
    location_name     text,
    country           text,
    admin1            text,
    latitude          double precision,
    longitude         double precision,
    location_precision text,
    event_date        date,
    date_precision    text NOT NULL,
    sentence          text NOT NULL,
    sentence_start    integer NOT NULL,
    sentence_end      integer NOT NULL,
    trigger           text,
    confidence        real NOT NULL,
    is_root           boolean NOT NULL,
    language          text,
    mentioned_at      timestamptz NOT NULL
);
CREATE INDEX event_mention_event ON core.event_mention (event_id);
CREATE INDEX event_mention_article ON core.event_mention (article_id);

-- Deduplicated events: mentions merged by date, type, place and actors; ids are deterministic.
CREATE TABLE core.event (
    event_id          text PRIMARY KEY,
    event_type        text NOT NULL,
    mode              text,
    event_date        date,
    date_precision    text NOT NULL,
    actor1_code       text,
    actor2_code       text,
    location_name     text,
    country           text,
    admin1            text,
    latitude          double precision,
    longitude         double precision,
    location_precision text,
    num_mentions      integer NOT NULL,
    num_articles      integer NOT NULL,
    num_sources       integer NOT NULL,
    first_seen        timestamptz NOT NULL,
    last_seen         timestamptz NOT NULL,
    confidence        real NOT NULL,
    sample_sentence   text
);
CREATE INDEX event_date_idx ON core.event (event_date);

CREATE TABLE mart.daily_events (
    day          date NOT NULL,
    country      text NOT NULL,
    admin1       text NOT NULL,
    event_type   text NOT NULL,
    events       integer NOT NULL,
    mentions     integer NOT NULL,
    articles     integer NOT NULL,
    sources      integer NOT NULL,
    PRIMARY KEY (day, country, admin1, event_type)
);

CREATE TABLE mart.daily_source_health (
    day                    date NOT NULL,
    source_id              text NOT NULL,
    polls                  integer NOT NULL,
    failed_polls           integer NOT NULL,
    items_polled           integer NOT NULL,
    new_articles           integer NOT NULL,
    extracted              integer NOT NULL,
    failed                 integer NOT NULL,
    duplicates             integer NOT NULL,
    median_latency_seconds double precision,
    PRIMARY KEY (day, source_id)
);

CREATE TABLE mart.daily_actor_activity (
    day          date NOT NULL,
    actor_code   text NOT NULL,
    role         text NOT NULL CHECK (role IN ('source', 'target')),
    event_type   text NOT NULL,
    events       integer NOT NULL,
    mentions     integer NOT NULL,
    PRIMARY KEY (day, actor_code, role, event_type)
);

-- Data checks run by newsflow_daily: one row per check and day, failures visible in the warehouse.
CREATE TABLE mart.data_check (
    day          date NOT NULL,
    check_name   text NOT NULL,
    passed       boolean NOT NULL,
    detail       text,
    PRIMARY KEY (day, check_name)
);
