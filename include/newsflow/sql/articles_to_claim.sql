-- Claim articles to code: their rows stay locked until the transaction ends, another run skips them,
-- and an article coded meanwhile by another run no longer qualifies.
SELECT article_id, source_id, version, title, text, language, published_at, first_seen_at
FROM core.article
WHERE article_id = ANY(%(article_ids)s) AND text <> ''
  AND (events_coded_version IS DISTINCT FROM version OR events_coder IS DISTINCT FROM %(coder)s)
ORDER BY first_seen_at, article_id
FOR UPDATE SKIP LOCKED
