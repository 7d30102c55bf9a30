-- Articles of the recent days sharing an LSH band key, or at least min_shared_keys containment
-- keys, with the new one (dedup.stored_candidates then asks for the share of containment keys
-- that dedup.ArticleIndex asks for). Ordered by id: ties go to the same article on every run.
SELECT s.article_id, s.signature, a.text, a.cluster_id, k.shares_band, k.shared_keys
FROM (
    SELECT article_id,
           bool_or(band_key = ANY(%(band_keys)s::bigint[])) AS shares_band,
           count(*) FILTER (WHERE band_key = ANY(%(containment_keys)s::bigint[])) AS shared_keys
    FROM core.article_lsh
    WHERE (band_key = ANY(%(band_keys)s::bigint[]) OR band_key = ANY(%(containment_keys)s::bigint[]))
      AND published_day BETWEEN %(day_from)s AND %(day_to)s
    GROUP BY article_id) k
JOIN core.article_signature s USING (article_id)
JOIN core.article a USING (article_id)
WHERE (k.shares_band OR k.shared_keys >= %(min_shared_keys)s)
  AND s.article_id <> %(article_id)s AND a.cluster_id IS NOT NULL
ORDER BY s.article_id
