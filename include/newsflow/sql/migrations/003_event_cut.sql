-- newsflow warehouse, version 3: events versus candidates.
--
-- Event coding gives every coded mention a calibrated confidence; one configured cut
-- (`event_cut` in include/config/events.yaml, read by newsflow.config.load_event_policy) decides which
-- mentions are events. Every mention stays in core.event_mention with its flag; only events are
-- merged into core.event, counted by bi.fact_event and the marts. Mentions below the cut are
-- candidates: kept and queryable in bi.fact_event_mention (is_event = false).
--
-- Mentions coded before this version have no flag: they are flagged against the default cut of that
-- time, 0.6 (the cut the events benchmark counted from). When the configured cut differs, the next
-- code_events or daily run re-flags them (see docs/warehouse.md, "Events and candidates").

ALTER TABLE core.event_mention ADD COLUMN is_event boolean;
UPDATE core.event_mention SET is_event = confidence >= 0.6::real;
ALTER TABLE core.event_mention ALTER COLUMN is_event SET NOT NULL;
-- re-flagging after a change of the cut reads only the mentions between the old and the new cut
CREATE INDEX event_mention_cut ON core.event_mention (is_event, confidence);

COMMENT ON COLUMN core.event_mention.is_event IS
    'True when the mention''s confidence is at or above the configured event cut (event_cut in include/config/events.yaml): an event, merged into core.event and counted by the marts. False: a candidate, kept here only.';
COMMENT ON COLUMN core.event_mention.confidence IS
    'Calibrated coding confidence, 0 to 1: the share of mentions coded at this confidence that a reader judges right.';
COMMENT ON COLUMN core.event_mention.event_id IS
    'Key of the event the mention merges into (deterministic, from date, type, place and actors); a core.event row exists for it only when at least one mention with that key is an event.';

-- core.event holds events only: merged from mentions at or above the cut. Candidates lose their
-- events; events keep their attributes (the most confident mention is always an event when the event
-- has one) and count their event mentions only.
DELETE FROM core.event e
WHERE NOT EXISTS (SELECT 1 FROM core.event_mention m WHERE m.event_id = e.event_id AND m.is_event);

UPDATE core.event e
SET num_mentions = c.num_mentions, num_articles = c.num_articles, num_sources = c.num_sources,
    first_seen = c.first_seen, last_seen = c.last_seen
FROM (
    SELECT event_id, count(*) AS num_mentions, count(DISTINCT article_id) AS num_articles,
           count(DISTINCT source_id) AS num_sources, min(mentioned_at) AS first_seen, max(mentioned_at) AS last_seen
    FROM core.event_mention WHERE is_event GROUP BY event_id
) c
WHERE c.event_id = e.event_id;

-- The event marts counted candidates: recount the days they hold from the events alone.
DELETE FROM mart.daily_events d
WHERE NOT EXISTS (SELECT 1 FROM core.event e
                  WHERE e.event_date = d.day AND coalesce(e.country, '') = d.country
                    AND coalesce(e.admin1, '') = d.admin1 AND e.event_type = d.event_type);
UPDATE mart.daily_events d
SET events = c.events, mentions = c.mentions, articles = c.articles, sources = c.sources
FROM (
    SELECT e.event_date AS day, coalesce(e.country, '') AS country, coalesce(e.admin1, '') AS admin1,
           e.event_type, count(DISTINCT e.event_id) AS events, count(*) AS mentions,
           count(DISTINCT m.article_id) AS articles, count(DISTINCT m.source_id) AS sources
    FROM core.event e JOIN core.event_mention m ON m.event_id = e.event_id AND m.is_event
    GROUP BY 1, 2, 3, 4
) c
WHERE (c.day, c.country, c.admin1, c.event_type) = (d.day, d.country, d.admin1, d.event_type);

DELETE FROM mart.daily_actor_activity a
WHERE NOT EXISTS (SELECT 1 FROM core.event e
                  WHERE e.event_date = a.day AND e.event_type = a.event_type
                    AND CASE a.role WHEN 'source' THEN e.actor1_code ELSE e.actor2_code END = a.actor_code);
