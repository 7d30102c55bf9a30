-- When each of the given sources was first polled (up to a moment): a source that never brought an
-- article is judged stale from then.
SELECT feed_id AS source_id, min(interval_end) AS first_poll
FROM raw.feed_poll
WHERE feed_id = ANY(%(source_ids)s) AND interval_end <= %(as_of)s
GROUP BY feed_id;
