INSERT INTO raw.page (canonical_url, content_sha256, url, final_url, feed_id, http_status, headers, html_gz,
                      etag, last_modified, fetched_at)
VALUES %s
ON CONFLICT (canonical_url, content_sha256) DO UPDATE SET
    fetched_at = LEAST(raw.page.fetched_at, EXCLUDED.fetched_at)
RETURNING (xmax = 0) AS inserted
