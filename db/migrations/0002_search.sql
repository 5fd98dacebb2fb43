-- Search over the archive (issue 7), and views for analysts.
--
-- Matching is exact substring semantics on lower(title || '\n' || body), for Chinese and
-- English alike, served by two GIN indexes:
--   articles_search_trgm   pg_trgm trigrams: LIKE '%word%' for words of 3+ characters
--   articles_search_grams  every 1- and 2-character substring: words of 1-2 characters
--                          (电池, 光伏, 钨), which have no trigram to look up
-- Both are expression indexes (no stored copy of the text); the two IMMUTABLE SQL functions
-- below are inlined by the planner, so a query written with them (or with the expanded
-- expression) uses the indexes. Stored text is not rewritten: traditional/simplified variants
-- are handled on the query side (see README, "Searching the archive").

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION article_search_text(title text, body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(coalesce(title, '') || E'\n' || coalesce(body, '')) $$;
COMMENT ON FUNCTION article_search_text(text, text) IS
    'The text search matches: lower(title || newline || body). Indexed by articles_search_trgm.';

-- Unigrams and overlapping bigrams: the even-offset pairs, a separator, the odd-offset pairs.
-- string_to_array/regexp_replace run in C; a generate_series version was 4x slower to index.
CREATE FUNCTION article_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT string_to_array(t, NULL) || string_to_array(
              regexp_replace(t, '(..)', E'\\1\x01', 'g') || E'\x01'
              || regexp_replace(substr(t, 2), '(..)', E'\\1\x01', 'g'), E'\x01') $$;
COMMENT ON FUNCTION article_grams(text) IS
    'Every 1- and 2-character substring of t; article_grams(article_search_text(title, body)) '
    '@> ARRAY[''电池''] is an exact, index-backed test for a 1-2 character word.';

-- Does the article contain `word` (case-insensitive substring)? Inlined into the caller, so
-- with a constant word the planner keeps only the branch for its length and uses its index.
CREATE FUNCTION article_contains(title text, body text, word text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (char_length(word) <= 2
                  AND article_grams(article_search_text(title, body)) @> ARRAY[lower(word)])
              OR (char_length(word) > 2
                  AND article_search_text(title, body) LIKE '%' || replace(replace(replace(
                      lower(word), '\', '\\'), '%', '\%'), '_', '\_') || '%') $$;
COMMENT ON FUNCTION article_contains(text, text, text) IS
    'True when lower(title || body) contains lower(word). Index-backed for a constant word: '
    'WHERE article_contains(title, body, ''光伏玻璃'').';

CREATE INDEX articles_search_trgm ON articles
    USING gin (article_search_text(title, body) gin_trgm_ops);
CREATE INDEX articles_search_grams ON articles
    USING gin (article_grams(article_search_text(title, body)));
-- Newest-first walks (search of frequent words, listings, exports) and date ranges.
CREATE INDEX articles_time ON articles ((coalesce(published_at, first_seen_at)) DESC, id DESC);
CREATE INDEX event_articles_event ON event_articles (event_id);
CREATE INDEX events_first_seen ON events (first_seen_at DESC);

CREATE VIEW v_articles AS
SELECT a.id AS article_id,
       coalesce(a.published_at, a.first_seen_at) AS article_time,
       a.published_at, a.first_seen_at,
       a.source_key, s.name AS source_name, s.tier AS source_tier,
       a.lang, a.title, a.url, a.author, a.body,
       coalesce(d.relevant, false) AS relevant, d.score,
       coalesce(d.sectors, '{}') AS sectors, coalesce(d.actions, '{}') AS actions,
       coalesce(d.actors, '{}') AS actors, coalesce(d.figures, '{}') AS figures,
       d.evidence, d.detector_version, d.detected_at,
       ea.event_id, ea.reason AS event_reason
FROM articles a
LEFT JOIN sources s ON s.key = a.source_key
LEFT JOIN detections d ON d.article_id = a.id
LEFT JOIN event_articles ea ON ea.article_id = a.id;
COMMENT ON VIEW v_articles IS
    'One row per stored article with its source, its detection (NULL score: not classified yet) '
    'and its event. Filter text with article_contains(title, body, word).';
COMMENT ON COLUMN v_articles.article_time IS 'published_at, or first_seen_at when the page had no date';
COMMENT ON COLUMN v_articles.source_tier IS 'official | association | wire | media';
COMMENT ON COLUMN v_articles.relevant IS 'the detector judged it a capacity-cut / anti-involution report';
COMMENT ON COLUMN v_articles.score IS 'detector score 0..1; NULL until classified';
COMMENT ON COLUMN v_articles.event_id IS 'the event this report belongs to (relevant articles only)';
COMMENT ON COLUMN v_articles.event_reason IS 'why it joined the event: new, near-duplicate or same keys';

CREATE VIEW v_event_reports AS
SELECT ea.event_id,
       row_number() OVER (PARTITION BY ea.event_id
                          ORDER BY coalesce(a.published_at, a.first_seen_at), a.id) AS report_no,
       coalesce(a.published_at, a.first_seen_at) AS article_time,
       a.first_seen_at, a.id AS article_id, a.source_key, s.name AS source_name,
       s.tier AS source_tier, a.lang, a.title, a.url, d.score, ea.reason AS event_reason
FROM event_articles ea
JOIN articles a ON a.id = ea.article_id
LEFT JOIN sources s ON s.key = a.source_key
LEFT JOIN detections d ON d.article_id = a.id;
COMMENT ON VIEW v_event_reports IS
    'The timeline of each event: every report, report_no 1 = the first to report it.';

CREATE VIEW v_events AS
SELECT e.id AS event_id, e.first_seen_at, e.last_seen_at, e.headline,
       e.sectors, e.actions, e.actors,
       coalesce(r.reports, 0) AS reports,
       coalesce(r.source_keys, '{}') AS source_keys,
       coalesce(r.source_names, '{}') AS source_names,
       f.source_key AS first_source_key, f.source_name AS first_source_name,
       f.url AS first_url, f.article_time AS first_report_at
FROM events e
LEFT JOIN LATERAL (
    SELECT sum(src.n)::integer AS reports,
           array_agg(src.source_key ORDER BY src.first_at, src.source_key) AS source_keys,
           array_agg(src.label ORDER BY src.first_at, src.source_key) AS source_names
    FROM (SELECT a.source_key, coalesce(max(s.name), a.source_key) AS label, count(*) AS n,
                 min(coalesce(a.published_at, a.first_seen_at)) AS first_at
          FROM event_articles ea
          JOIN articles a ON a.id = ea.article_id
          LEFT JOIN sources s ON s.key = a.source_key
          WHERE ea.event_id = e.id
          GROUP BY a.source_key) src
) r ON true
LEFT JOIN LATERAL (
    SELECT a.source_key, coalesce(s.name, a.source_key) AS source_name, a.url,
           coalesce(a.published_at, a.first_seen_at) AS article_time
    FROM event_articles ea
    JOIN articles a ON a.id = ea.article_id
    LEFT JOIN sources s ON s.key = a.source_key
    WHERE ea.event_id = e.id
    ORDER BY coalesce(a.published_at, a.first_seen_at), a.id
    LIMIT 1
) f ON true;
COMMENT ON VIEW v_events IS
    'One row per event: when it was first and last seen, what, how many reports, which sources '
    '(in the order they first reported it) and the first report.';
COMMENT ON COLUMN v_events.reports IS 'number of stored reports (articles) in the event';
COMMENT ON COLUMN v_events.first_source_name IS 'the source that reported it first';
