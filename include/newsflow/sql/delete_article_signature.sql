-- An earlier version's signature and index keys, before the new version's are stored.
DELETE FROM core.article_lsh WHERE article_id = %(article_id)s;
DELETE FROM core.article_signature WHERE article_id = %(article_id)s;
