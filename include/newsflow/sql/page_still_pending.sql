-- Whether one stored page is still not extracted: two primary-key lookups, whatever the backlog.
SELECT EXISTS (SELECT 1 FROM raw.page p
               WHERE p.canonical_url = %(canonical_url)s AND p.content_sha256 = %(content_sha256)s)
   AND NOT EXISTS (SELECT 1 FROM core.page_extraction e
                   WHERE e.canonical_url = %(canonical_url)s AND e.content_sha256 = %(content_sha256)s)
