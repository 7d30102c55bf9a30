INSERT INTO raw.sitemap_poll (feed_id, day, url, status, http_status, error, n_urls)
VALUES (%(feed_id)s, %(day)s, %(url)s, %(status)s, %(http_status)s, %(error)s, %(n_urls)s)
ON CONFLICT (feed_id, day) DO UPDATE SET
    url = EXCLUDED.url, status = EXCLUDED.status, http_status = EXCLUDED.http_status, error = EXCLUDED.error,
    n_urls = EXCLUDED.n_urls
