-- newsflow warehouse, version 2: the `bi` schema, a star schema of stable views for BI tools
-- (Metabase, Superset), documented column by column, and a read-only role that can read it.
--
-- BI tools read `bi` (and `mart`) only. The views hide the core tables' layout, so the core may change
-- while the views keep their names, columns and meaning. The views run with their owner's rights: the
-- read-only role needs no access to `raw` or `core`.
CREATE SCHEMA IF NOT EXISTS bi;

COMMENT ON SCHEMA raw IS 'Landing tables: feed polls, feed items, raw pages and fetch attempts, as fetched.';
COMMENT ON SCHEMA core IS 'Cleaned entities: sources, articles and their versions, story clusters, event mentions, merged events.';
COMMENT ON SCHEMA mart IS 'Daily aggregates recomputed by newsflow_daily, and the outcome of its data checks.';
COMMENT ON SCHEMA bi IS 'Stable, documented star schema for BI tools: facts, dimensions and daily aggregates.';

-- A location key: the same place (country, first-level division, name) always gets the same key,
-- in every database and on every reload. NULL when the place is unknown altogether.
CREATE FUNCTION bi.location_key(country text, admin1 text, location_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN country IS NULL AND admin1 IS NULL AND location_name IS NULL THEN NULL
                ELSE md5(concat_ws('|', coalesce(country, ''), coalesce(admin1, ''), coalesce(location_name, '')))
           END
$$;
COMMENT ON FUNCTION bi.location_key(text, text, text) IS
    'Key of bi.dim_location for a (country, admin1, location name): md5 of the three joined by "|"; NULL when all are NULL.';

-- ---------------------------------------------------------------------------------------------------
-- Dimensions
-- ---------------------------------------------------------------------------------------------------

CREATE VIEW bi.dim_source AS
SELECT source_id, name, url, host, language, kind, enabled
FROM core.source;

COMMENT ON VIEW bi.dim_source IS 'Dimension: one row per configured news source (feed). Key: source_id.';
COMMENT ON COLUMN bi.dim_source.source_id IS 'Source key: the feed id from feeds.yaml (for example aljazeera_en).';
COMMENT ON COLUMN bi.dim_source.name IS 'Human-readable name of the source.';
COMMENT ON COLUMN bi.dim_source.url IS 'URL of the feed that is polled.';
COMMENT ON COLUMN bi.dim_source.host IS 'Web host of the source''s articles.';
COMMENT ON COLUMN bi.dim_source.language IS 'Main language of the source (ISO 639-1, for example en or ar).';
COMMENT ON COLUMN bi.dim_source.kind IS 'publisher (an outlet writing its own stories) or wire (a news agency whose stories others republish).';
COMMENT ON COLUMN bi.dim_source.enabled IS 'Whether the source is currently polled.';


CREATE VIEW bi.dim_location AS
WITH places AS (
    SELECT country, admin1, location_name, latitude, longitude, location_precision FROM core.event
    UNION ALL
    SELECT country, admin1, location_name, latitude, longitude, location_precision FROM core.event_mention
)
SELECT DISTINCT ON (location_key)
       bi.location_key(country, admin1, location_name) AS location_key,
       country, admin1, location_name, latitude, longitude, location_precision,
       concat_ws(', ', location_name, nullif(admin1, location_name), country) AS label
FROM places
WHERE bi.location_key(country, admin1, location_name) IS NOT NULL
-- one row per place: the most precise coordinates seen for it, ties broken by value so the choice is stable
ORDER BY location_key,
         CASE location_precision WHEN 'village' THEN 4 WHEN 'city' THEN 3 WHEN 'admin1' THEN 2
                                 WHEN 'country' THEN 1 ELSE 0 END DESC,
         latitude IS NULL, latitude, longitude;

COMMENT ON VIEW bi.dim_location IS 'Dimension: one row per distinct place where events happen. Key: location_key.';
COMMENT ON COLUMN bi.dim_location.location_key IS 'Location key: md5 of country|admin1|location_name (see bi.location_key); stable across reloads and databases.';
COMMENT ON COLUMN bi.dim_location.country IS 'Country of the place (ISO 3166-1 alpha-2 code, for example SY), NULL when unknown.';
COMMENT ON COLUMN bi.dim_location.admin1 IS 'First-level administrative division (governorate, province, state), NULL when unknown or not applicable.';
COMMENT ON COLUMN bi.dim_location.location_name IS 'Name of the place as resolved by the gazetteer (village, city, division or country).';
COMMENT ON COLUMN bi.dim_location.latitude IS 'Latitude in decimal degrees (WGS 84), NULL when the place has no coordinates.';
COMMENT ON COLUMN bi.dim_location.longitude IS 'Longitude in decimal degrees (WGS 84), NULL when the place has no coordinates.';
COMMENT ON COLUMN bi.dim_location.location_precision IS 'How precise the place is: village, city, admin1 or country.';
COMMENT ON COLUMN bi.dim_location.label IS 'Readable label: name, division and country joined by commas.';


CREATE VIEW bi.dim_actor AS
WITH roles AS (
    SELECT actor1_code AS actor_code, actor1_country AS country, actor1_sector AS sector, actor1_text AS actor_text
    FROM core.event_mention WHERE actor1_code IS NOT NULL
    UNION ALL
    SELECT actor2_code, actor2_country, actor2_sector, actor2_text
    FROM core.event_mention WHERE actor2_code IS NOT NULL
),
-- a code's country and sector: the combination seen most often (ties broken by value)
attributes AS (
    SELECT DISTINCT ON (actor_code) actor_code, country, sector
    FROM (SELECT actor_code, country, sector, count(*) AS n FROM roles GROUP BY 1, 2, 3) counted
    ORDER BY actor_code, n DESC, country NULLS LAST, sector NULLS LAST
),
-- the words articles use most often for the actor
common_text AS (
    SELECT DISTINCT ON (actor_code) actor_code, actor_text
    FROM (SELECT actor_code, actor_text, count(*) AS n FROM roles WHERE actor_text IS NOT NULL
          GROUP BY 1, 2) counted
    ORDER BY actor_code, n DESC, actor_text
),
mentions AS (
    SELECT actor_code, count(*) AS mentions FROM roles GROUP BY 1
),
sector_names (sector, sector_name) AS (VALUES
    ('GOV', 'government'), ('MIL', 'military'), ('COP', 'police and security forces'),
    ('SPY', 'intelligence services'), ('REB', 'rebels and armed groups'), ('OPP', 'political opposition'),
    ('UAF', 'unidentified armed attackers'), ('CVL', 'civilians'), ('REF', 'refugees and displaced people'),
    ('LEG', 'legislature'), ('JUD', 'judiciary'), ('MED', 'media'), ('BUS', 'business'),
    ('NGO', 'non-governmental organisations'), ('IGO', 'inter-governmental organisations')
)
SELECT a.actor_code AS actor_key, a.actor_code, a.country, a.sector, s.sector_name,
       CASE WHEN a.actor_code = concat(a.country, a.sector)        -- a generic actor: country + sector
            THEN coalesce(nullif(concat_ws(' ', a.country, s.sector_name), ''), a.actor_code)
            ELSE concat(a.actor_code, ' (' || s.sector_name || ')')  -- a named actor keeps its code
       END AS label,
       t.actor_text AS common_name, m.mentions
FROM attributes a
JOIN mentions m USING (actor_code)
LEFT JOIN common_text t USING (actor_code)
LEFT JOIN sector_names s USING (sector);

COMMENT ON VIEW bi.dim_actor IS 'Dimension: one row per actor code found in event mentions (as source or target). Key: actor_key.';
COMMENT ON COLUMN bi.dim_actor.actor_key IS 'Actor key: the actor code (facts join on actor1_key / actor2_key).';
COMMENT ON COLUMN bi.dim_actor.actor_code IS 'CAMEO/PLOVER-style actor code: country (ISO alpha-3) followed by sector, or a named actor''s own code (for example SYRMIL).';
COMMENT ON COLUMN bi.dim_actor.country IS 'Country of the actor (ISO 3166-1 alpha-3), NULL when not tied to a country.';
COMMENT ON COLUMN bi.dim_actor.sector IS 'Sector code: GOV, MIL, COP, SPY, REB, OPP, UAF, CVL, REF, LEG, JUD, MED, BUS, NGO or IGO.';
COMMENT ON COLUMN bi.dim_actor.sector_name IS 'The sector in words (for example military).';
COMMENT ON COLUMN bi.dim_actor.label IS 'Readable label: country and sector in words for a generic actor (for example SYR military); the code and its sector for a named actor (for example IGOUNO (inter-governmental organisations)).';
COMMENT ON COLUMN bi.dim_actor.common_name IS 'The words articles most often use for this actor (English or Arabic, as written).';
COMMENT ON COLUMN bi.dim_actor.mentions IS 'Number of event mentions in which the actor appears, as source or target.';


CREATE VIEW bi.dim_date AS
WITH bounds AS (
    -- 2000..2040, widened to whole months around any event or publication date outside it
    SELECT date_trunc('month', least(DATE '2000-01-01',
                                     (SELECT min(event_date) FROM core.event),
                                     (SELECT min((published_at AT TIME ZONE 'UTC')::date) FROM core.article)))::date
               AS first_day,
           (date_trunc('month', greatest(DATE '2040-12-31',
                                         (SELECT max(event_date) FROM core.event),
                                         (SELECT max((published_at AT TIME ZONE 'UTC')::date) FROM core.article)))
               + interval '1 month - 1 day')::date AS last_day
)
SELECT d::date AS day,
       extract(year FROM d)::integer AS year,
       extract(quarter FROM d)::integer AS quarter,
       extract(month FROM d)::integer AS month,
       to_char(d, 'FMMonth') AS month_name,
       date_trunc('month', d)::date AS month_start,
       extract(isoyear FROM d)::integer AS iso_year,
       extract(week FROM d)::integer AS iso_week,
       date_trunc('week', d)::date AS week_start,
       extract(day FROM d)::integer AS day_of_month,
       extract(isodow FROM d)::integer AS iso_weekday,
       to_char(d, 'FMDay') AS weekday_name,
       extract(isodow FROM d) IN (6, 7) AS is_weekend
FROM bounds, generate_series(bounds.first_day, bounds.last_day, interval '1 day') AS d;

COMMENT ON VIEW bi.dim_date IS 'Dimension: one row per calendar day from 2000-01-01 to 2040-12-31, widened to cover every event and publication date. Key: day.';
COMMENT ON COLUMN bi.dim_date.day IS 'Date key: the calendar day (facts join on their *_day columns).';
COMMENT ON COLUMN bi.dim_date.year IS 'Calendar year.';
COMMENT ON COLUMN bi.dim_date.quarter IS 'Calendar quarter, 1 to 4.';
COMMENT ON COLUMN bi.dim_date.month IS 'Calendar month, 1 to 12.';
COMMENT ON COLUMN bi.dim_date.month_name IS 'Month name in English (January..December).';
COMMENT ON COLUMN bi.dim_date.month_start IS 'First day of the month (to group by month).';
COMMENT ON COLUMN bi.dim_date.iso_year IS 'ISO 8601 week-numbering year (differs from year around New Year).';
COMMENT ON COLUMN bi.dim_date.iso_week IS 'ISO 8601 week number, 1 to 53.';
COMMENT ON COLUMN bi.dim_date.week_start IS 'Monday of the ISO week (to group by week).';
COMMENT ON COLUMN bi.dim_date.day_of_month IS 'Day of the month, 1 to 31.';
COMMENT ON COLUMN bi.dim_date.iso_weekday IS 'ISO weekday: 1 = Monday .. 7 = Sunday.';
COMMENT ON COLUMN bi.dim_date.weekday_name IS 'Weekday name in English (Monday..Sunday).';
COMMENT ON COLUMN bi.dim_date.is_weekend IS 'True on Saturday and Sunday.';


CREATE VIEW bi.dim_event_type AS
SELECT event_type, sort_order, quad_class, description
FROM (VALUES
    ('AGREE',      1, 'verbal cooperation',   'Says it will cooperate: agrees, promises, pledges or offers something.'),
    ('CONSULT',    2, 'verbal cooperation',   'Meets, visits, holds talks, negotiates or mediates between others.'),
    ('SUPPORT',    3, 'verbal cooperation',   'Backs another side in words or by signature: praise, endorsement, recognition, apology, a signed accord.'),
    ('COOPERATE',  4, 'material cooperation', 'Works together in practice: joint military, economic or judicial action, shared intelligence.'),
    ('AID',        5, 'material cooperation', 'Gives help: humanitarian, economic or military aid, protection, asylum.'),
    ('CONCEDE',    6, 'material cooperation', 'Gives way: eases restrictions or sanctions, meets demands, calls off a protest.'),
    ('RETREAT',    7, 'material cooperation', 'Steps back: releases prisoners or property, withdraws, disarms, declares a ceasefire, opens access.'),
    ('REQUEST',    8, 'verbal cooperation',   'Asks or demands that another side act: appeals, calls and demands.'),
    ('ACCUSE',     9, 'verbal conflict',      'Criticises, blames, accuses, sues or opens an investigation into another side.'),
    ('REJECT',    10, 'verbal conflict',      'Turns down a proposal, demand or cooperation; vetoes or defies.'),
    ('THREATEN',  11, 'verbal conflict',      'Warns of force, sanctions, restrictions or broken relations; sets an ultimatum.'),
    ('PROTEST',   12, 'material conflict',    'Political dissent in the street or workplace: demonstrations, rallies, strikes, boycotts, riots.'),
    ('SANCTION',  13, 'material conflict',    'Punishes without force: cuts relations, imposes sanctions or embargoes, halts aid, expels.'),
    ('MOBILIZE',  14, 'material conflict',    'Shows or builds up armed strength: deploys or reinforces troops or police, raises alert levels.'),
    ('COERCE',    15, 'material conflict',    'Imposes control: seizes land or property, arrests, detains, bans, deports, censors, declares curfew.'),
    ('ASSAULT',   16, 'material conflict',    'Uses violence: attacks, kills, bombs, shells, fights, abducts, tortures.')
) AS types (event_type, sort_order, quad_class, description);

COMMENT ON VIEW bi.dim_event_type IS 'Dimension: the 16 PLOVER event types. Key: event_type.';
COMMENT ON COLUMN bi.dim_event_type.event_type IS 'Event type key: the PLOVER type name in capitals (for example ASSAULT).';
COMMENT ON COLUMN bi.dim_event_type.sort_order IS 'Position in the PLOVER list, from cooperation to conflict (1..16), for ordering charts.';
COMMENT ON COLUMN bi.dim_event_type.quad_class IS 'Broad class: verbal cooperation, material cooperation, verbal conflict or material conflict.';
COMMENT ON COLUMN bi.dim_event_type.description IS 'What events of this type are, in one sentence.';


-- ---------------------------------------------------------------------------------------------------
-- Facts
-- ---------------------------------------------------------------------------------------------------

CREATE VIEW bi.fact_event AS
SELECT event_id,
       event_type,
       mode AS event_mode,
       event_date AS event_day,
       date_precision,
       bi.location_key(country, admin1, location_name) AS location_key,
       actor1_code AS actor1_key,
       actor2_code AS actor2_key,
       num_mentions,
       num_articles,
       num_sources,
       first_seen,
       last_seen,
       (first_seen AT TIME ZONE 'UTC')::date AS first_seen_day,
       confidence,
       sample_sentence
FROM core.event;

COMMENT ON VIEW bi.fact_event IS 'Fact: one row per deduplicated event (mentions merged when date, type, place and actors agree). Grain: event. Key: event_id.';
COMMENT ON COLUMN bi.fact_event.event_id IS 'Event key: deterministic id (uuid5) of date at its precision, type, place and actors, so reloads never duplicate an event.';
COMMENT ON COLUMN bi.fact_event.event_type IS 'PLOVER event type; joins bi.dim_event_type.event_type.';
COMMENT ON COLUMN bi.fact_event.event_mode IS 'PLOVER mode refining the type (for example visit or phone for CONSULT), NULL when none.';
COMMENT ON COLUMN bi.fact_event.event_day IS 'Day the event happened (first day of the month for month precision), NULL when unknown; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.fact_event.date_precision IS 'Precision of event_day: day, month or unknown.';
COMMENT ON COLUMN bi.fact_event.location_key IS 'Where the event happened; joins bi.dim_location.location_key; NULL when no place was found.';
COMMENT ON COLUMN bi.fact_event.actor1_key IS 'Source actor (who acts); joins bi.dim_actor.actor_key; NULL when unknown.';
COMMENT ON COLUMN bi.fact_event.actor2_key IS 'Target actor (who is acted upon); joins bi.dim_actor.actor_key; NULL when unknown.';
COMMENT ON COLUMN bi.fact_event.num_mentions IS 'Number of mentions (sentences in articles) merged into this event.';
COMMENT ON COLUMN bi.fact_event.num_articles IS 'Number of distinct articles mentioning the event.';
COMMENT ON COLUMN bi.fact_event.num_sources IS 'Number of distinct sources mentioning the event.';
COMMENT ON COLUMN bi.fact_event.first_seen IS 'When newsflow first saw an article mentioning the event (UTC timestamp).';
COMMENT ON COLUMN bi.fact_event.last_seen IS 'When newsflow last saw an article mentioning the event (UTC timestamp).';
COMMENT ON COLUMN bi.fact_event.first_seen_day IS 'UTC day of first_seen; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.fact_event.confidence IS 'Highest coding confidence among the mentions, 0 to 1.';
COMMENT ON COLUMN bi.fact_event.sample_sentence IS 'Sentence of the most confident mention, as an example of how the event was reported.';


CREATE VIEW bi.fact_event_mention AS
SELECT mention_id,
       event_id,
       article_id,
       source_id,
       article_version,
       event_type,
       mode AS event_mode,
       event_date AS event_day,
       date_precision,
       bi.location_key(country, admin1, location_name) AS location_key,
       actor1_code AS actor1_key,
       actor2_code AS actor2_key,
       actor1_text,
       actor2_text,
       sentence,
       trigger,
       confidence,
       is_root,
       language,
       mentioned_at,
       (mentioned_at AT TIME ZONE 'UTC')::date AS mentioned_day
FROM core.event_mention;

COMMENT ON VIEW bi.fact_event_mention IS 'Fact: one row per mention of an event in an article version (as GDELT''s Mentions table). Grain: event x article x sentence. Key: mention_id.';
COMMENT ON COLUMN bi.fact_event_mention.mention_id IS 'Mention key: deterministic id (uuid5) of article, version, sentence, type, trigger and actors.';
COMMENT ON COLUMN bi.fact_event_mention.event_id IS 'The deduplicated event this mention was merged into; joins bi.fact_event.event_id.';
COMMENT ON COLUMN bi.fact_event_mention.article_id IS 'The article containing the mention; joins bi.fact_article.article_id.';
COMMENT ON COLUMN bi.fact_event_mention.source_id IS 'Source of the article; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.fact_event_mention.article_version IS 'Version of the article the mention was coded from (1 for the first text seen).';
COMMENT ON COLUMN bi.fact_event_mention.event_type IS 'PLOVER event type; joins bi.dim_event_type.event_type.';
COMMENT ON COLUMN bi.fact_event_mention.event_mode IS 'PLOVER mode refining the type, NULL when none.';
COMMENT ON COLUMN bi.fact_event_mention.event_day IS 'Day the event happened according to this mention, NULL when unknown; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.fact_event_mention.date_precision IS 'Precision of event_day: day, month or unknown.';
COMMENT ON COLUMN bi.fact_event_mention.location_key IS 'Place named by this mention; joins bi.dim_location.location_key; NULL when none.';
COMMENT ON COLUMN bi.fact_event_mention.actor1_key IS 'Source actor code; joins bi.dim_actor.actor_key; NULL when unknown.';
COMMENT ON COLUMN bi.fact_event_mention.actor2_key IS 'Target actor code; joins bi.dim_actor.actor_key; NULL when unknown.';
COMMENT ON COLUMN bi.fact_event_mention.actor1_text IS 'Words naming the source actor in the sentence.';
COMMENT ON COLUMN bi.fact_event_mention.actor2_text IS 'Words naming the target actor in the sentence.';
COMMENT ON COLUMN bi.fact_event_mention.sentence IS 'The sentence reporting the event.';
COMMENT ON COLUMN bi.fact_event_mention.trigger IS 'The word or phrase that signalled the event type.';
COMMENT ON COLUMN bi.fact_event_mention.confidence IS 'Coding confidence of this mention, 0 to 1.';
COMMENT ON COLUMN bi.fact_event_mention.is_root IS 'True when the sentence is in the article''s lead paragraph (as GDELT''s IsRootEvent).';
COMMENT ON COLUMN bi.fact_event_mention.language IS 'Language of the sentence (ISO 639-1).';
COMMENT ON COLUMN bi.fact_event_mention.mentioned_at IS 'When newsflow first saw the article (UTC timestamp).';
COMMENT ON COLUMN bi.fact_event_mention.mentioned_day IS 'UTC day of mentioned_at; joins bi.dim_date.day.';


CREATE VIEW bi.fact_article AS
SELECT article_id,
       source_id,
       cluster_id,
       canonical_url,
       title,
       language,
       kind AS article_kind,
       section,
       array_to_string(authors, ', ') AS authors,
       array_to_string(agencies, ', ') AS agencies,
       array_to_string(tags, ', ') AS tags,
       published_at,
       (published_at AT TIME ZONE 'UTC')::date AS published_day,
       updated_at,
       first_seen_at,
       (first_seen_at AT TIME ZONE 'UTC')::date AS first_seen_day,
       extract(epoch FROM first_seen_at - published_at)::double precision AS latency_seconds,
       version,
       word_count,
       duplicate_of,
       duplicate_kind,
       duplicate_of IS NOT NULL AS is_duplicate,
       similarity
FROM core.article;

COMMENT ON VIEW bi.fact_article IS 'Fact: one row per article, that is per canonical URL, with its latest version. Grain: canonical URL. Key: article_id.';
COMMENT ON COLUMN bi.fact_article.article_id IS 'Article key: deterministic id (uuid5) of the canonical URL.';
COMMENT ON COLUMN bi.fact_article.source_id IS 'Source that published the article; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.fact_article.cluster_id IS 'Story cluster of exact and near-duplicate articles; joins bi.story_cluster.cluster_id.';
COMMENT ON COLUMN bi.fact_article.canonical_url IS 'Canonical URL: tracking parameters, AMP and mobile hosts removed, redirects followed.';
COMMENT ON COLUMN bi.fact_article.title IS 'Headline of the latest version.';
COMMENT ON COLUMN bi.fact_article.language IS 'Language of the text (ISO 639-1), detected or declared.';
COMMENT ON COLUMN bi.fact_article.article_kind IS 'Kind of page: article, liveblog, video or gallery.';
COMMENT ON COLUMN bi.fact_article.section IS 'Section of the site the article belongs to, when declared.';
COMMENT ON COLUMN bi.fact_article.authors IS 'Bylines, comma-separated.';
COMMENT ON COLUMN bi.fact_article.agencies IS 'News agencies credited (for example Reuters, AFP), comma-separated.';
COMMENT ON COLUMN bi.fact_article.tags IS 'Topic tags declared by the page, comma-separated.';
COMMENT ON COLUMN bi.fact_article.published_at IS 'Publication time declared by the source (UTC timestamp), NULL when absent.';
COMMENT ON COLUMN bi.fact_article.published_day IS 'UTC day of published_at; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.fact_article.updated_at IS 'Last modification time declared by the source, NULL when absent.';
COMMENT ON COLUMN bi.fact_article.first_seen_at IS 'When newsflow first stored the article (UTC timestamp).';
COMMENT ON COLUMN bi.fact_article.first_seen_day IS 'UTC day of first_seen_at; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.fact_article.latency_seconds IS 'Seconds from publication to first being seen by newsflow, NULL without a publication time.';
COMMENT ON COLUMN bi.fact_article.version IS 'Number of distinct texts seen at this URL: a changed body adds a version, never a second article.';
COMMENT ON COLUMN bi.fact_article.word_count IS 'Words in the latest text.';
COMMENT ON COLUMN bi.fact_article.duplicate_of IS 'The earlier article this one duplicates (exact or near), NULL for a cluster''s first member; joins bi.fact_article.article_id.';
COMMENT ON COLUMN bi.fact_article.duplicate_kind IS 'exact (same normalised text) or near (MinHash similarity), NULL when not a duplicate.';
COMMENT ON COLUMN bi.fact_article.is_duplicate IS 'True when the article duplicates an earlier one.';
COMMENT ON COLUMN bi.fact_article.similarity IS 'Estimated Jaccard similarity to duplicate_of (1 for exact duplicates), NULL when not a duplicate.';


CREATE VIEW bi.story_cluster AS
SELECT cluster_id, first_article_id, title, first_seen, last_seen,
       (first_seen AT TIME ZONE 'UTC')::date AS first_seen_day, n_articles, n_sources
FROM core.story_cluster;

COMMENT ON VIEW bi.story_cluster IS 'One row per story: articles that are exact or near duplicates of each other, across sources (a wire story and its republications). Key: cluster_id.';
COMMENT ON COLUMN bi.story_cluster.cluster_id IS 'Story cluster key.';
COMMENT ON COLUMN bi.story_cluster.first_article_id IS 'The cluster''s first article (earliest published); joins bi.fact_article.article_id.';
COMMENT ON COLUMN bi.story_cluster.title IS 'Headline of the first article.';
COMMENT ON COLUMN bi.story_cluster.first_seen IS 'When newsflow first saw an article of the story (UTC timestamp).';
COMMENT ON COLUMN bi.story_cluster.last_seen IS 'When newsflow last saw a new article of the story (UTC timestamp).';
COMMENT ON COLUMN bi.story_cluster.first_seen_day IS 'UTC day of first_seen; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.story_cluster.n_articles IS 'Number of articles in the story.';
COMMENT ON COLUMN bi.story_cluster.n_sources IS 'Number of distinct sources carrying the story.';


-- ---------------------------------------------------------------------------------------------------
-- Daily aggregates (over the marts newsflow_daily recomputes)
-- ---------------------------------------------------------------------------------------------------

CREATE VIEW bi.daily_events AS
SELECT day, country, admin1, event_type, events, mentions, articles, sources
FROM mart.daily_events;

COMMENT ON VIEW bi.daily_events IS 'Daily aggregate: events per event day, country, first-level division and event type. Grain: day x country x admin1 x event_type.';
COMMENT ON COLUMN bi.daily_events.day IS 'Event day (events without a known date are not counted); joins bi.dim_date.day.';
COMMENT ON COLUMN bi.daily_events.country IS 'Country of the events (ISO alpha-2); empty string when unknown.';
COMMENT ON COLUMN bi.daily_events.admin1 IS 'First-level division of the events; empty string when unknown.';
COMMENT ON COLUMN bi.daily_events.event_type IS 'PLOVER event type; joins bi.dim_event_type.event_type.';
COMMENT ON COLUMN bi.daily_events.events IS 'Number of deduplicated events.';
COMMENT ON COLUMN bi.daily_events.mentions IS 'Number of mentions of those events.';
COMMENT ON COLUMN bi.daily_events.articles IS 'Number of distinct articles mentioning those events.';
COMMENT ON COLUMN bi.daily_events.sources IS 'Number of distinct sources mentioning those events.';


CREATE VIEW bi.daily_source_health AS
SELECT day, source_id, polls, failed_polls, items_polled, new_articles, extracted, failed, duplicates,
       median_latency_seconds
FROM mart.daily_source_health;

COMMENT ON VIEW bi.daily_source_health IS 'Daily aggregate: how each source was collected on a day (UTC). Grain: day x source.';
COMMENT ON COLUMN bi.daily_source_health.day IS 'UTC day; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.daily_source_health.source_id IS 'Source; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.daily_source_health.polls IS 'Feed polls made that day.';
COMMENT ON COLUMN bi.daily_source_health.failed_polls IS 'Feed polls that failed (network or HTTP error, unreadable feed).';
COMMENT ON COLUMN bi.daily_source_health.items_polled IS 'Feed items read, summed over polls (an item seen in several polls counts each time).';
COMMENT ON COLUMN bi.daily_source_health.new_articles IS 'Articles first seen that day.';
COMMENT ON COLUMN bi.daily_source_health.extracted IS 'Pages fetched that day whose text was extracted.';
COMMENT ON COLUMN bi.daily_source_health.failed IS 'Page fetches and extractions that failed that day.';
COMMENT ON COLUMN bi.daily_source_health.duplicates IS 'New articles that duplicate an earlier article (exact or near).';
COMMENT ON COLUMN bi.daily_source_health.median_latency_seconds IS 'Median seconds from publication to first being seen, over new articles with a publication time.';


CREATE VIEW bi.daily_actor_activity AS
SELECT day, actor_code AS actor_key, role, event_type, events, mentions
FROM mart.daily_actor_activity;

COMMENT ON VIEW bi.daily_actor_activity IS 'Daily aggregate: events per event day, actor, role and event type. Grain: day x actor x role x event_type.';
COMMENT ON COLUMN bi.daily_actor_activity.day IS 'Event day; joins bi.dim_date.day.';
COMMENT ON COLUMN bi.daily_actor_activity.actor_key IS 'Actor code; joins bi.dim_actor.actor_key.';
COMMENT ON COLUMN bi.daily_actor_activity.role IS 'source (the actor acts) or target (the actor is acted upon).';
COMMENT ON COLUMN bi.daily_actor_activity.event_type IS 'PLOVER event type; joins bi.dim_event_type.event_type.';
COMMENT ON COLUMN bi.daily_actor_activity.events IS 'Number of deduplicated events with the actor in that role.';
COMMENT ON COLUMN bi.daily_actor_activity.mentions IS 'Number of mentions of those events.';


CREATE VIEW bi.data_check AS
SELECT day, check_name, passed, detail
FROM mart.data_check;

COMMENT ON VIEW bi.data_check IS 'Outcome of the SQL data checks newsflow_daily runs for each day (a failed check also fails the run). Grain: day x check.';
COMMENT ON COLUMN bi.data_check.day IS 'The day newsflow_daily recomputed.';
COMMENT ON COLUMN bi.data_check.check_name IS 'event_has_mention, mart_totals_match_facts or no_future_dates.';
COMMENT ON COLUMN bi.data_check.passed IS 'True when the check passed.';
COMMENT ON COLUMN bi.data_check.detail IS 'What the check counted (for example "0 event(s) without a mention").';


-- ---------------------------------------------------------------------------------------------------
-- The marts' own documentation (also part of the data dictionary)
-- ---------------------------------------------------------------------------------------------------

COMMENT ON TABLE mart.daily_events IS 'Events per event day, country, admin1 and event type; recomputed by newsflow_daily for the event days it touched.';
COMMENT ON COLUMN mart.daily_events.day IS 'Event day.';
COMMENT ON COLUMN mart.daily_events.country IS 'Country (ISO alpha-2) of the events; empty string when unknown.';
COMMENT ON COLUMN mart.daily_events.admin1 IS 'First-level division of the events; empty string when unknown.';
COMMENT ON COLUMN mart.daily_events.event_type IS 'PLOVER event type.';
COMMENT ON COLUMN mart.daily_events.events IS 'Number of deduplicated events (core.event).';
COMMENT ON COLUMN mart.daily_events.mentions IS 'Number of mentions of those events (core.event_mention).';
COMMENT ON COLUMN mart.daily_events.articles IS 'Number of distinct articles mentioning those events.';
COMMENT ON COLUMN mart.daily_events.sources IS 'Number of distinct sources mentioning those events.';

COMMENT ON TABLE mart.daily_source_health IS 'Collection health per UTC day and source; recomputed by newsflow_daily for its day and the days it revisits.';
COMMENT ON COLUMN mart.daily_source_health.day IS 'UTC day.';
COMMENT ON COLUMN mart.daily_source_health.source_id IS 'Source (core.source.source_id).';
COMMENT ON COLUMN mart.daily_source_health.polls IS 'Feed polls made that day (raw.feed_poll).';
COMMENT ON COLUMN mart.daily_source_health.failed_polls IS 'Feed polls with status error.';
COMMENT ON COLUMN mart.daily_source_health.items_polled IS 'Feed items read, summed over polls.';
COMMENT ON COLUMN mart.daily_source_health.new_articles IS 'Articles first seen that day.';
COMMENT ON COLUMN mart.daily_source_health.extracted IS 'Pages fetched that day and extracted successfully.';
COMMENT ON COLUMN mart.daily_source_health.failed IS 'Failed page fetches plus failed extractions.';
COMMENT ON COLUMN mart.daily_source_health.duplicates IS 'New articles marked as duplicates of an earlier article.';
COMMENT ON COLUMN mart.daily_source_health.median_latency_seconds IS 'Median publish-to-first-seen latency of new articles, in seconds.';

COMMENT ON TABLE mart.daily_actor_activity IS 'Events per event day, actor code, role and event type; recomputed by newsflow_daily for the event days it touched.';
COMMENT ON COLUMN mart.daily_actor_activity.day IS 'Event day.';
COMMENT ON COLUMN mart.daily_actor_activity.actor_code IS 'Actor code (country alpha-3 plus sector, or a named actor''s code).';
COMMENT ON COLUMN mart.daily_actor_activity.role IS 'source (actor1, who acts) or target (actor2, acted upon).';
COMMENT ON COLUMN mart.daily_actor_activity.event_type IS 'PLOVER event type.';
COMMENT ON COLUMN mart.daily_actor_activity.events IS 'Number of deduplicated events.';
COMMENT ON COLUMN mart.daily_actor_activity.mentions IS 'Sum of those events'' mentions.';

COMMENT ON TABLE mart.data_check IS 'One row per data check and day run by newsflow_daily; a failed check fails the run and stays visible here.';
COMMENT ON COLUMN mart.data_check.day IS 'The day newsflow_daily recomputed.';
COMMENT ON COLUMN mart.data_check.check_name IS 'Name of the check (a file in sql/checks/).';
COMMENT ON COLUMN mart.data_check.passed IS 'True when the check passed.';
COMMENT ON COLUMN mart.data_check.detail IS 'What the check counted.';

-- Core tables: what each holds (their columns are documented on the bi views built over them).
COMMENT ON TABLE core.source IS 'One row per configured feed, synced from include/config/feeds.yaml on every run.';
COMMENT ON TABLE core.article IS 'One article per canonical URL, with the fields of its latest version; dedup links (cluster, duplicate_of).';
COMMENT ON TABLE core.article_version IS 'Every distinct text seen at an article''s URL: version 1, 2, ... (a changed body is a new version).';
COMMENT ON TABLE core.page_extraction IS 'Outcome of extracting each stored page, errors kept.';
COMMENT ON TABLE core.article_signature IS 'MinHash signature of each article, kept so later articles are compared with recent days.';
COMMENT ON TABLE core.article_lsh IS 'LSH band keys of each article''s signature: candidates for near-duplicate matching.';
COMMENT ON TABLE core.story_cluster IS 'Stories: exact and near-duplicate articles grouped across sources.';
COMMENT ON TABLE core.event_mention IS 'One row per event mention in an article version.';
COMMENT ON TABLE core.event IS 'Deduplicated events: mentions merged by date, type, place and actors; deterministic ids.';
COMMENT ON TABLE raw.feed_poll IS 'One row per feed poll and data interval.';
COMMENT ON TABLE raw.sitemap_poll IS 'One row per source and archived day read from its date sitemap.';
COMMENT ON TABLE raw.feed_item IS 'Feed entries as read, one per feed and guid.';
COMMENT ON TABLE raw.page IS 'Raw HTML (gzip), one row per canonical URL and content hash.';
COMMENT ON TABLE raw.page_fetch IS 'Every page fetch attempt per data interval, failures included.';


-- ---------------------------------------------------------------------------------------------------
-- Read-only access for BI tools
-- ---------------------------------------------------------------------------------------------------

-- Roles belong to the whole cluster: create them only when absent, so a second warehouse database on
-- the same cluster migrates cleanly (and two migrating at once do not fail on each other).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'newsflow_bi') THEN
        BEGIN
            CREATE ROLE newsflow_bi NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'newsflow_metabase') THEN
        BEGIN
            -- a documented default password: change it with ALTER ROLE newsflow_metabase PASSWORD '...'
            CREATE ROLE newsflow_metabase LOGIN PASSWORD 'newsflow_metabase';
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO newsflow_bi', current_database());
END
$$;
COMMENT ON ROLE newsflow_bi IS 'newsflow: read-only access to the bi and mart schemas, for BI tools.';
GRANT newsflow_bi TO newsflow_metabase;

GRANT USAGE ON SCHEMA bi, mart TO newsflow_bi;
GRANT SELECT ON ALL TABLES IN SCHEMA bi, mart TO newsflow_bi;
ALTER DEFAULT PRIVILEGES IN SCHEMA bi, mart GRANT SELECT ON TABLES TO newsflow_bi;
