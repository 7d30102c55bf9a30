-- Flag every mention against the configured event cut (as EventPolicy.is_event: confidence >= cut,
-- compared as stored, in real precision). Only mentions whose flag changes are written. Each side is
-- its own range of the (is_event, confidence) index: written as one OR, the planner scans the whole
-- table on every daily run, so a run with the cut unchanged would grow with history. Returns the
-- event keys whose events must be rebuilt.
WITH flip AS (
    SELECT mention_id FROM core.event_mention WHERE is_event AND confidence < %(cut)s::real
    UNION ALL
    SELECT mention_id FROM core.event_mention WHERE NOT is_event AND confidence >= %(cut)s::real)
UPDATE core.event_mention m SET is_event = NOT m.is_event
FROM flip
WHERE m.mention_id = flip.mention_id
RETURNING m.event_id
