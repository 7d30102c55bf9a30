-- Pages' raw HTML is stored zstd-compressed from now on (newsflow.stored_html); pages stored before
-- keep their gzip bytes. The two are told apart by their first bytes, so no row is rewritten.
COMMENT ON COLUMN raw.page.html_gz IS
    'The page as fetched, compressed: zstd (gzip for pages stored before migration 019, told by the first bytes); NULL once older than the HTML retention (include/config/storage.yaml) and extracted.';
