-- The newsflow page: events per event day and PLOVER type from %(day_from)s to %(day_to)s.
SELECT e.day, e.event_type, t.sort_order, sum(e.events)::integer AS events
FROM bi.daily_events e
JOIN bi.dim_event_type t USING (event_type)
WHERE e.day BETWEEN %(day_from)s AND %(day_to)s
GROUP BY e.day, e.event_type, t.sort_order
ORDER BY e.day, t.sort_order;
