-- mart.daily_actor_activity on older days: the rows of the keys (day, actor, role, type) the run's
-- events can have left or entered there (mart_scope_key, written by sql/mart_scope.sql), rebuilt from
-- their events; the days' other rows are left as they are. Run only when there are such keys. The rows
-- are deleted by the mart's primary key, and the keys' events read by their day and type (index
-- event_mart_key, migration 016), not by their whole days, whose rows grow with the history.
WITH touched AS MATERIALIZED (
    SELECT day, actor1_code AS actor_code, 'source' AS role, event_type FROM mart_scope_key WHERE actor1_code IS NOT NULL
    UNION
    SELECT day, actor2_code, 'target', event_type FROM mart_scope_key WHERE actor2_code IS NOT NULL
)
DELETE FROM mart.daily_actor_activity d USING touched t
WHERE (d.day, d.actor_code, d.role, d.event_type) = (t.day, t.actor_code, t.role, t.event_type);
WITH touched AS MATERIALIZED (
    SELECT day, actor1_code AS actor_code, 'source' AS role, event_type FROM mart_scope_key WHERE actor1_code IS NOT NULL
    UNION
    SELECT day, actor2_code, 'target', event_type FROM mart_scope_key WHERE actor2_code IS NOT NULL
), older_events AS MATERIALIZED (
    SELECT e.event_date, e.actor1_code, e.actor2_code, e.event_type, e.num_mentions
    FROM (SELECT DISTINCT day, event_type FROM touched) g
    JOIN core.event e ON e.event_date = g.day AND e.event_type = g.event_type
), roles AS (
    SELECT event_date, actor1_code AS actor_code, 'source' AS role, event_type, num_mentions
    FROM older_events WHERE actor1_code IS NOT NULL
    UNION ALL
    SELECT event_date, actor2_code, 'target', event_type, num_mentions FROM older_events WHERE actor2_code IS NOT NULL
)
INSERT INTO mart.daily_actor_activity (day, actor_code, role, event_type, events, mentions)
SELECT e.event_date, e.actor_code, e.role, e.event_type, count(*), sum(e.num_mentions)
FROM roles e
JOIN touched t ON (t.day, t.actor_code, t.role, t.event_type) = (e.event_date, e.actor_code, e.role, e.event_type)
GROUP BY 1, 2, 3, 4;
