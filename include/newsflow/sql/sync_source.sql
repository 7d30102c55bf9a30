INSERT INTO core.source (source_id, name, url, host, language, kind, enabled) VALUES %s
ON CONFLICT (source_id) DO UPDATE SET
    name = EXCLUDED.name, url = EXCLUDED.url, host = EXCLUDED.host,
    language = EXCLUDED.language, kind = EXCLUDED.kind, enabled = EXCLUDED.enabled
