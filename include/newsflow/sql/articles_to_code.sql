-- Articles whose latest version has no events coded yet.
SELECT article_id, source_id, version, title, text, language, published_at, first_seen_at
FROM core.article
WHERE events_coded_version IS DISTINCT FROM version AND text <> ''
ORDER BY first_seen_at, article_id
LIMIT %(limit)s
