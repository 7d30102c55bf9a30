INSERT INTO core.event_mention (mention_id, event_id, article_id, source_id, article_version, event_type, mode,
    actor1_text, actor1_code, actor1_country, actor1_sector, actor2_text, actor2_code, actor2_country,
    actor2_sector, location_name, country, admin1, latitude, longitude, location_precision, event_date,
    date_precision, sentence, sentence_start, sentence_end, trigger, confidence, is_event, is_root, language, mentioned_at)
VALUES %s
ON CONFLICT (mention_id) DO NOTHING
