-- The polls of one ingest interval for the given feeds (newsflow_ingest's check_polls).
SELECT feed_id, status, http_status, error
FROM raw.feed_poll
WHERE interval_start = %(interval_start)s AND feed_id = ANY(%(feed_ids)s)
ORDER BY feed_id;
