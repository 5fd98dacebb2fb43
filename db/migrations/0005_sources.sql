-- Sources (issue 3): crawl-run figures the generic spiders and crawlers/runstats.py record in
-- crawl_runs.stats, as columns; conditional-GET validators per list URL; a per-run health view.

-- Generated from the stats JSON, so every writer of crawl_runs gets them for free.
ALTER TABLE crawl_runs
    ADD COLUMN found integer GENERATED ALWAYS AS
        (coalesce((stats ->> 'capwatch/found')::integer, 0)) STORED,
    ADD COLUMN known integer GENERATED ALWAYS AS
        (coalesce((stats ->> 'capwatch/known')::integer, 0)) STORED,
    ADD COLUMN not_modified integer GENERATED ALWAYS AS
        (coalesce((stats ->> 'capwatch/not_modified')::integer, 0)) STORED,
    ADD COLUMN http_errors integer GENERATED ALWAYS AS
        (coalesce((stats ->> 'capwatch/http_errors')::integer, 0)
         + coalesce((stats ->> 'downloader/exception_count')::integer, 0)) STORED,
    ADD COLUMN parse_errors integer GENERATED ALWAYS AS
        (coalesce((stats ->> 'capwatch/parse_errors')::integer, 0)
         + coalesce((stats ->> 'capwatch/api_errors')::integer, 0)) STORED,
    ADD COLUMN response_bytes bigint GENERATED ALWAYS AS
        (coalesce((stats ->> 'downloader/response_bytes')::bigint, 0)) STORED;

COMMENT ON COLUMN crawl_runs.found IS 'entries seen on list pages/feeds (new and already stored)';
COMMENT ON COLUMN crawl_runs.known IS 'entries skipped because their article is already stored';
COMMENT ON COLUMN crawl_runs.not_modified IS 'list requests answered 304 Not Modified';
COMMENT ON COLUMN crawl_runs.http_errors IS 'responses >= 400 (retries included) + download errors';
COMMENT ON COLUMN crawl_runs.parse_errors IS 'responses or items a spider could not parse';

-- ETag / Last-Modified of list pages, sent back as If-None-Match / If-Modified-Since.
CREATE TABLE http_validators (
    source_key     text NOT NULL,
    url            text NOT NULL,
    etag           text,
    last_modified  text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_key, url)
);

-- One row per ended run: was it bad, and why. A source whose last N runs are all bad is
-- unhealthy (db/source_queries.py: unhealthy_sources).
CREATE VIEW crawl_run_health AS
SELECT id, source_key, started_at, status, items, found, not_modified, http_errors,
       parse_errors,
       CASE
           WHEN status IN ('failed', 'timeout') THEN 'run ' || status
           WHEN parse_errors > 0 THEN parse_errors || ' parse error(s)'
           WHEN http_errors > 0 AND items = 0 THEN http_errors || ' HTTP error(s), no items'
           WHEN items = 0 AND found = 0 AND not_modified = 0 THEN 'no items'
       END AS problem
FROM crawl_runs
WHERE status <> 'running';
