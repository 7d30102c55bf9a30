-- The newsflow page: collection health of every enabled source in the window (%(since)s, %(as_of)s],
-- read from the bi views only (it runs as the read-only BI role).
WITH polls AS (
    SELECT source_id, count(*) AS polls, count(*) FILTER (WHERE status = 'error') AS failed_polls,
           coalesce(sum(items), 0) AS items
    FROM bi.feed_poll
    WHERE interval_end > %(since)s AND interval_end <= %(as_of)s
    GROUP BY source_id
),
last_poll AS (
    SELECT DISTINCT ON (source_id) source_id, interval_end AS last_poll, status AS last_status,
           error AS last_error
    FROM bi.feed_poll
    WHERE interval_end <= %(as_of)s
    ORDER BY source_id, interval_end DESC
),
last_ok_poll AS (
    SELECT source_id, max(interval_end) AS last_ok_poll
    FROM bi.feed_poll
    WHERE status <> 'error' AND interval_end <= %(as_of)s
    GROUP BY source_id
),
fetches AS (
    SELECT source_id, count(*) FILTER (WHERE status = 'ok') AS new_pages,
           count(*) FILTER (WHERE status = 'error') AS failed_pages
    FROM bi.page_fetch
    WHERE interval_start >= %(since)s AND interval_start < %(as_of)s
    GROUP BY source_id
),
extractions AS (
    SELECT source_id, count(*) FILTER (WHERE status = 'error') AS failed_extractions
    FROM bi.page_extraction
    WHERE fetched_at > %(since)s AND fetched_at <= %(as_of)s
    GROUP BY source_id
),
articles AS (
    SELECT source_id, count(*) FILTER (WHERE first_seen_at > %(since)s) AS new_articles,
           max(first_seen_at) AS newest_article
    FROM bi.fact_article
    WHERE first_seen_at <= %(as_of)s
    GROUP BY source_id
)
SELECT s.source_id, s.name, s.language, s.kind,
       lp.last_poll, lp.last_status, lp.last_error, ok.last_ok_poll,
       coalesce(p.polls, 0) AS polls, coalesce(p.failed_polls, 0) AS failed_polls,
       coalesce(p.items, 0) AS items,
       coalesce(f.new_pages, 0) AS new_pages, coalesce(f.failed_pages, 0) AS failed_pages,
       coalesce(x.failed_extractions, 0) AS failed_extractions,
       coalesce(a.new_articles, 0) AS new_articles, a.newest_article
FROM bi.dim_source s
LEFT JOIN polls p USING (source_id)
LEFT JOIN last_poll lp USING (source_id)
LEFT JOIN last_ok_poll ok USING (source_id)
LEFT JOIN fetches f USING (source_id)
LEFT JOIN extractions x USING (source_id)
LEFT JOIN articles a USING (source_id)
WHERE s.enabled
ORDER BY s.source_id;
