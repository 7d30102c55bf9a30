-- Queue the event days of events just rebuilt outside their daily runs (their mentions' days, before
-- and after: a re-flag can move an event's representative mention): the next daily run rebuilds them.
INSERT INTO core.event_day_changed (day)
SELECT DISTINCT event_date FROM core.event_mention
WHERE event_id = ANY(%(event_ids)s) AND event_date IS NOT NULL
ON CONFLICT (day) DO NOTHING
