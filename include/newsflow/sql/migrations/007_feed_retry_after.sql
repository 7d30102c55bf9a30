-- newsflow warehouse: a source that answers 429 (or 503) with Retry-After is left alone until then.
-- The poll that got the answer keeps the time; later polls before it are recorded as 'deferred'
-- (no request made) instead of asking again.
ALTER TABLE raw.feed_poll ADD COLUMN retry_after timestamptz;
ALTER TABLE raw.feed_poll DROP CONSTRAINT feed_poll_status_check;
ALTER TABLE raw.feed_poll ADD CONSTRAINT feed_poll_status_check
    CHECK (status IN ('ok', 'not_modified', 'error', 'deferred'));
COMMENT ON COLUMN raw.feed_poll.retry_after IS
    'When the source asked to be polled again (Retry-After of a 429 or 503 answer, to the feed or one of its pages); NULL when it did not.';
