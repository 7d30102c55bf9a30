INSERT INTO raw.feed_item (feed_id, guid, link, canonical_url, title, summary, published_at, authors,
                           first_seen_at, origin)
VALUES %s
ON CONFLICT (feed_id, guid) DO UPDATE SET
    link = EXCLUDED.link, canonical_url = EXCLUDED.canonical_url, title = EXCLUDED.title,
    summary = EXCLUDED.summary, published_at = EXCLUDED.published_at, authors = EXCLUDED.authors,
    first_seen_at = LEAST(raw.feed_item.first_seen_at, EXCLUDED.first_seen_at),
    origin = CASE WHEN raw.feed_item.origin = 'feed' OR EXCLUDED.origin = 'feed' THEN 'feed' ELSE 'sitemap' END
RETURNING (xmax = 0) AS inserted
