-- Give the stored pages no run has planned yet their extraction order, after every page planned
-- before; among themselves by fetch time, their feed item's publication, URL and content. Run under
-- the page-order lock (pipeline.LOCK_PAGE_ORDER): pages committed after it wait for the next plan.
UPDATE raw.page p SET extract_order = planned.n + (SELECT coalesce(max(extract_order), 0) FROM raw.page)
FROM (SELECT u.canonical_url, u.content_sha256,
             row_number() OVER (ORDER BY u.fetched_at,
                                (SELECT min(fi.published_at) FROM raw.feed_item fi
                                 WHERE fi.canonical_url = u.canonical_url) NULLS LAST,
                                u.canonical_url, u.content_sha256) AS n
      FROM raw.page u
      WHERE u.extract_order IS NULL) planned
WHERE p.canonical_url = planned.canonical_url AND p.content_sha256 = planned.content_sha256
