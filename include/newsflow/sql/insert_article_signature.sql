-- An article's MinHash signature and its index keys (LSH band keys and containment keys), together.
WITH signed AS (
    INSERT INTO core.article_signature (article_id, signature, published_day, containment_keys)
    VALUES (%(article_id)s, %(signature)s, %(published_day)s, %(containment_keys)s)
)
INSERT INTO core.article_lsh (band_key, article_id, published_day)
SELECT key, %(article_id)s, %(published_day)s FROM unnest(%(index_keys)s::bigint[]) AS key
ON CONFLICT DO NOTHING
