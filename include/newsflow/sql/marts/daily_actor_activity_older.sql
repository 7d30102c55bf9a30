-- mart.daily_actor_activity on older days (%(partial_days)s, sql/mart_scope.sql): the rows of the
-- (day, actor, role, type) groups touched there, rebuilt from their events; the days' other rows are
-- left as they are. Run only when there are such days. The days' mart rows are read once and joined
-- to the groups (as in daily_events.sql).
WITH touched AS MATERIALIZED (
    SELECT * FROM unnest(%(touched_actor_days)s::date[], %(touched_actor_codes)s::text[],
                         %(touched_actor_roles)s::text[], %(touched_actor_types)s::text[]) AS g(day, actor_code, role, event_type)
), older_rows AS MATERIALIZED (
    SELECT day, actor_code, role, event_type FROM mart.daily_actor_activity WHERE day = ANY(%(partial_days)s)
)
DELETE FROM mart.daily_actor_activity d USING older_rows r, touched t
WHERE t.day = r.day AND t.actor_code = upper(trim(r.actor_code)) AND t.role = r.role
  AND t.event_type = upper(trim(r.event_type))
  AND (d.day, d.actor_code, d.role, d.event_type) = (r.day, r.actor_code, r.role, r.event_type);
WITH touched AS MATERIALIZED (
    SELECT * FROM unnest(%(touched_actor_days)s::date[], %(touched_actor_codes)s::text[],
                         %(touched_actor_roles)s::text[], %(touched_actor_types)s::text[]) AS g(day, actor_code, role, event_type)
), older_events AS MATERIALIZED (
    -- the events of the groups' days and types (index event_day_type_country, migration 015)
    SELECT e.event_date, e.actor1_code, e.actor2_code, e.event_type, e.num_mentions
    FROM (SELECT DISTINCT day, event_type FROM touched) g
    JOIN core.event e ON e.event_date = g.day AND upper(trim(e.event_type)) = g.event_type
), roles AS (
    SELECT event_date, actor1_code AS actor_code, 'source' AS role, event_type, num_mentions
    FROM older_events WHERE actor1_code IS NOT NULL
    UNION ALL
    SELECT event_date, actor2_code, 'target', event_type, num_mentions FROM older_events WHERE actor2_code IS NOT NULL
)
INSERT INTO mart.daily_actor_activity (day, actor_code, role, event_type, events, mentions)
SELECT e.event_date, e.actor_code, e.role, e.event_type, count(*), sum(e.num_mentions)
FROM roles e
JOIN touched t ON t.day = e.event_date AND t.actor_code = upper(trim(e.actor_code)) AND t.role = e.role
              AND t.event_type = upper(trim(e.event_type))
GROUP BY 1, 2, 3, 4;
