-- Story clusters touched by articles first seen in days [%(day_from)s, %(day_to)s] ([%(since)s, %(until)s)),
-- recomputed over all their articles. Those articles are read by their clusters' keys (index
-- article_cluster): joined by the planner, every article was read. Only clusters that change are written.
WITH touched AS MATERIALIZED (
    SELECT DISTINCT cluster_id FROM core.article
    WHERE cluster_id IS NOT NULL
      AND first_seen_at >= %(since)s AND first_seen_at < %(until)s
)
INSERT INTO core.story_cluster AS c (cluster_id, first_article_id, first_seen, last_seen, n_articles, n_sources, title)
SELECT DISTINCT ON (a.cluster_id) a.cluster_id, a.article_id,
       min(a.first_seen_at) OVER w, max(a.first_seen_at) OVER w, count(*) OVER w,
       (SELECT count(DISTINCT source_id) FROM core.article b WHERE b.cluster_id = a.cluster_id), a.title
FROM core.article a
WHERE a.cluster_id = ANY(ARRAY(SELECT cluster_id FROM touched))
WINDOW w AS (PARTITION BY a.cluster_id)
ORDER BY a.cluster_id, a.published_at NULLS LAST, a.first_seen_at, a.article_id
ON CONFLICT (cluster_id) DO UPDATE SET
    first_article_id = EXCLUDED.first_article_id, first_seen = EXCLUDED.first_seen,
    last_seen = EXCLUDED.last_seen, n_articles = EXCLUDED.n_articles, n_sources = EXCLUDED.n_sources,
    title = EXCLUDED.title
WHERE (c.first_article_id, c.first_seen, c.last_seen, c.n_articles, c.n_sources, c.title)
      IS DISTINCT FROM (EXCLUDED.first_article_id, EXCLUDED.first_seen, EXCLUDED.last_seen, EXCLUDED.n_articles,
                        EXCLUDED.n_sources, EXCLUDED.title);
