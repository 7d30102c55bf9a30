-- The earliest other article with the same normalised body.
SELECT article_id, cluster_id
FROM core.article
WHERE content_hash = %(content_hash)s AND article_id <> %(article_id)s AND cluster_id IS NOT NULL
ORDER BY published_at NULLS LAST, first_seen_at, article_id
LIMIT 1
