-- Articles whose latest version has no events coded yet, or coded by another coder (ids only: each is
-- claimed when its turn comes).
SELECT article_id
FROM core.article
WHERE (events_coded_version IS DISTINCT FROM version OR events_coder IS DISTINCT FROM %(coder)s) AND text <> ''
ORDER BY first_seen_at, article_id
LIMIT %(limit)s
