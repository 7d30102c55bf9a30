-- How many containment keys each stored article has: the candidate query can then apply the
-- containment bar itself (dedup.containment_candidate) instead of returning every article that
-- shares two keys with its text, to be fingerprinted again in Python.
ALTER TABLE core.article_signature ADD COLUMN IF NOT EXISTS containment_keys integer;
COMMENT ON COLUMN core.article_signature.containment_keys IS
    'Number of containment keys of the article (its sampled 8-character shingles in core.article_lsh); NULL for articles signed before it was recorded, which the candidate query always returns.';
