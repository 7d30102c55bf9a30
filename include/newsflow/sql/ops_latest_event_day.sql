-- The newsflow page: the newest event day in the daily marts up to %(day_to)s (where to look when the
-- chart's window is empty, as with the replayed news of December 2024).
SELECT max(day) FROM bi.daily_events WHERE day <= %(day_to)s;
