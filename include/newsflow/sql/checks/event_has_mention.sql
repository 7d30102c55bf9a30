-- Every merged event is backed by at least one mention.
SELECT count(*) = 0, count(*) || ' event(s) without a mention'
FROM core.event e
WHERE NOT EXISTS (SELECT 1 FROM core.event_mention m WHERE m.event_id = e.event_id)
