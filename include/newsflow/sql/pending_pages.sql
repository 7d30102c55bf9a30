-- Keys of planned pages not yet extracted, in extraction order (it decides which duplicate comes
-- first); pages stored since the last plan are not listed (plan_page_extraction.sql first).
SELECT p.canonical_url, p.content_sha256
FROM raw.page p
WHERE p.extract_order IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM core.page_extraction e
                  WHERE e.canonical_url = p.canonical_url AND e.content_sha256 = p.content_sha256)
ORDER BY p.extract_order
LIMIT %(limit)s
