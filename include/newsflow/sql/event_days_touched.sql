-- Event days whose marts change when mentions first seen in [day_from, day_to] arrive (late news
-- about earlier days included), plus the range itself.
SELECT DISTINCT day FROM (
    SELECT event_date AS day FROM core.event_mention
    WHERE event_date IS NOT NULL
      AND mentioned_at >= %(since)s AND mentioned_at < %(until)s
    UNION
    SELECT generate_series(%(day_from)s::date, %(day_to)s::date, interval '1 day')::date
) days
ORDER BY day
