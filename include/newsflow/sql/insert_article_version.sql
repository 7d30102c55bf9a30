-- A new version of an article (sent with sql/upsert_article.sql, in the same round trip).
INSERT INTO core.article_version (article_id, version, content_hash, content_sha256, title, text, updated_at, seen_at)
VALUES (%(article_id)s, %(version)s, %(content_hash)s, %(content_sha256)s, %(title)s, %(text)s, %(updated_at)s,
        %(seen_at)s)
