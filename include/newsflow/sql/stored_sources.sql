-- The stored rows of the sources about to be synced, in sync_source.sql's column order: only
-- changed or new ones are written (an unchanged source costs no write, so no commit to disk).
SELECT source_id, name, url, host, language, kind, enabled FROM core.source WHERE source_id = ANY(%(source_ids)s)
