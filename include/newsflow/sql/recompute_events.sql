-- Rebuild the merged events whose mentions changed, from their event mentions alone (so the result
-- does not depend on the order in which mentions arrived). Candidates (is_event false) never make or
-- keep an event: an event whose last event mention went is deleted.

-- An event whose mentions, or whose row and mentions, disagree on its day (a mention dated otherwise
-- than its key: another coder): its days are queued for the next daily run to rebuild whole. The daily
-- run finds an older day's touched rows from its mentions' days (sql/mart_scope.sql), which then miss
-- the day the event is counted on, before or after this rebuild.
WITH days AS (
    SELECT event_id, event_date AS day FROM core.event_mention
    WHERE event_id = ANY(%(event_ids)s) AND event_date IS NOT NULL
    UNION
    SELECT event_id, event_date FROM core.event WHERE event_id = ANY(%(event_ids)s) AND event_date IS NOT NULL
)
INSERT INTO core.event_day_changed (day)
SELECT DISTINCT day FROM days
WHERE event_id IN (SELECT event_id FROM days GROUP BY event_id HAVING count(*) > 1)
ON CONFLICT (day) DO NOTHING;
DELETE FROM core.event e
WHERE e.event_id = ANY(%(event_ids)s)
  AND NOT EXISTS (SELECT 1 FROM core.event_mention m WHERE m.event_id = e.event_id AND m.is_event);

INSERT INTO core.event (event_id, event_type, mode, event_date, date_precision, actor1_code, actor2_code,
    location_name, country, admin1, latitude, longitude, location_precision, num_mentions, num_articles,
    num_sources, first_seen, last_seen, confidence, sample_sentence)
SELECT rep.event_id, rep.event_type, rep.mode, rep.event_date, rep.date_precision, rep.actor1_code,
       rep.actor2_code, rep.location_name, rep.country, rep.admin1, rep.latitude, rep.longitude,
       rep.location_precision, agg.num_mentions, agg.num_articles, agg.num_sources, agg.first_seen,
       agg.last_seen, agg.confidence, rep.sentence
FROM (
    SELECT event_id, count(*) AS num_mentions, count(DISTINCT article_id) AS num_articles,
           count(DISTINCT source_id) AS num_sources, min(mentioned_at) AS first_seen,
           max(mentioned_at) AS last_seen, max(confidence) AS confidence
    FROM core.event_mention WHERE event_id = ANY(%(event_ids)s) AND is_event GROUP BY event_id
) agg
JOIN (
    -- the most confident mention speaks for the event's attributes
    SELECT DISTINCT ON (event_id) *
    FROM core.event_mention WHERE event_id = ANY(%(event_ids)s) AND is_event
    ORDER BY event_id, confidence DESC, mentioned_at, mention_id
) rep USING (event_id)
ON CONFLICT (event_id) DO UPDATE SET
    event_type = EXCLUDED.event_type, mode = EXCLUDED.mode, event_date = EXCLUDED.event_date,
    date_precision = EXCLUDED.date_precision, actor1_code = EXCLUDED.actor1_code,
    actor2_code = EXCLUDED.actor2_code, location_name = EXCLUDED.location_name, country = EXCLUDED.country,
    admin1 = EXCLUDED.admin1, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
    location_precision = EXCLUDED.location_precision, num_mentions = EXCLUDED.num_mentions,
    num_articles = EXCLUDED.num_articles, num_sources = EXCLUDED.num_sources,
    first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, confidence = EXCLUDED.confidence,
    sample_sentence = EXCLUDED.sample_sentence;
