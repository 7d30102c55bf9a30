-- The order in which stored pages are extracted and loaded (dedup decides by what loaded before).
-- A run gives it when it plans its extraction (plan_page_extraction.sql), after every page planned
-- before: a page stored later (a feed poll during the run, an archive day of the past) loads after
-- every page already planned, whatever its fetch time, and a rebuild from raw.page loads in the
-- same order as the runs did.
ALTER TABLE raw.page ADD COLUMN IF NOT EXISTS extract_order bigint;
-- pages stored before: in the order extraction took them until now
UPDATE raw.page p SET extract_order = o.n
FROM (SELECT s.canonical_url, s.content_sha256,
             row_number() OVER (ORDER BY s.fetched_at,
                                (SELECT min(fi.published_at) FROM raw.feed_item fi
                                 WHERE fi.canonical_url = s.canonical_url) NULLS LAST,
                                s.canonical_url, s.content_sha256) AS n
      FROM raw.page s) o
WHERE p.canonical_url = o.canonical_url AND p.content_sha256 = o.content_sha256;
CREATE UNIQUE INDEX IF NOT EXISTS page_extract_order ON raw.page (extract_order);
-- the pages no run has planned yet: the few stored since the last plan
CREATE INDEX IF NOT EXISTS page_unplanned ON raw.page (fetched_at) WHERE extract_order IS NULL;
COMMENT ON COLUMN raw.page.extract_order IS
    'Position of the page in extraction order, given when a run plans its extraction (after every page planned before); NULL until then.';
