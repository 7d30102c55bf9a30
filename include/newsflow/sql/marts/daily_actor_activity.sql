-- mart.daily_actor_activity of %(event_days)s, the event days rebuilt whole (sql/mart_scope.sql; the
-- touched groups of older days: daily_actor_activity_older.sql), from those days' events.
DELETE FROM mart.daily_actor_activity WHERE day = ANY(%(event_days)s);
INSERT INTO mart.daily_actor_activity (day, actor_code, role, event_type, events, mentions)
SELECT event_date, actor_code, role, event_type, count(*), sum(num_mentions)
FROM (
    SELECT event_date, actor1_code AS actor_code, 'source' AS role, event_type, num_mentions
    FROM core.event WHERE actor1_code IS NOT NULL AND event_date = ANY(%(event_days)s)
    UNION ALL
    SELECT event_date, actor2_code, 'target', event_type, num_mentions
    FROM core.event WHERE actor2_code IS NOT NULL AND event_date = ANY(%(event_days)s)
) roles
GROUP BY 1, 2, 3, 4;
