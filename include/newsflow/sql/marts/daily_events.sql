-- mart.daily_events of %(event_days)s (the event days touched by mentions first seen in the days being
-- built), rebuilt from those days' events and their event mentions.
DELETE FROM mart.daily_events WHERE day = ANY(%(event_days)s);
INSERT INTO mart.daily_events (day, country, admin1, event_type, events, mentions, articles, sources)
SELECT e.event_date, coalesce(e.country, ''), coalesce(e.admin1, ''), e.event_type,
       count(DISTINCT e.event_id), count(m.mention_id), count(DISTINCT m.article_id), count(DISTINCT m.source_id)
-- core.event holds events only; their candidates (same key, below the cut) are not counted
FROM core.event e JOIN core.event_mention m ON m.event_id = e.event_id AND m.is_event
WHERE e.event_date = ANY(%(event_days)s)
GROUP BY 1, 2, 3, 4;
