-- The daily run recomputes, on older event days, the groups its mentions touch (sql/mart_scope.sql):
-- (day, country, type) in sql/marts/daily_events.sql and sql/checks/mart_totals_match_facts.sql, and
-- (day, actor, role, type) in sql/marts/daily_actor_activity_older.sql. This index reads those groups'
-- events (the latter: their day and type's) alone, not their whole days (measured at 10x history:
-- 0.9 ms against 4.4 ms for reading the days once and matching the groups). Its expressions are the
-- groups' as the event key normalises them (newsflow.dedup.event_key: trimmed, upper-case).
CREATE INDEX IF NOT EXISTS event_day_type_country
    ON core.event (event_date, upper(trim(event_type)), upper(trim(coalesce(country, ''))));
