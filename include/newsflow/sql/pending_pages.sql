-- Keys of stored pages not yet extracted, oldest first (the order decides which duplicate comes first).
SELECT p.canonical_url, p.content_sha256
FROM raw.page p
LEFT JOIN core.page_extraction e USING (canonical_url, content_sha256)
WHERE e.canonical_url IS NULL
ORDER BY p.fetched_at,
         (SELECT min(fi.published_at) FROM raw.feed_item fi WHERE fi.canonical_url = p.canonical_url) NULLS LAST,
         p.canonical_url, p.content_sha256
LIMIT %(limit)s
