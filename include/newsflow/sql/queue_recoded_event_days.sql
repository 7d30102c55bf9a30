-- A new version of an article was coded again: the event days of its old mentions (%(removed_days)s)
-- and of its new ones are rebuilt whole by the next daily run. Its mentions keep the article's first
-- sight as their time, so the run of the day the new version arrived does not see them as its own.
INSERT INTO core.event_day_changed (day)
SELECT day FROM unnest(%(removed_days)s::date[]) AS removed(day) WHERE day IS NOT NULL
UNION
SELECT event_date FROM core.event_mention WHERE article_id = ANY(%(article_ids)s) AND event_date IS NOT NULL
ON CONFLICT (day) DO NOTHING
