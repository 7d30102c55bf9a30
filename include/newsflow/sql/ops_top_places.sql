-- The newsflow page: the places with most events from %(day_from)s to %(day_to)s.
SELECT l.label, l.country, count(*)::integer AS events
FROM bi.fact_event e
JOIN bi.dim_location l USING (location_key)
WHERE e.event_day BETWEEN %(day_from)s AND %(day_to)s
GROUP BY l.location_key, l.label, l.country
ORDER BY events DESC, l.label
LIMIT %(limit)s;
