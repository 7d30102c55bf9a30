-- Articles of the recent days sharing at least one LSH band with the new one.
SELECT s.article_id, s.signature, a.cluster_id, a.published_at, a.first_seen_at
FROM core.article_signature s
JOIN core.article a USING (article_id)
WHERE s.article_id IN (
        SELECT article_id FROM core.article_lsh
        WHERE band_key = ANY(%(band_keys)s) AND published_day BETWEEN %(day_from)s AND %(day_to)s)
  AND s.article_id <> %(article_id)s AND a.cluster_id IS NOT NULL
