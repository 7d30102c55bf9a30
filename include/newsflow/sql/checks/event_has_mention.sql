-- Every merged event of the days rebuilt whole, or mentioned since their start (the run's events on
-- older days, and undated events, included), is backed by at least one event mention (a candidate
-- alone makes no event). Those events only (indexed, migration 011), and their mentions read by the
-- events' keys from the index alone (event_mention_event_counts, migration 017): the check's cost must
-- not grow with history.
WITH days_events AS MATERIALIZED (
    SELECT event_id FROM core.event
    WHERE event_date = ANY(%(event_days)s) OR last_seen >= %(since)s
), unbacked AS (
    SELECT event_id FROM days_events
    EXCEPT
    SELECT event_id FROM core.event_mention
    WHERE is_event AND event_id = ANY(ARRAY(SELECT event_id FROM days_events))
)
SELECT count(*) = 0, count(*) || ' event(s) without an event mention'
FROM unbacked
