-- The daily marts and checks read the rows of their days only (sql/daily_marts.sql, sql/checks/*):
-- by time range on these columns, so their cost follows a day's rows, not the history kept.
CREATE INDEX IF NOT EXISTS feed_poll_interval_start ON raw.feed_poll (interval_start);
CREATE INDEX IF NOT EXISTS page_fetched_at ON raw.page (fetched_at);
CREATE INDEX IF NOT EXISTS page_fetch_interval_start ON raw.page_fetch (interval_start);
CREATE INDEX IF NOT EXISTS article_first_seen_at ON core.article (first_seen_at);
CREATE INDEX IF NOT EXISTS event_mention_mentioned_at ON core.event_mention (mentioned_at);
CREATE INDEX IF NOT EXISTS event_last_seen ON core.event (last_seen);
-- A new version of an article replaces its index keys (and a deleted article's go with it): without
-- this, each such delete read the whole key table, the warehouse's largest, under the article-load lock.
CREATE INDEX IF NOT EXISTS article_lsh_article ON core.article_lsh (article_id);
