-- The latest time an earlier poll of the feed was asked to wait until, when it is still ahead of
-- this interval: the feed is then not requested (a re-run decides alike: earlier polls only).
SELECT max(retry_after)
FROM raw.feed_poll
WHERE feed_id = %(feed_id)s AND interval_start < %(interval_start)s AND retry_after > %(interval_start)s
