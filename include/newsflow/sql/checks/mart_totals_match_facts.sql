-- mart.daily_events adds up to the facts it was built from, for the days just recomputed (the days'
-- mentions read by their events' keys, as in marts/daily_events.sql).
WITH mart AS (SELECT coalesce(sum(events), 0) AS events, coalesce(sum(mentions), 0) AS mentions
              FROM mart.daily_events WHERE day = ANY(%(event_days)s)),
     days_events AS MATERIALIZED (SELECT event_id FROM core.event WHERE event_date = ANY(%(event_days)s)),
     facts AS (SELECT count(DISTINCT e.event_id) AS events, count(m.mention_id) AS mentions
               FROM days_events e JOIN core.event_mention m ON m.event_id = e.event_id AND m.is_event
               WHERE m.event_id = ANY(ARRAY(SELECT event_id FROM days_events)))
SELECT mart.events = facts.events AND mart.mentions = facts.mentions,
       format('mart events %%s / facts %%s, mart mentions %%s / facts %%s',
              mart.events, facts.events, mart.mentions, facts.mentions)
FROM mart, facts
