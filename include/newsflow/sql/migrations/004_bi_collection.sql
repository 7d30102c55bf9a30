-- newsflow warehouse, version 4: collection as it happens, for the newsflow page in the Airflow UI
-- (and any BI tool): every feed poll, page fetch and page extraction, readable by the read-only role.
-- bi.daily_source_health has the same figures per day, but only once newsflow_daily has built the day;
-- these views answer "what happened in the last 24 hours" at any time.

CREATE VIEW bi.feed_poll AS
SELECT feed_id AS source_id, interval_start, interval_end, status, http_status, error,
       n_items AS items, n_new_items AS new_items
FROM raw.feed_poll;

COMMENT ON VIEW bi.feed_poll IS 'One row per feed poll (a source polled for one data interval of newsflow_ingest). Key: source_id, interval_start.';
COMMENT ON COLUMN bi.feed_poll.source_id IS 'Source polled; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.feed_poll.interval_start IS 'Start of the data interval of the poll (UTC timestamp).';
COMMENT ON COLUMN bi.feed_poll.interval_end IS 'End of the data interval of the poll (UTC timestamp).';
COMMENT ON COLUMN bi.feed_poll.status IS 'ok (feed read), not_modified (conditional GET: nothing new) or error.';
COMMENT ON COLUMN bi.feed_poll.http_status IS 'HTTP status of the feed response, NULL when no response came.';
COMMENT ON COLUMN bi.feed_poll.error IS 'What went wrong (network or HTTP error, unreadable feed, unusable items), NULL when nothing did.';
COMMENT ON COLUMN bi.feed_poll.items IS 'Feed items read in this poll.';
COMMENT ON COLUMN bi.feed_poll.new_items IS 'Items not seen in an earlier poll.';


CREATE VIEW bi.page_fetch AS
SELECT feed_id AS source_id, canonical_url, interval_start, status, http_status, error
FROM raw.page_fetch;

COMMENT ON VIEW bi.page_fetch IS 'One row per article page fetch attempt in a data interval, failures included. Key: canonical_url, interval_start.';
COMMENT ON COLUMN bi.page_fetch.source_id IS 'Source whose feed listed the page; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.page_fetch.canonical_url IS 'Canonical URL of the page.';
COMMENT ON COLUMN bi.page_fetch.interval_start IS 'Start of the data interval of the fetch (UTC timestamp).';
COMMENT ON COLUMN bi.page_fetch.status IS 'ok (page stored), not_modified (unchanged since the last fetch) or error.';
COMMENT ON COLUMN bi.page_fetch.http_status IS 'HTTP status of the page response, NULL when no response came.';
COMMENT ON COLUMN bi.page_fetch.error IS 'Why the fetch failed, NULL when it did not.';


CREATE VIEW bi.page_extraction AS
SELECT p.feed_id AS source_id, e.canonical_url, p.fetched_at, e.status, e.error
FROM core.page_extraction e
JOIN raw.page p USING (canonical_url, content_sha256);

COMMENT ON VIEW bi.page_extraction IS 'One row per stored page version and the outcome of extracting its article. Key: canonical_url, fetched_at.';
COMMENT ON COLUMN bi.page_extraction.source_id IS 'Source whose feed listed the page; joins bi.dim_source.source_id.';
COMMENT ON COLUMN bi.page_extraction.canonical_url IS 'Canonical URL of the page.';
COMMENT ON COLUMN bi.page_extraction.fetched_at IS 'When this version of the page was fetched (UTC timestamp).';
COMMENT ON COLUMN bi.page_extraction.status IS 'ok (article extracted), error (extraction failed) or skipped (not an article).';
COMMENT ON COLUMN bi.page_extraction.error IS 'Why extraction failed, NULL when it did not.';

GRANT SELECT ON bi.feed_poll, bi.page_fetch, bi.page_extraction TO newsflow_bi;
