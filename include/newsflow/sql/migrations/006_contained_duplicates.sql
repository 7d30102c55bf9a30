-- Article dedup also links a shorter text found inside a longer one (an agency copy inside a
-- longer rewrite): duplicate_kind 'contained', whose similarity is the share of the shorter
-- text found in the longer one. core.article_lsh holds the containment keys beside the band keys.
ALTER TABLE core.article DROP CONSTRAINT article_duplicate_kind_check;
ALTER TABLE core.article ADD CONSTRAINT article_duplicate_kind_check
    CHECK (duplicate_kind IN ('exact', 'near', 'contained'));
COMMENT ON COLUMN core.article_lsh.band_key IS
    'An LSH band key of the MinHash signature, or a sampled containment key (newsflow.dedup.Fingerprint.index_keys).';
COMMENT ON COLUMN bi.fact_article.duplicate_kind IS
    'exact (same normalised text), near (MinHash similarity) or contained (the shorter text found inside the longer one), NULL when not a duplicate.';
COMMENT ON COLUMN bi.fact_article.similarity IS
    'Estimated Jaccard similarity to duplicate_of for near duplicates, the share of the shorter text found in the longer for contained ones, 1 for exact duplicates; NULL when not a duplicate.';
