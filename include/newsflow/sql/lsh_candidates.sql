-- Articles of the recent days sharing an LSH band key, or enough containment keys, with the new one:
-- the bar of dedup.containment_candidate is applied here on the stored key counts (float8, as in
-- Python), so only candidates travel; dedup.stored_candidates checks them again (and decides the
-- rows signed before counts were kept). At most dedup.max_candidates of them (below), ordered by id:
-- ties go to the same article on every run.
-- Key rows are read per key of the new article, and signatures and articles per key-sharing article
-- (LATERAL ... OFFSET 0 keeps them index lookups on the keys' primary key): with the two key lists
-- OR-ed in one filter the planner scanned every stored key row (8 ms a page at 600 articles, a cost
-- growing with history), and joined as tables it scanned every stored signature.
SELECT * FROM (
SELECT k.article_id, s.signature, a.text, a.cluster_id, k.shares_band, k.shared_keys
FROM (
    SELECT article_id,
           bool_or(band_key = ANY(%(band_keys)s::bigint[])) AS shares_band,
           count(*) FILTER (WHERE band_key = ANY(%(band_keys)s::bigint[])) AS shared_bands,
           count(*) FILTER (WHERE band_key = ANY(%(containment_keys)s::bigint[])) AS shared_keys
    FROM (SELECT DISTINCT unnest(%(band_keys)s::bigint[] || %(containment_keys)s::bigint[]) AS key) q
    CROSS JOIN LATERAL (SELECT article_id, band_key FROM core.article_lsh l
                        WHERE l.band_key = q.key AND l.published_day BETWEEN %(day_from)s AND %(day_to)s
                        OFFSET 0) l
    GROUP BY article_id
    HAVING bool_or(band_key = ANY(%(band_keys)s::bigint[]))
        OR count(*) FILTER (WHERE band_key = ANY(%(containment_keys)s::bigint[])) >= %(min_shared_keys)s  -- implied below
) k
CROSS JOIN LATERAL (SELECT signature, containment_keys FROM core.article_signature s
                    WHERE s.article_id = k.article_id OFFSET 0) s
CROSS JOIN LATERAL (SELECT text, cluster_id FROM core.article a WHERE a.article_id = k.article_id OFFSET 0) a
WHERE (k.shares_band OR k.shared_keys >= %(min_shared_keys)s AND (s.containment_keys IS NULL
       -- dedup.containment_candidate, on the stored key count (same bar, same arithmetic)
       OR k.shared_keys >= greatest(%(min_shared_keys)s, %(min_key_share)s::float8 * least(%(query_keys)s, s.containment_keys))))
  AND k.article_id <> %(article_id)s AND a.cluster_id IS NOT NULL
-- dedup.max_candidates of them: those sharing the most band keys, then containment keys (as
-- dedup.ArticleIndex.candidates; ties by id here, by insertion order there)
ORDER BY k.shared_bands DESC, k.shared_keys DESC, k.article_id
LIMIT %(max_candidates)s
) candidates
ORDER BY article_id
