-- Every merged event of the days just recomputed, or mentioned since their start (undated events
-- included), is backed by at least one event mention (a candidate alone makes no event). Those events
-- only (indexed, migration 011): the check's cost must not grow with history.
SELECT count(*) = 0, count(*) || ' event(s) without an event mention'
FROM core.event e
WHERE (e.event_date = ANY(%(event_days)s) OR e.last_seen >= %(since)s) AND NOT EXISTS (SELECT 1 FROM core.event_mention m WHERE m.event_id = e.event_id AND m.is_event)
