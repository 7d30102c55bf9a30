-- What a daily run recomputes of the event marts, for mentions first seen in [since, until): the
-- transaction's table mart_scope_key, which the marts and checks join (a literal array of the keys,
-- sent to each statement, cost more to pass and parse than the statements' reads).
-- Rows with no key (country NULL): event days rebuilt whole. They are the days being built, the
-- publication days of the articles first seen then (nearly every row of those days is touched), and
-- the days queued by a change outside the days' runs (core.event_day_changed, taken off the queue
-- here: a changed event cut, an article coded again, an event whose mentions disagree on its date).
-- Rows with a key: on older days, the exact mart keys (day, country, admin1, type, actor1, actor2, as
-- core.event spells them, a missing place as '') that the run's events can have left or entered. An
-- event's row is copied from the mention that speaks for it (sql/recompute_events.sql), before the run
-- one of its mentions and now another: the keys of all its mentions hold both. Its mentions all carry
-- its day (else sql/recompute_events.sql queued its days), so the run's mentions name its day.
-- Returns per day: whether it is rebuilt whole, and its keys of each mart.
CREATE TEMPORARY TABLE mart_scope_key (
    day date NOT NULL, country text, admin1 text, event_type text, actor1_code text, actor2_code text
) ON COMMIT DROP;
WITH queued AS (
    DELETE FROM core.event_day_changed RETURNING day
), recent AS MATERIALIZED (
    SELECT generate_series(%(day_from)s::date, %(day_to)s::date, interval '1 day')::date AS day
    UNION
    SELECT (published_at AT TIME ZONE 'UTC')::date FROM core.article
    WHERE first_seen_at >= %(since)s AND first_seen_at < %(until)s AND published_at IS NOT NULL
    UNION
    SELECT day FROM queued
), older_events AS MATERIALIZED (
    SELECT DISTINCT event_id FROM core.event_mention
    WHERE mentioned_at >= %(since)s AND mentioned_at < %(until)s
      AND event_date IS NOT NULL AND event_date NOT IN (SELECT day FROM recent)
)
INSERT INTO mart_scope_key
SELECT day, NULL, NULL, NULL, NULL, NULL FROM recent
UNION ALL
SELECT DISTINCT event_date, coalesce(country, ''), coalesce(admin1, ''), event_type, actor1_code, actor2_code
FROM core.event_mention
WHERE event_id = ANY(ARRAY(SELECT event_id FROM older_events))
  AND event_date NOT IN (SELECT day FROM recent);
SELECT day, bool_or(country IS NULL), count(DISTINCT (country, admin1, event_type)),
       count(DISTINCT (actor1_code, event_type)) FILTER (WHERE actor1_code IS NOT NULL)
       + count(DISTINCT (actor2_code, event_type)) FILTER (WHERE actor2_code IS NOT NULL)
FROM mart_scope_key GROUP BY day
