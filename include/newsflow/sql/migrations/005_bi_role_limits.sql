-- newsflow warehouse: limits for the BI login, so a dashboard cannot hold the warehouse.
-- A runaway query is cancelled after a minute, a session idle inside a transaction (holding locks
-- and snapshots) is ended, and the login has a bounded number of connections. Role settings are
-- read when a session starts, and are not inherited from group roles: they are set on the login.
-- Another BI login gets the same with: GRANT newsflow_bi TO x; ALTER ROLE x SET ...; ALTER ROLE x CONNECTION LIMIT 10.
ALTER ROLE newsflow_metabase SET statement_timeout = '60s';
ALTER ROLE newsflow_metabase SET lock_timeout = '5s';
ALTER ROLE newsflow_metabase SET idle_in_transaction_session_timeout = '5min';
ALTER ROLE newsflow_metabase CONNECTION LIMIT 10;
