-- Which event coder coded an article: a changed coder (its code, word lists or confidence model)
-- recodes every stored article on the next `code_events`, so the warehouse holds one coder's output.
ALTER TABLE core.article ADD COLUMN IF NOT EXISTS events_coder text;
COMMENT ON COLUMN core.article.events_coder IS
    'Fingerprint of the event coder (newsflow.events.coder_version: its modules and data files) that coded this article''s events; NULL before coding. A different fingerprint means the article is coded again.';