UPDATE mart.daily_actor_activity a
SET events = c.events, mentions = c.mentions
FROM (
    SELECT event_date AS day, r.actor_code, r.role, event_type, count(*) AS events, sum(num_mentions) AS mentions
    FROM core.event
    CROSS JOIN LATERAL (VALUES (actor1_code, 'source'), (actor2_code, 'target')) AS r (actor_code, role)
    WHERE r.actor_code IS NOT NULL
    GROUP BY 1, 2, 3, 4
) c
WHERE (c.day, c.actor_code, c.role, c.event_type) = (a.day, a.actor_code, a.role, a.event_type);


-- ---------------------------------------------------------------------------------------------------
-- bi: every mention with its flag; events only in bi.fact_event and the daily aggregates
-- ---------------------------------------------------------------------------------------------------

CREATE OR REPLACE VIEW bi.fact_event_mention AS
SELECT mention_id,
       CASE WHEN is_event THEN event_id END AS event_id,
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
       (mentioned_at AT TIME ZONE 'UTC')::date AS mentioned_day,
       is_event
FROM core.event_mention;

COMMENT ON VIEW bi.fact_event_mention IS 'Fact: one row per coded mention of an event in an article version (as GDELT''s Mentions table), events (is_event) and candidates below the event cut alike. Grain: event x article x sentence. Key: mention_id.';
COMMENT ON COLUMN bi.fact_event_mention.event_id IS 'The deduplicated event this mention was merged into; joins bi.fact_event.event_id. NULL for a candidate (is_event false): candidates are never merged into events.';
COMMENT ON COLUMN bi.fact_event_mention.confidence IS 'Calibrated coding confidence of this mention, 0 to 1: the share of mentions coded at this confidence that a reader judges right.';
COMMENT ON COLUMN bi.fact_event_mention.is_event IS 'True when the mention is an event: its confidence is at or above the configured event cut (event_cut in include/config/events.yaml). False: a candidate, shown here but not counted by bi.fact_event or the daily aggregates.';

COMMENT ON VIEW bi.fact_event IS 'Fact: one row per deduplicated event, merged from the mentions at or above the event cut when date, type, place and actors agree (candidates below the cut are in bi.fact_event_mention only). Grain: event. Key: event_id.';
COMMENT ON COLUMN bi.fact_event.num_mentions IS 'Number of event mentions (sentences in articles, at or above the cut) merged into this event.';
COMMENT ON COLUMN bi.fact_event.num_articles IS 'Number of distinct articles with an event mention of the event.';
COMMENT ON COLUMN bi.fact_event.num_sources IS 'Number of distinct sources with an event mention of the event.';
COMMENT ON COLUMN bi.fact_event.confidence IS 'Highest calibrated coding confidence among the event''s mentions, 0 to 1 (at or above the event cut).';

COMMENT ON COLUMN bi.dim_actor.mentions IS 'Number of coded mentions (events and candidates) in which the actor appears, as source or target.';

COMMENT ON COLUMN bi.daily_events.events IS 'Number of deduplicated events (mentions at or above the event cut; candidates are not counted).';
COMMENT ON COLUMN bi.daily_events.mentions IS 'Number of event mentions of those events.';
COMMENT ON COLUMN bi.daily_events.articles IS 'Number of distinct articles with an event mention of those events.';
COMMENT ON COLUMN bi.daily_events.sources IS 'Number of distinct sources with an event mention of those events.';
COMMENT ON COLUMN bi.daily_actor_activity.events IS 'Number of deduplicated events (at or above the event cut) with the actor in that role.';
COMMENT ON COLUMN bi.daily_actor_activity.mentions IS 'Number of event mentions of those events.';

COMMENT ON COLUMN mart.daily_events.events IS 'Number of deduplicated events (core.event: mentions at or above the event cut).';
COMMENT ON COLUMN mart.daily_events.mentions IS 'Number of event mentions of those events (core.event_mention with is_event).';
COMMENT ON COLUMN mart.daily_events.articles IS 'Number of distinct articles with an event mention of those events.';
COMMENT ON COLUMN mart.daily_events.sources IS 'Number of distinct sources with an event mention of those events.';
COMMENT ON COLUMN mart.daily_actor_activity.events IS 'Number of deduplicated events (at or above the event cut).';
COMMENT ON COLUMN mart.daily_actor_activity.mentions IS 'Sum of those events'' event mentions.';

COMMENT ON TABLE core.event_mention IS 'One row per coded event mention in an article version, events (is_event) and candidates below the event cut.';
COMMENT ON TABLE core.event IS 'Deduplicated events: mentions at or above the event cut merged by date, type, place and actors; deterministic ids. Candidates never create a row.';
