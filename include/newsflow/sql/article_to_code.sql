-- Claim one article to code: its row stays locked until the transaction ends, another run skips it,
-- and an article coded meanwhile by another run no longer qualifies.
SELECT article_id, source_id, version, title, text, language, published_at, first_seen_at
FROM core.article
WHERE article_id = %(article_id)s AND events_coded_version IS DISTINCT FROM version AND text <> ''
FOR UPDATE SKIP LOCKED
