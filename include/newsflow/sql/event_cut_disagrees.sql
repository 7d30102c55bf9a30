-- Whether any mention's flag disagrees with the event cut: the least confidence flagged an event below
-- it, or the greatest flagged a candidate at or above it. Each is one end of the (is_event, confidence)
-- index, so with the cut unchanged a run reads two index entries, not the mentions, however many.
SELECT coalesce((SELECT min(confidence) FROM core.event_mention WHERE is_event) < %(cut)s::real, false)
    OR coalesce((SELECT max(confidence) FROM core.event_mention WHERE NOT is_event) >= %(cut)s::real, false)
