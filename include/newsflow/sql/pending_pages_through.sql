-- Keys of the pages not yet extracted up to a position in extraction order, in that order: what a
-- batch must see loaded before its own pages load.
SELECT p.canonical_url, p.content_sha256
FROM raw.page p
WHERE p.extract_order <= %(last)s
  AND NOT EXISTS (SELECT 1 FROM core.page_extraction e
                  WHERE e.canonical_url = p.canonical_url AND e.content_sha256 = p.content_sha256)
ORDER BY p.extract_order
