-- The daily run recomputes, on older event days, the (day, country, type) groups its mentions touch
-- (sql/mart_scope.sql, sql/marts/daily_events.sql, sql/checks/mart_totals_match_facts.sql): this index
-- reads those groups' events alone, not their whole days (measured at 10x history: 0.9 ms against 4.4
-- ms for reading the days once and matching the groups). Its expressions are the groups' as the event
-- key normalises them (newsflow.dedup.event_key: trimmed, upper-case).
CREATE INDEX IF NOT EXISTS event_day_country_type
    ON core.event (event_date, upper(trim(coalesce(country, ''))), upper(trim(event_type)));
