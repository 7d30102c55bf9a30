-- Conditional-GET validators from the last successful poll before this interval, so that a re-run
-- of an interval asks the same question as its first run.
SELECT etag, last_modified
FROM raw.feed_poll
WHERE feed_id = %(feed_id)s AND interval_start < %(interval_start)s AND status IN ('ok', 'not_modified')
ORDER BY interval_start DESC
LIMIT 1
