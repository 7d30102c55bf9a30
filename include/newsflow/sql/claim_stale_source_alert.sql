-- Claim the alert of one stale spell: a row comes back only when no run alerted on it before.
INSERT INTO raw.stale_source_alert (source_id, newest_article, interval_end, hours_without)
VALUES (%(source_id)s, coalesce(%(newest_article)s::timestamptz, '-infinity'), %(interval_end)s, %(hours_without)s)
ON CONFLICT (source_id, newest_article) DO NOTHING
RETURNING source_id;
