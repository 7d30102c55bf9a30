-- The newsflow page: the actors in most events (as source or target) from %(day_from)s to %(day_to)s.
SELECT a.actor_key, a.label, coalesce(a.common_name, a.label) AS common_name,
       sum(d.events)::integer AS events
FROM bi.daily_actor_activity d
JOIN bi.dim_actor a USING (actor_key)
WHERE d.day BETWEEN %(day_from)s AND %(day_to)s
GROUP BY a.actor_key, a.label, a.common_name
ORDER BY events DESC, a.actor_key
LIMIT %(limit)s;
