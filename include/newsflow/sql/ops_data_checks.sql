-- The newsflow page: the data checks of the latest %(days)s days newsflow_daily built up to %(day_to)s.
SELECT day, check_name, passed, detail
FROM bi.data_check
WHERE day IN (SELECT DISTINCT day FROM bi.data_check WHERE day <= %(day_to)s
              ORDER BY day DESC LIMIT %(days)s)
ORDER BY day DESC, check_name;
