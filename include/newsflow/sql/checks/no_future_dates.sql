-- No event is dated after the article that reports it was first seen, and no article is published
-- more than a day after newsflow first saw it.
SELECT count(*) = 0, count(*) || ' row(s) dated in the future'
FROM (
    SELECT 1 FROM core.event_mention
    WHERE event_date > (mentioned_at AT TIME ZONE 'UTC')::date
      AND mentioned_at >= %(since)s AND mentioned_at < %(until)s
    UNION ALL
    SELECT 1 FROM core.article
    WHERE published_at > first_seen_at + interval '1 day'
      AND first_seen_at >= %(since)s AND first_seen_at < %(until)s
) bad
