-- Recompute story clusters and source health for days [%(day_from)s, %(day_to)s], and the event marts
-- for %(event_days)s: the event days touched by mentions first seen in that range. Every table is read
-- for those days only ([%(since)s, %(until)s): the days' UTC bounds, indexed, migration 011), so the
-- cost follows the days' rows, not the history.

-- Story clusters touched by articles first seen in the range.
WITH touched AS (
    SELECT DISTINCT cluster_id FROM core.article
    WHERE cluster_id IS NOT NULL
      AND first_seen_at >= %(since)s AND first_seen_at < %(until)s
)
INSERT INTO core.story_cluster (cluster_id, first_article_id, first_seen, last_seen, n_articles, n_sources, title)
SELECT DISTINCT ON (a.cluster_id) a.cluster_id, a.article_id,
       min(a.first_seen_at) OVER w, max(a.first_seen_at) OVER w, count(*) OVER w,
       (SELECT count(DISTINCT source_id) FROM core.article b WHERE b.cluster_id = a.cluster_id), a.title
FROM core.article a JOIN touched USING (cluster_id)
WINDOW w AS (PARTITION BY a.cluster_id)
ORDER BY a.cluster_id, a.published_at NULLS LAST, a.first_seen_at, a.article_id
ON CONFLICT (cluster_id) DO UPDATE SET
    first_article_id = EXCLUDED.first_article_id, first_seen = EXCLUDED.first_seen,
    last_seen = EXCLUDED.last_seen, n_articles = EXCLUDED.n_articles, n_sources = EXCLUDED.n_sources,
    title = EXCLUDED.title;

DELETE FROM mart.daily_events WHERE day = ANY(%(event_days)s);
INSERT INTO mart.daily_events (day, country, admin1, event_type, events, mentions, articles, sources)
SELECT e.event_date, coalesce(e.country, ''), coalesce(e.admin1, ''), e.event_type,
       count(DISTINCT e.event_id), count(m.mention_id), count(DISTINCT m.article_id), count(DISTINCT m.source_id)
-- core.event holds events only; their candidates (same key, below the cut) are not counted
FROM core.event e JOIN core.event_mention m ON m.event_id = e.event_id AND m.is_event
WHERE e.event_date = ANY(%(event_days)s)
GROUP BY 1, 2, 3, 4;

DELETE FROM mart.daily_actor_activity WHERE day = ANY(%(event_days)s);
INSERT INTO mart.daily_actor_activity (day, actor_code, role, event_type, events, mentions)
SELECT event_date, actor_code, role, event_type, count(*), sum(num_mentions)
FROM (
    SELECT event_date, actor1_code AS actor_code, 'source' AS role, event_type, num_mentions
    FROM core.event WHERE actor1_code IS NOT NULL AND event_date = ANY(%(event_days)s)
    UNION ALL
    SELECT event_date, actor2_code, 'target', event_type, num_mentions
    FROM core.event WHERE actor2_code IS NOT NULL AND event_date = ANY(%(event_days)s)
) roles
GROUP BY 1, 2, 3, 4;

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
