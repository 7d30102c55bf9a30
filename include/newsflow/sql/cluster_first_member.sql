SELECT article_id FROM core.article WHERE cluster_id = %(cluster_id)s AND duplicate_of IS NULL
ORDER BY published_at NULLS LAST, first_seen_at, article_id LIMIT 1
