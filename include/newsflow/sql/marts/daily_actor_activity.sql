-- mart.daily_actor_activity of %(event_days)s, from those days' events. Only the rows that change are
-- written (as in daily_events.sql): a re-run writes nothing.
WITH fresh AS (
    SELECT event_date AS day, r.actor_code, r.role, event_type, count(*) AS events, sum(num_mentions) AS mentions
    FROM core.event
    CROSS JOIN LATERAL (VALUES (actor1_code, 'source'), (actor2_code, 'target')) AS r (actor_code, role)
    WHERE event_date = ANY(%(event_days)s) AND r.actor_code IS NOT NULL
    GROUP BY 1, 2, 3, 4
), gone AS (
    DELETE FROM mart.daily_actor_activity a
    WHERE a.day = ANY(%(event_days)s)
      AND (a.day, a.actor_code, a.role, a.event_type) NOT IN (SELECT day, actor_code, role, event_type FROM fresh)
)
INSERT INTO mart.daily_actor_activity AS a (day, actor_code, role, event_type, events, mentions)
SELECT day, actor_code, role, event_type, events, mentions FROM fresh
ON CONFLICT (day, actor_code, role, event_type) DO UPDATE SET events = EXCLUDED.events, mentions = EXCLUDED.mentions
WHERE (a.events, a.mentions) IS DISTINCT FROM (EXCLUDED.events, EXCLUDED.mentions);
