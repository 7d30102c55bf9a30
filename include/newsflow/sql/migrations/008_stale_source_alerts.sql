-- newsflow warehouse: the alerts newsflow_ingest sent for enabled sources that brought no new
-- article for longer than stale_source_hours (include/config/ops.yaml). One row per source and
-- stale spell, the spell named by the newest article the source had when it went stale: a retry,
-- a re-run or a later run of the ingest DAG finds the row and does not alert again; a new article
-- ends the spell, and the next one alerts once more.
CREATE TABLE raw.stale_source_alert (
    source_id       text NOT NULL,
    newest_article  timestamptz NOT NULL,   -- '-infinity' when the source never brought an article
    interval_end    timestamptz NOT NULL,
    hours_without   numeric(10, 2),
    channels        text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (source_id, newest_article)
);

COMMENT ON TABLE raw.stale_source_alert IS 'One row per stale spell of a source that newsflow_ingest alerted on. Key: source_id, newest_article.';
COMMENT ON COLUMN raw.stale_source_alert.source_id IS 'The source (feed id) without a new article.';
COMMENT ON COLUMN raw.stale_source_alert.newest_article IS 'First-seen time of its newest article when the alert went out; -infinity when it never brought one.';
COMMENT ON COLUMN raw.stale_source_alert.interval_end IS 'End of the data interval of the ingest run that alerted.';
COMMENT ON COLUMN raw.stale_source_alert.hours_without IS 'Hours without a new article at the end of that interval; NULL when it never brought one.';
COMMENT ON COLUMN raw.stale_source_alert.channels IS 'Where the alert went (log, webhook, email).';
