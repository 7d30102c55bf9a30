-- A feed's items whose page no poll before this interval requested, oldest first: a poll takes
-- the first of them up to its cap, the next poll the following ones, so no item is left behind.
SELECT fi.canonical_url, min(fi.link) AS link
FROM raw.feed_item fi
WHERE fi.feed_id = %(feed_id)s
  AND NOT EXISTS (SELECT 1 FROM raw.page_fetch pf
                  WHERE pf.canonical_url = fi.canonical_url AND pf.interval_start < %(interval_start)s)
GROUP BY fi.canonical_url
ORDER BY min(fi.first_seen_at), fi.canonical_url
