-- Validators of the newest version of each URL stored before this interval, for conditional page
-- fetches; a re-run of an interval ignores what its own first run stored and asks the same question.
SELECT DISTINCT ON (canonical_url) canonical_url, etag, last_modified
FROM raw.page
WHERE canonical_url = ANY(%(urls)s) AND fetched_at < %(interval_end)s
ORDER BY canonical_url, fetched_at DESC, content_sha256
