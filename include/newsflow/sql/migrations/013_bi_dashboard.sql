-- newsflow warehouse: report views for dashboards (the Superset dashboard of `make bi`, and any BI tool)
-- and a read-only login for Superset.
--
-- A dashboard's filters (date range, language, event type) must apply across its charts, so the report
-- views share those column names: day, language, event_type. Events have no language of their own; an
-- event is reported in each language its mentions were written in, one row per event and language, and
-- charts count distinct event_id (an event reported in Arabic and English counts once without a language
-- filter). days_before_latest lets a chart show "the last 30 days" of the data the warehouse holds, so a
-- replay of past days draws the same charts as live collection.

-- ---------------------------------------------------------------------------------------------------
-- First-level divisions and their ISO 3166-2 codes (what map shapes are keyed by)
-- ---------------------------------------------------------------------------------------------------

CREATE VIEW bi.dim_admin1 AS
SELECT country, admin1, iso_code
FROM (VALUES
    -- Syria's 14 governorates, named as newsflow's gazetteer names them (data/places/admin1.yaml)
    ('SY', 'Al-Hasakah', 'SY-HA'), ('SY', 'Latakia', 'SY-LA'), ('SY', 'Quneitra', 'SY-QU'),
    ('SY', 'Raqqa', 'SY-RA'), ('SY', 'As-Suwayda', 'SY-SU'), ('SY', 'Daraa', 'SY-DR'),
    ('SY', 'Deir ez-Zor', 'SY-DY'), ('SY', 'Rif Dimashq', 'SY-RD'), ('SY', 'Aleppo', 'SY-HL'),
    ('SY', 'Hama', 'SY-HM'), ('SY', 'Homs', 'SY-HI'), ('SY', 'Idlib', 'SY-ID'),
    ('SY', 'Damascus', 'SY-DI'), ('SY', 'Tartus', 'SY-TA')
) AS divisions (country, admin1, iso_code);

COMMENT ON VIEW bi.dim_admin1 IS 'Dimension: first-level divisions with their ISO 3166-2 code, for maps keyed by it (Syria''s governorates). Key: country, admin1.';
COMMENT ON COLUMN bi.dim_admin1.country IS 'Country (ISO 3166-1 alpha-2), for example SY.';
COMMENT ON COLUMN bi.dim_admin1.admin1 IS 'First-level division as events name it (bi.fact_event, bi.daily_events), for example Aleppo.';
COMMENT ON COLUMN bi.dim_admin1.iso_code IS 'ISO 3166-2 code of the division, for example SY-HL (Aleppo).';


-- ---------------------------------------------------------------------------------------------------
-- Events by the languages they were reported in
-- ---------------------------------------------------------------------------------------------------

CREATE VIEW bi.event_report AS
WITH latest AS (
    SELECT max(event_date) AS day FROM core.event
),
languages AS (
    SELECT event_id, coalesce(language, '') AS language, count(*) AS mentions
    FROM core.event_mention
    GROUP BY 1, 2
)
SELECT e.event_id,
       e.event_date AS day,
       latest.day - e.event_date AS days_before_latest,
       e.event_type,
       t.quad_class,
       coalesce(e.country, '') AS country,
       coalesce(e.admin1, '') AS admin1,
       a.iso_code AS admin1_iso_code,
       coalesce(nullif(concat_ws(', ', e.location_name, nullif(e.admin1, e.location_name), e.country), ''),
                'unknown place') AS place,
       e.actor1_code AS actor1_key,
       e.actor2_code AS actor2_key,
       e.num_mentions,
       e.num_articles,
       e.num_sources,
       e.sample_sentence,
       l.language,
       l.mentions AS language_mentions
FROM core.event e
JOIN languages l USING (event_id)
CROSS JOIN latest
LEFT JOIN bi.dim_event_type t USING (event_type)
LEFT JOIN bi.dim_admin1 a ON a.country = e.country AND a.admin1 = e.admin1
WHERE e.event_date IS NOT NULL;

