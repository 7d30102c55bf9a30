-- mart.daily_events adds up to the facts, for the days and the older days' groups just recomputed
-- (sql/marts/daily_events.sql): the mart counts events and their mentions by joining the mentions, the
-- facts are core.event's rows and the event mentions each counts (num_mentions, kept by
-- sql/recompute_events.sql). Two derivations that must agree, and those days' and groups' events
-- only (index event_date_idx): no mention is read. The older days are compared by the groups
-- recomputed, not whole: their other rows were checked by the runs that last recomputed them.
WITH touched AS MATERIALIZED (
    SELECT * FROM unnest(%(touched_days)s::date[], %(touched_countries)s::text[], %(touched_types)s::text[])
), mart AS (
    SELECT coalesce(sum(events), 0) AS events, coalesce(sum(mentions), 0) AS mentions
    FROM mart.daily_events
    WHERE day = ANY(%(event_days)s)
       OR (day = ANY(%(partial_days)s) AND (day, upper(trim(country)), upper(trim(event_type))) IN (SELECT * FROM touched))
), facts AS (
    SELECT count(*) AS events, coalesce(sum(num_mentions), 0) AS mentions
    FROM core.event
    WHERE event_date = ANY(%(event_days)s)
       OR (event_date = ANY(%(partial_days)s)
           AND (event_date, upper(trim(coalesce(country, ''))), upper(trim(event_type))) IN (SELECT * FROM touched))
)
SELECT mart.events = facts.events AND mart.mentions = facts.mentions,
       format('mart events %%s / facts %%s, mart mentions %%s / facts %%s',
              mart.events, facts.events, mart.mentions, facts.mentions)
FROM mart, facts
