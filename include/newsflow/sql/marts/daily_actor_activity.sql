-- mart.daily_actor_activity of %(event_days)s, whole, and of the (day, actor, role, type) groups touched
-- on older days (%(partial_days)s, sql/mart_scope.sql), rebuilt from their events.
DELETE FROM mart.daily_actor_activity
WHERE day = ANY(%(event_days)s)
   OR (day = ANY(%(partial_days)s)
       AND (day, upper(trim(actor_code)), role, upper(trim(event_type))) IN (
           SELECT * FROM unnest(%(touched_actor_days)s::date[], %(touched_actor_codes)s::text[],
                                %(touched_actor_roles)s::text[], %(touched_actor_types)s::text[])));
INSERT INTO mart.daily_actor_activity (day, actor_code, role, event_type, events, mentions)
SELECT event_date, actor_code, role, event_type, count(*), sum(num_mentions)
FROM (
    SELECT event_date, actor1_code AS actor_code, 'source' AS role, event_type, num_mentions
    FROM core.event WHERE actor1_code IS NOT NULL AND event_date = ANY(%(event_days)s::date[] || %(partial_days)s::date[])
    UNION ALL
    SELECT event_date, actor2_code, 'target', event_type, num_mentions
    FROM core.event WHERE actor2_code IS NOT NULL AND event_date = ANY(%(event_days)s::date[] || %(partial_days)s::date[])
) roles
WHERE event_date = ANY(%(event_days)s)
   OR (event_date, upper(trim(actor_code)), role, upper(trim(event_type))) IN (
       SELECT * FROM unnest(%(touched_actor_days)s::date[], %(touched_actor_codes)s::text[],
                            %(touched_actor_roles)s::text[], %(touched_actor_types)s::text[]))
GROUP BY 1, 2, 3, 4;
