-- The BI tables `newsflow export` writes to files, each filtered to a day range: name, then query.
-- Parameters: %(day_from)s, %(day_to)s (inclusive). Only what BI tools read (the bi views).
-- name: daily_events
SELECT * FROM bi.daily_events WHERE day BETWEEN %(day_from)s AND %(day_to)s
ORDER BY day, country, admin1, event_type;
-- name: daily_actor_activity
SELECT * FROM bi.daily_actor_activity WHERE day BETWEEN %(day_from)s AND %(day_to)s
ORDER BY day, actor_key, role, event_type;
-- name: daily_source_health
SELECT * FROM bi.daily_source_health WHERE day BETWEEN %(day_from)s AND %(day_to)s
ORDER BY day, source_id;
-- name: fact_event
SELECT * FROM bi.fact_event WHERE event_day BETWEEN %(day_from)s AND %(day_to)s
ORDER BY event_day, event_id;
