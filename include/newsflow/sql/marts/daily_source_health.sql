-- mart.daily_source_health of days [%(day_from)s, %(day_to)s]: every table read for the days' UTC bounds
-- [%(since)s, %(until)s) only, by the time indexes of migration 011.
DELETE FROM mart.daily_source_health WHERE day BETWEEN %(day_from)s AND %(day_to)s;
INSERT INTO mart.daily_source_health (day, source_id, polls, failed_polls, items_polled, new_articles,
                                      extracted, failed, duplicates, median_latency_seconds)
SELECT d.day, s.source_id,
       coalesce(p.polls, 0), coalesce(p.failed_polls, 0), coalesce(p.items_polled, 0),
       coalesce(a.new_articles, 0), coalesce(x.extracted, 0),
       coalesce(x.failed, 0) + coalesce(f.failed_fetches, 0), coalesce(a.duplicates, 0), a.median_latency
FROM generate_series(%(day_from)s::date, %(day_to)s::date, interval '1 day') AS d(day)
CROSS JOIN core.source s
LEFT JOIN (
    SELECT feed_id, (interval_start AT TIME ZONE 'UTC')::date AS day, count(*) AS polls,
           count(*) FILTER (WHERE status = 'error') AS failed_polls, sum(n_items) AS items_polled
    FROM raw.feed_poll WHERE interval_start >= %(since)s AND interval_start < %(until)s GROUP BY 1, 2
) p ON p.feed_id = s.source_id AND p.day = d.day
LEFT JOIN (
    SELECT source_id, (first_seen_at AT TIME ZONE 'UTC')::date AS day, count(*) AS new_articles,
           count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS duplicates,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_seen_at - published_at))
               FILTER (WHERE published_at IS NOT NULL) AS median_latency
    FROM core.article WHERE first_seen_at >= %(since)s AND first_seen_at < %(until)s GROUP BY 1, 2
) a ON a.source_id = s.source_id AND a.day = d.day
LEFT JOIN (
    SELECT pg.feed_id, (pg.fetched_at AT TIME ZONE 'UTC')::date AS day,
           count(*) FILTER (WHERE e.status = 'ok') AS extracted,
           count(*) FILTER (WHERE e.status = 'error') AS failed
    FROM raw.page pg JOIN core.page_extraction e USING (canonical_url, content_sha256)
    WHERE pg.fetched_at >= %(since)s AND pg.fetched_at < %(until)s GROUP BY 1, 2
) x ON x.feed_id = s.source_id AND x.day = d.day
LEFT JOIN (
    SELECT feed_id, (interval_start AT TIME ZONE 'UTC')::date AS day, count(*) AS failed_fetches
    FROM raw.page_fetch WHERE status = 'error' AND interval_start >= %(since)s AND interval_start < %(until)s
    GROUP BY 1, 2
) f ON f.feed_id = s.source_id AND f.day = d.day
WHERE p.polls IS NOT NULL OR a.new_articles IS NOT NULL OR x.extracted IS NOT NULL OR f.failed_fetches IS NOT NULL;
