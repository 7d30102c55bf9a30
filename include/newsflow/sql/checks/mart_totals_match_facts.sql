-- mart.daily_events adds up to the facts, for the days just recomputed: the mart counts events and
-- their mentions by joining the mentions (marts/daily_events.sql), the facts are core.event's rows and
-- the event mentions each counts (num_mentions, kept by sql/recompute_events.sql). Two derivations
-- that must agree, and the days' events only (index event_date_idx): no mention is read.
WITH mart AS (SELECT coalesce(sum(events), 0) AS events, coalesce(sum(mentions), 0) AS mentions
              FROM mart.daily_events WHERE day = ANY(%(event_days)s)),
     facts AS (SELECT count(*) AS events, coalesce(sum(num_mentions), 0) AS mentions
               FROM core.event WHERE event_date = ANY(%(event_days)s))
SELECT mart.events = facts.events AND mart.mentions = facts.mentions,
       format('mart events %%s / facts %%s, mart mentions %%s / facts %%s',
              mart.events, facts.events, mart.mentions, facts.mentions)
FROM mart, facts
