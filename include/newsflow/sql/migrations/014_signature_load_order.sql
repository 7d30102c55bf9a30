-- The order in which article signatures were stored. Loads run one at a time under the article-load
-- lock, so a load that read the candidates of its pages before taking the lock (at the highest
-- load_seq it saw) re-reads under the lock only the signatures stored since: the candidate query,
-- the largest part of an article's load, leaves the serial section.
CREATE SEQUENCE IF NOT EXISTS core.article_signature_load_seq;
ALTER TABLE core.article_signature
    ADD COLUMN IF NOT EXISTS load_seq bigint NOT NULL DEFAULT nextval('core.article_signature_load_seq');
ALTER SEQUENCE core.article_signature_load_seq OWNED BY core.article_signature.load_seq;
CREATE INDEX IF NOT EXISTS article_signature_load_seq ON core.article_signature (load_seq);
COMMENT ON COLUMN core.article_signature.load_seq IS
    'Order in which the signature was stored (rises with every load; a new version gets a new one): a load re-reads under the article-load lock only the candidates stored after the ones it read before.';
