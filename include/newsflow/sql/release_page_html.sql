-- The pages' HTML leaves the warehouse (rows: canonical_url, content_sha256, file it went to or NULL).
UPDATE raw.page p SET html_gz = NULL, html_moved_to = v.moved_to
FROM (VALUES %s) AS v (canonical_url, content_sha256, moved_to)
WHERE p.canonical_url = v.canonical_url AND p.content_sha256 = v.content_sha256
