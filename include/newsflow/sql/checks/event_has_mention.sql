-- Every merged event is backed by at least one event mention (a candidate alone makes no event).
SELECT count(*) = 0, count(*) || ' event(s) without an event mention'
FROM core.event e
WHERE NOT EXISTS (SELECT 1 FROM core.event_mention m WHERE m.event_id = e.event_id AND m.is_event)
