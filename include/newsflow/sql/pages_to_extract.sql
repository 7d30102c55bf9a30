-- The stored pages among the given keys that are still not extracted (checked again under the
-- article-load lock: another run may have extracted some since the pending list was read).
SELECT p.canonical_url, p.content_sha256, p.url, p.final_url, p.feed_id, p.headers, p.html_gz, p.fetched_at,
       p.extract_order,
       (SELECT min(fi.published_at) FROM raw.feed_item fi WHERE fi.canonical_url = p.canonical_url)
           AS feed_published_at
FROM raw.page p
JOIN unnest(%(canonical_urls)s::text[], %(content_sha256s)s::text[]) AS k (canonical_url, content_sha256)
  USING (canonical_url, content_sha256)
WHERE NOT EXISTS (SELECT 1 FROM core.page_extraction e
                  WHERE e.canonical_url = p.canonical_url AND e.content_sha256 = p.content_sha256)
