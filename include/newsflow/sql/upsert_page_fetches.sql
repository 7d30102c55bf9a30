INSERT INTO raw.page_fetch (canonical_url, interval_start, feed_id, status, http_status, error, content_sha256)
VALUES %s
ON CONFLICT (canonical_url, interval_start) DO UPDATE SET
    feed_id = EXCLUDED.feed_id, status = EXCLUDED.status, http_status = EXCLUDED.http_status,
    error = EXCLUDED.error,
    content_sha256 = COALESCE(EXCLUDED.content_sha256, raw.page_fetch.content_sha256)
