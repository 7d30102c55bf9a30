-- Articles whose latest version has no events coded yet (ids only: each is claimed when its turn comes).
SELECT article_id
FROM core.article
WHERE events_coded_version IS DISTINCT FROM version AND text <> ''
ORDER BY first_seen_at, article_id
LIMIT %(limit)s
