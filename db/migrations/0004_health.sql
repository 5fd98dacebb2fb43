-- Source health (scheduler/health.py). One row per source: its state as last assessed and the
-- state the admins were last told about, so a break or a recovery is reported once, not at
-- every crawl.
CREATE TABLE source_health (
    source_key      text PRIMARY KEY,
    state           text NOT NULL,
    since           timestamptz NOT NULL DEFAULT now(),
    reported_state  text,
    reported_at     timestamptz,
    detail          jsonb NOT NULL DEFAULT '{}'::jsonb,
    checked_at      timestamptz NOT NULL DEFAULT now()
);

-- The newest articles of one source (field coverage, staleness) without scanning the table.
CREATE INDEX articles_source_recent ON articles (source_key, id DESC);
