-- mart.daily_actor_activity of %(event_days)s, rebuilt whole, and on older days the rows of the keys
-- (day, actor, role, type) the run's events can have left or entered there (mart_scope_key, written by
-- sql/mart_scope.sql), each rebuilt from its events; the older days' other rows are left as they are.
-- Two statements for both (each statement costs its round trip and plan): the rows deleted by day and
-- by the mart's primary key, the events read by day (event_date_idx) and by the keys' day and type
-- (event_mart_key, migration 016), not by the older days whole, whose rows grow with the history.
WITH touched AS MATERIALIZED (
    SELECT day, actor1_code AS actor_code, 'source' AS role, event_type
    FROM mart_scope_key WHERE actor1_code IS NOT NULL
    UNION
    SELECT day, actor2_code, 'target', event_type FROM mart_scope_key WHERE actor2_code IS NOT NULL
), whole_days AS (
    DELETE FROM mart.daily_actor_activity WHERE day = ANY(%(event_days)s)
)
DELETE FROM mart.daily_actor_activity d USING touched t
WHERE (d.day, d.actor_code, d.role, d.event_type) = (t.day, t.actor_code, t.role, t.event_type);
WITH touched AS MATERIALIZED (
    SELECT day, actor1_code AS actor_code, 'source' AS role, event_type
    FROM mart_scope_key WHERE actor1_code IS NOT NULL
    UNION
    SELECT day, actor2_code, 'target', event_type FROM mart_scope_key WHERE actor2_code IS NOT NULL
), events AS MATERIALIZED (
    SELECT event_date, actor1_code, actor2_code, event_type, num_mentions, true AS whole
    FROM core.event WHERE event_date = ANY(%(event_days)s)
    UNION ALL
    SELECT e.event_date, e.actor1_code, e.actor2_code, e.event_type, e.num_mentions, false
    FROM (SELECT DISTINCT day, event_type FROM touched) g
    JOIN core.event e ON e.event_date = g.day AND e.event_type = g.event_type
), roles AS (
    SELECT event_date, actor1_code AS actor_code, 'source' AS role, event_type, num_mentions, whole
    FROM events WHERE actor1_code IS NOT NULL
    UNION ALL
    SELECT event_date, actor2_code, 'target', event_type, num_mentions, whole
    FROM events WHERE actor2_code IS NOT NULL
)
INSERT INTO mart.daily_actor_activity (day, actor_code, role, event_type, events, mentions)
SELECT e.event_date, e.actor_code, e.role, e.event_type, count(*), sum(e.num_mentions)
FROM roles e
WHERE e.whole OR (e.event_date, e.actor_code, e.role, e.event_type) IN (SELECT * FROM touched)
GROUP BY 1, 2, 3, 4;
