-- Raw HTML leaves the warehouse after a configured retention (include/config/storage.yaml,
-- newsflow.retention): html_gz becomes NULL, and html_moved_to names the file it went to, if any.
ALTER TABLE raw.page ALTER COLUMN html_gz DROP NOT NULL;
ALTER TABLE raw.page ADD COLUMN IF NOT EXISTS html_moved_to text;
-- html_gz holds gzip: PostgreSQL's own compression cannot shrink it, so it is not tried (EXTERNAL).
ALTER TABLE raw.page ALTER COLUMN html_gz SET STORAGE EXTERNAL;
COMMENT ON COLUMN raw.page.html_gz IS
    'The page as fetched, gzip-compressed; NULL once older than the HTML retention (include/config/storage.yaml) and extracted.';
COMMENT ON COLUMN raw.page.html_moved_to IS
    'Where the HTML went when it left the warehouse: a path under the configured html_archive_dir (the same gzip bytes); NULL while html_gz holds it or when it was dropped.';
