-- mart.daily_events of %(event_days)s (the event days touched by mentions first seen in the days being
-- built), from those days' events and their event mentions. The mentions are read by their events' keys
-- (index event_mention_event): joined by the planner, they were all read, the whole history. Only the
-- rows that change are written (measured at 10x history: 39 ms against 48 ms for a delete and an
-- insert of the days with the same reads; the actor mart, with no mention to read, gained nothing).
WITH days_events AS MATERIALIZED (
    SELECT event_id, event_date, coalesce(country, '') AS country, coalesce(admin1, '') AS admin1, event_type
    FROM core.event WHERE event_date = ANY(%(event_days)s)
), fresh AS (
    SELECT e.event_date AS day, e.country, e.admin1, e.event_type, count(DISTINCT e.event_id) AS events,
           count(m.mention_id) AS mentions, count(DISTINCT m.article_id) AS articles,
           count(DISTINCT m.source_id) AS sources
    -- core.event holds events only; their candidates (same key, below the cut) are not counted
    FROM days_events e JOIN core.event_mention m ON m.event_id = e.event_id AND m.is_event
    WHERE m.event_id = ANY(ARRAY(SELECT event_id FROM days_events))
    GROUP BY 1, 2, 3, 4
), gone AS (
    DELETE FROM mart.daily_events d
    WHERE d.day = ANY(%(event_days)s)
      AND (d.day, d.country, d.admin1, d.event_type) NOT IN (SELECT day, country, admin1, event_type FROM fresh)
)
INSERT INTO mart.daily_events AS d (day, country, admin1, event_type, events, mentions, articles, sources)
SELECT day, country, admin1, event_type, events, mentions, articles, sources FROM fresh
ON CONFLICT (day, country, admin1, event_type) DO UPDATE SET
    events = EXCLUDED.events, mentions = EXCLUDED.mentions, articles = EXCLUDED.articles, sources = EXCLUDED.sources
WHERE (d.events, d.mentions, d.articles, d.sources)
      IS DISTINCT FROM (EXCLUDED.events, EXCLUDED.mentions, EXCLUDED.articles, EXCLUDED.sources);
