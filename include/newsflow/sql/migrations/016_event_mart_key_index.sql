-- The daily run recomputes, on older event days, the exact mart keys its events can have left or
-- entered (sql/mart_scope.sql): (day, country, admin1, type) in sql/marts/daily_events.sql and
-- sql/checks/mart_totals_match_facts.sql, and (day, actor, role, type) in
-- sql/marts/daily_actor_activity.sql (by this index's first two columns). Its expressions are
-- the mart's key as the marts spell it (core.event's values, a missing place as ''). It replaces
-- migration 015's index of the normalised (day, type, country), whose groups took every admin1 of a
-- country: at 10x history, most of an older day's events.
CREATE INDEX IF NOT EXISTS event_mart_key
    ON core.event (event_date, event_type, coalesce(country, ''), coalesce(admin1, ''));
DROP INDEX IF EXISTS core.event_day_type_country;
COMMENT ON TABLE core.event_day_changed IS
    'Event days whose events changed outside their daily runs (a changed event cut, an article coded again, an event whose mentions disagree on its day); the next newsflow_daily rebuilds their marts whole and removes them.';
COMMENT ON TABLE mart.daily_events IS
    'Events per event day, country, admin1 and event type; recomputed by newsflow_daily whole for its days, its articles'' publication days and days queued in core.event_day_changed, and on older event days for the rows its mentions'' events can have left or entered.';
COMMENT ON TABLE mart.daily_actor_activity IS
    'Events per event day, actor code, role and event type; recomputed by newsflow_daily whole for its days, its articles'' publication days and days queued in core.event_day_changed, and on older event days for the rows its mentions'' events can have left or entered.';
