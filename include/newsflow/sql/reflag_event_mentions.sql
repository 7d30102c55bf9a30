-- Flag every mention against the configured event cut (as EventPolicy.is_event: confidence >= cut,
-- compared as stored, in real precision). Only mentions whose flag changes are written (the
-- (is_event, confidence) index finds them), so with an unchanged cut this touches nothing. Returns the
-- event keys whose events must be rebuilt.
UPDATE core.event_mention SET is_event = NOT is_event
WHERE (is_event AND confidence < %(cut)s::real) OR (NOT is_event AND confidence >= %(cut)s::real)
RETURNING event_id
