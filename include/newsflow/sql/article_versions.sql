-- The article's latest version number and the version holding this body, if any (NULLs when none).
SELECT max(version) AS latest, max(version) FILTER (WHERE content_hash = %(content_hash)s) AS same
FROM core.article_version
WHERE article_id = %(article_id)s
