INSERT INTO raw.feed_poll (feed_id, interval_start, interval_end, status, http_status, error, etag,
                           last_modified, n_items, n_new_items, retry_after)
VALUES (%(feed_id)s, %(interval_start)s, %(interval_end)s, %(status)s, %(http_status)s, %(error)s, %(etag)s,
        %(last_modified)s, %(n_items)s, %(n_new_items)s, %(retry_after)s)
ON CONFLICT (feed_id, interval_start) DO UPDATE SET
    interval_end = EXCLUDED.interval_end, status = EXCLUDED.status, http_status = EXCLUDED.http_status,
    error = EXCLUDED.error, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
    n_items = EXCLUDED.n_items, retry_after = EXCLUDED.retry_after,
    -- a re-run sees its items as already known: keep the first run's count of new ones
    n_new_items = GREATEST(raw.feed_poll.n_new_items, EXCLUDED.n_new_items)