COMMENT ON VIEW bi.event_report IS 'Report: events with a known day, one row per event and language it was reported in; count distinct event_id. Key: event_id, language.';
COMMENT ON COLUMN bi.event_report.event_id IS 'Event key; joins bi.fact_event.event_id.';
COMMENT ON COLUMN bi.event_report.day IS 'Event day; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.event_report.days_before_latest IS 'Days between the event day and the newest event day in the warehouse (0 on the newest day): below 30 means within the last 30 days of data.';
COMMENT ON COLUMN bi.event_report.event_type IS 'PLOVER event type; joins bi.dim_event_type.event_type.';
COMMENT ON COLUMN bi.event_report.quad_class IS 'Broad class of the event type: verbal or material cooperation or conflict.';
COMMENT ON COLUMN bi.event_report.country IS 'Country of the event (ISO alpha-2); empty string when unknown.';
COMMENT ON COLUMN bi.event_report.admin1 IS 'First-level division of the event; empty string when unknown.';
COMMENT ON COLUMN bi.event_report.admin1_iso_code IS 'ISO 3166-2 code of the division (bi.dim_admin1), NULL when it has none there.';
COMMENT ON COLUMN bi.event_report.place IS 'Readable place: name, division and country joined by commas (unknown place when none is known).';
COMMENT ON COLUMN bi.event_report.actor1_key IS 'Source actor (who acts); joins bi.dim_actor.actor_key.';
COMMENT ON COLUMN bi.event_report.actor2_key IS 'Target actor (acted upon); joins bi.dim_actor.actor_key.';
COMMENT ON COLUMN bi.event_report.num_mentions IS 'Mentions of the event, in all languages.';
COMMENT ON COLUMN bi.event_report.num_articles IS 'Distinct articles mentioning the event, in all languages.';
COMMENT ON COLUMN bi.event_report.num_sources IS 'Distinct sources reporting the event, in all languages (2 or more: a multi-source story).';
COMMENT ON COLUMN bi.event_report.sample_sentence IS 'A sentence reporting the event.';
COMMENT ON COLUMN bi.event_report.language IS 'Language of the mentions of this row (ISO 639-1, for example en or ar); empty string when unknown.';
COMMENT ON COLUMN bi.event_report.language_mentions IS 'Mentions of the event in this language.';


CREATE VIEW bi.actor_report AS
SELECT r.event_id, r.day, r.days_before_latest, r.event_type, r.language, roles.role, roles.actor_key,
       d.label AS actor_label
FROM bi.event_report r
CROSS JOIN LATERAL (VALUES ('source', r.actor1_key), ('target', r.actor2_key)) AS roles (role, actor_key)
JOIN bi.dim_actor d USING (actor_key);

COMMENT ON VIEW bi.actor_report IS 'Report: actors of events, one row per event, language and actor role; count distinct event_id. Key: event_id, language, role.';
COMMENT ON COLUMN bi.actor_report.event_id IS 'Event key; joins bi.fact_event.event_id.';
COMMENT ON COLUMN bi.actor_report.day IS 'Event day; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.actor_report.days_before_latest IS 'Days between the event day and the newest event day in the warehouse (0 on the newest day).';
COMMENT ON COLUMN bi.actor_report.event_type IS 'PLOVER event type; joins bi.dim_event_type.event_type.';
COMMENT ON COLUMN bi.actor_report.language IS 'Language the event was reported in (ISO 639-1); empty string when unknown.';
COMMENT ON COLUMN bi.actor_report.role IS 'source (the actor acts) or target (the actor is acted upon).';
COMMENT ON COLUMN bi.actor_report.actor_key IS 'Actor code; joins bi.dim_actor.actor_key.';
COMMENT ON COLUMN bi.actor_report.actor_label IS 'Readable actor label (bi.dim_actor.label).';


-- ---------------------------------------------------------------------------------------------------
-- Source health per UTC day
-- ---------------------------------------------------------------------------------------------------

