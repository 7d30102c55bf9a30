-- Outcomes of extracted pages (rows: canonical_url, content_sha256, status, error, article_id, version).
INSERT INTO core.page_extraction (canonical_url, content_sha256, status, error, article_id, version)
VALUES %s
ON CONFLICT (canonical_url, content_sha256) DO UPDATE SET
    status = EXCLUDED.status, error = EXCLUDED.error, article_id = EXCLUDED.article_id, version = EXCLUDED.version
