-- Every merged event of the days just recomputed is backed by at least one event mention (a candidate
-- alone makes no event). The days only, as the mart totals check: its cost must not grow with history.
SELECT count(*) = 0, count(*) || ' event(s) without an event mention'
FROM core.event e
WHERE e.event_date = ANY(%(event_days)s) AND NOT EXISTS (SELECT 1 FROM core.event_mention m WHERE m.event_id = e.event_id AND m.is_event)
