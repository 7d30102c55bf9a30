-- mart.daily_events adds up to the facts, for the days and the older days' keys (mart_scope_key) just
-- recomputed (sql/marts/daily_events.sql): the mart counts events and their mentions by joining the
-- mentions, the facts are core.event's rows and the event mentions each counts (num_mentions, kept by
-- sql/recompute_events.sql). Two derivations that must agree, and those days' and keys' rows only
-- (indexes event_date_idx, event_mart_key and the mart's primary key): no mention is read.
-- The older days are compared by the keys recomputed, not whole: their other rows were checked by
-- the runs that recomputed them.
WITH touched AS MATERIALIZED (
    SELECT DISTINCT day, country, admin1, event_type FROM mart_scope_key WHERE country IS NOT NULL
), mart AS (
    SELECT coalesce(sum(events), 0) AS events, coalesce(sum(mentions), 0) AS mentions FROM (
        SELECT events, mentions FROM mart.daily_events WHERE day = ANY(%(event_days)s)
        UNION ALL
        SELECT d.events, d.mentions FROM touched t JOIN mart.daily_events d
          ON (d.day, d.country, d.admin1, d.event_type) = (t.day, t.country, t.admin1, t.event_type)
    ) rows
), facts AS (
    SELECT count(*) AS events, coalesce(sum(num_mentions), 0) AS mentions FROM (
        SELECT num_mentions FROM core.event WHERE event_date = ANY(%(event_days)s)
        UNION ALL
        SELECT e.num_mentions FROM touched t JOIN core.event e
          ON e.event_date = t.day AND e.event_type = t.event_type
         AND coalesce(e.country, '') = t.country AND coalesce(e.admin1, '') = t.admin1
    ) events
)
SELECT mart.events = facts.events AND mart.mentions = facts.mentions,
       format('mart events %%s / facts %%s, mart mentions %%s / facts %%s',
              mart.events, facts.events, mart.mentions, facts.mentions)
FROM mart, facts
