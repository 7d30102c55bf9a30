-- What a daily run recomputes of the event marts, for mentions first seen in [since, until).
-- Rows with no group (country NULL): event days rebuilt whole. They are the days being built, the
-- publication days of the articles first seen then (nearly every row of those days is touched), the
-- days queued by a change outside the days' runs (core.event_day_changed, taken off the queue here),
-- and older days where the touched groups are not few against the day's events (as cheap whole).
-- Rows with a group: (day, country, type, actor1, actor2) touched on an older day, normalised as the
-- event key normalises them (newsflow.dedup.event_key: trimmed, upper-case). An event's mentions all
-- share its key, so the group of the mention that speaks for it (sql/recompute_events.sql), now and
-- before, is that of any of its mentions. The key holds the date to its precision, and newsflow.dates
-- dates a month on its first day and an undated mention not at all: such a mention names its event's
-- day too, and the run's mentions alone name the groups (read once, by time). A mention dated
-- otherwise (another coder) has all its event's mentions read, by the events' keys. Admin1 is left
-- out: mentions of one event may spell it otherwise.
WITH queued AS (
    DELETE FROM core.event_day_changed RETURNING day
), recent AS MATERIALIZED (
    SELECT generate_series(%(day_from)s::date, %(day_to)s::date, interval '1 day')::date AS day
    UNION
    SELECT (published_at AT TIME ZONE 'UTC')::date FROM core.article
    WHERE first_seen_at >= %(since)s AND first_seen_at < %(until)s AND published_at IS NOT NULL
    UNION
    SELECT day FROM queued
), run_mentions AS MATERIALIZED (
    SELECT event_id, event_date, country, event_type, actor1_code, actor2_code, dated_by_key
    FROM (
        SELECT event_id, event_date, country, event_type, actor1_code, actor2_code,
               coalesce(CASE date_precision WHEN 'day' THEN event_date IS NOT NULL
                                               WHEN 'month' THEN extract(day FROM event_date) = 1
                                               WHEN 'unknown' THEN event_date IS NULL END, false) AS dated_by_key
        FROM core.event_mention
        WHERE mentioned_at >= %(since)s AND mentioned_at < %(until)s
    ) m
    WHERE NOT dated_by_key OR event_date NOT IN (SELECT day FROM recent)
), older_mentions AS (
    SELECT event_date, country, event_type, actor1_code, actor2_code FROM run_mentions WHERE dated_by_key
    UNION ALL
    SELECT event_date, country, event_type, actor1_code, actor2_code FROM core.event_mention
    WHERE event_id = ANY(ARRAY(SELECT DISTINCT event_id FROM run_mentions WHERE NOT dated_by_key))
), older_groups AS MATERIALIZED (
    SELECT DISTINCT event_date AS day, upper(trim(coalesce(country, ''))) AS country,
           upper(trim(event_type)) AS event_type, upper(trim(actor1_code)) AS actor1, upper(trim(actor2_code)) AS actor2
    FROM older_mentions
    WHERE event_date IS NOT NULL AND event_date NOT IN (SELECT day FROM recent)
), older_days AS MATERIALIZED (
    -- recomputed in part where the touched groups are under half the day's events: from the facts,
    -- not the marts, so that a day's runs decide alike whatever order they ran in (a backfill)
    SELECT g.day, g.groups * 2 < (SELECT count(*) FROM core.event e WHERE e.event_date = g.day) AS partial
    FROM (SELECT day, count(DISTINCT (country, event_type)) AS groups FROM older_groups GROUP BY day) g
)
SELECT day, NULL, NULL, NULL, NULL FROM recent
UNION
SELECT day, NULL, NULL, NULL, NULL FROM older_groups
WHERE day NOT IN (SELECT day FROM older_days WHERE partial)
UNION ALL
SELECT g.day, g.country, g.event_type, g.actor1, g.actor2
FROM older_groups g JOIN older_days o ON o.day = g.day AND o.partial
