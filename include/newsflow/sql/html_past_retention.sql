-- Extracted pages whose HTML is still in the warehouse and was fetched before the cutoff, oldest
-- first, a chunk at a time (rows locked: two runs at once share them). Pages not extracted yet keep theirs.
SELECT p.canonical_url, p.content_sha256, p.fetched_at, p.html_gz
FROM raw.page p
WHERE p.fetched_at < %(cutoff)s AND p.html_gz IS NOT NULL
  AND EXISTS (SELECT 1 FROM core.page_extraction e
              WHERE e.canonical_url = p.canonical_url AND e.content_sha256 = p.content_sha256)
ORDER BY p.fetched_at, p.canonical_url, p.content_sha256
LIMIT %(limit)s
FOR UPDATE OF p SKIP LOCKED
