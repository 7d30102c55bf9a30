-- When the current stale spell of a source was alerted (NULL: not yet).
SELECT interval_end, channels
FROM raw.stale_source_alert
WHERE source_id = %(source_id)s AND newest_article = coalesce(%(newest_article)s::timestamptz, '-infinity');
