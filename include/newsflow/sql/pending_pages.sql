-- Stored pages not yet extracted, oldest first (the order decides which duplicate comes first).
SELECT p.canonical_url, p.content_sha256, p.url, p.final_url, p.feed_id, p.headers, p.html_gz, p.fetched_at,
       (SELECT min(fi.published_at) FROM raw.feed_item fi WHERE fi.canonical_url = p.canonical_url)
           AS feed_published_at
FROM raw.page p
LEFT JOIN core.page_extraction e USING (canonical_url, content_sha256)
WHERE e.canonical_url IS NULL
ORDER BY p.fetched_at, feed_published_at NULLS LAST, p.canonical_url, p.content_sha256
LIMIT %(limit)s
