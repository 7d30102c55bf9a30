-- The daily run rebuilds whole the marts of its own days and of its articles' publication days, and on
-- older event days only the rows its mentions' events touch (sql/mart_scope.sql). Events changed by
-- other means (mentions re-flagged after a change of the event cut, an article coded again) name their
-- days here; the next daily run rebuilds those days whole and removes them.
CREATE TABLE IF NOT EXISTS core.event_day_changed (
    day date PRIMARY KEY
);
COMMENT ON TABLE core.event_day_changed IS
    'Event days whose events changed outside their daily runs (a changed event cut, an article coded again); the next newsflow_daily rebuilds their marts whole and removes them.';
COMMENT ON COLUMN core.event_day_changed.day IS 'Event day.';
COMMENT ON TABLE mart.daily_events IS
    'Events per event day, country, admin1 and event type; recomputed by newsflow_daily whole for its days, its articles'' publication days and days queued in core.event_day_changed, and on older event days for the (country, event type) groups its mentions'' events touch (the whole day when those are not few).';
COMMENT ON TABLE mart.daily_actor_activity IS
    'Events per event day, actor code, role and event type; recomputed by newsflow_daily whole for its days, its articles'' publication days and days queued in core.event_day_changed, and on older event days for the (actor, role, event type) groups its mentions'' events touch (the whole day when those are not few).';
