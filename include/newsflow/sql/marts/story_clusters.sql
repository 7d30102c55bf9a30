-- Story clusters touched by articles first seen in days [%(day_from)s, %(day_to)s] ([%(since)s, %(until)s)),
-- recomputed over all their articles.
WITH touched AS (
    SELECT DISTINCT cluster_id FROM core.article
    WHERE cluster_id IS NOT NULL
      AND first_seen_at >= %(since)s AND first_seen_at < %(until)s
)
INSERT INTO core.story_cluster (cluster_id, first_article_id, first_seen, last_seen, n_articles, n_sources, title)
SELECT DISTINCT ON (a.cluster_id) a.cluster_id, a.article_id,
       min(a.first_seen_at) OVER w, max(a.first_seen_at) OVER w, count(*) OVER w,
       (SELECT count(DISTINCT source_id) FROM core.article b WHERE b.cluster_id = a.cluster_id), a.title
FROM core.article a JOIN touched USING (cluster_id)
WINDOW w AS (PARTITION BY a.cluster_id)
ORDER BY a.cluster_id, a.published_at NULLS LAST, a.first_seen_at, a.article_id
ON CONFLICT (cluster_id) DO UPDATE SET
    first_article_id = EXCLUDED.first_article_id, first_seen = EXCLUDED.first_seen,
    last_seen = EXCLUDED.last_seen, n_articles = EXCLUDED.n_articles, n_sources = EXCLUDED.n_sources,
    title = EXCLUDED.title;
