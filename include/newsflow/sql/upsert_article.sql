INSERT INTO core.article (article_id, canonical_url, source_id, title, text, published_at, updated_at,
    first_seen_at, language, authors, agencies, kind, section, tags, word_count, content_hash, version,
    extractor_version, cluster_id, duplicate_of, duplicate_kind, similarity)
VALUES (%(article_id)s, %(canonical_url)s, %(source_id)s, %(title)s, %(text)s, %(published_at)s,
    %(updated_at)s, %(first_seen_at)s, %(language)s, %(authors)s, %(agencies)s, %(kind)s, %(section)s,
    %(tags)s, %(word_count)s, %(content_hash)s, %(version)s, %(extractor_version)s, %(cluster_id)s,
    %(duplicate_of)s, %(duplicate_kind)s, %(similarity)s)
ON CONFLICT (article_id) DO UPDATE SET
    title = EXCLUDED.title, text = EXCLUDED.text, published_at = EXCLUDED.published_at,
    updated_at = EXCLUDED.updated_at, language = EXCLUDED.language, authors = EXCLUDED.authors,
    agencies = EXCLUDED.agencies, kind = EXCLUDED.kind, section = EXCLUDED.section, tags = EXCLUDED.tags,
    word_count = EXCLUDED.word_count, content_hash = EXCLUDED.content_hash, version = EXCLUDED.version,
    extractor_version = EXCLUDED.extractor_version,
    first_seen_at = LEAST(core.article.first_seen_at, EXCLUDED.first_seen_at)