CREATE VIEW bi.source_report AS
WITH polls AS (
    SELECT feed_id AS source_id, (interval_end AT TIME ZONE 'UTC')::date AS day,
           count(*) AS polls,
           count(*) FILTER (WHERE status = 'error') AS failed_polls,
           max(interval_end) AS last_poll_at,
           max(interval_end) FILTER (WHERE status IN ('ok', 'not_modified')) AS last_ok_poll_at
    FROM raw.feed_poll
    WHERE status <> 'deferred'
    GROUP BY 1, 2
),
fetches AS (
    SELECT feed_id AS source_id, (interval_start AT TIME ZONE 'UTC')::date AS day,
           count(*) FILTER (WHERE status = 'error') AS failed_pages
    FROM raw.page_fetch
    GROUP BY 1, 2
),
articles AS (
    SELECT source_id, (first_seen_at AT TIME ZONE 'UTC')::date AS day,
           count(*) AS new_articles, max(first_seen_at) AS newest_article_at
    FROM core.article
    GROUP BY 1, 2
),
days AS (
    SELECT source_id, day FROM polls UNION SELECT source_id, day FROM articles
)
SELECT days.day, s.source_id, s.name AS source_name, s.language, s.enabled,
       coalesce(p.polls, 0) AS polls,
       coalesce(p.failed_polls, 0) AS failed_polls,
       coalesce(f.failed_pages, 0) AS failed_pages,
       coalesce(a.new_articles, 0) AS new_articles,
       p.last_poll_at,
       p.last_ok_poll_at,
       a.newest_article_at,
       (SELECT max(interval_end) FROM raw.feed_poll WHERE status <> 'deferred') AS latest_poll_at
FROM days
JOIN core.source s USING (source_id)
LEFT JOIN polls p USING (source_id, day)
LEFT JOIN fetches f USING (source_id, day)
LEFT JOIN articles a USING (source_id, day);

COMMENT ON VIEW bi.source_report IS 'Report: how each source was collected on each UTC day it was polled or gave articles, up to the latest poll (unlike bi.daily_source_health, which waits for newsflow_daily). Key: day, source_id.';
COMMENT ON COLUMN bi.source_report.day IS 'UTC day; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.source_report.source_id IS 'Source; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.source_report.source_name IS 'Human-readable name of the source.';
COMMENT ON COLUMN bi.source_report.language IS 'Main language of the source (ISO 639-1).';
COMMENT ON COLUMN bi.source_report.enabled IS 'Whether the source is currently polled.';
COMMENT ON COLUMN bi.source_report.polls IS 'Feed polls that ended that day (deferred polls, which did not reach the feed, left out).';
COMMENT ON COLUMN bi.source_report.failed_polls IS 'Of those, polls that failed (network or HTTP error, unreadable feed).';
COMMENT ON COLUMN bi.source_report.failed_pages IS 'Article page fetches that failed that day.';
COMMENT ON COLUMN bi.source_report.new_articles IS 'Articles first seen that day.';
COMMENT ON COLUMN bi.source_report.last_poll_at IS 'End of the data interval of the last poll that day (UTC timestamp), NULL when none.';
COMMENT ON COLUMN bi.source_report.last_ok_poll_at IS 'End of the data interval of the last poll that day that read the feed, NULL when none did.';
COMMENT ON COLUMN bi.source_report.newest_article_at IS 'When the newest article first seen that day was seen (UTC timestamp), NULL when none.';
COMMENT ON COLUMN bi.source_report.latest_poll_at IS 'End of the latest poll of any source in the warehouse: freshness is how far a source''s newest article lies behind it.';


-- ---------------------------------------------------------------------------------------------------
-- Superset's login: read-only, like newsflow_metabase, with its own limits
-- ---------------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'newsflow_superset') THEN
        BEGIN
            -- a documented default password: change it with ALTER ROLE newsflow_superset PASSWORD '...'
            CREATE ROLE newsflow_superset LOGIN PASSWORD 'newsflow_superset';
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;
GRANT newsflow_bi TO newsflow_superset;
-- read-only sessions on top of the role's SELECT-only grants: SQL Lab cannot even create temporary tables
ALTER ROLE newsflow_superset SET default_transaction_read_only = on;
ALTER ROLE newsflow_superset SET statement_timeout = '60s';
ALTER ROLE newsflow_superset SET lock_timeout = '5s';
ALTER ROLE newsflow_superset SET idle_in_transaction_session_timeout = '5min';
ALTER ROLE newsflow_superset CONNECTION LIMIT 10;

GRANT SELECT ON bi.dim_admin1, bi.event_report, bi.actor_report, bi.source_report TO newsflow_bi;
