-- The web console (issue 14): what its Sources and Charts pages need to stay fast on years of
-- crawl runs (about 11,000 a day with the built-in sources).

-- Crawls still running: the health check asks for them on every page view and status call;
-- without this it reads the whole crawl_runs table.
CREATE INDEX crawl_runs_running ON crawl_runs (source_key, started_at) WHERE status = 'running';

-- Ended crawls per source and Beijing day, kept by a trigger on crawl_runs: every writer
-- (in-process, subprocess, Scrapyd) is counted without knowing about it, and a row that
-- changes after it ended (a forced timeout, late statistics) moves its counts exactly
-- (the old contribution is taken out, the new one put in).
CREATE TABLE crawl_days (
    source_key    text NOT NULL,
    day           date NOT NULL,          -- Beijing calendar day the crawls started
    runs          integer NOT NULL DEFAULT 0,
    items         bigint NOT NULL DEFAULT 0,
    new_articles  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source_key, day)
);
COMMENT ON TABLE crawl_days IS
    'Ended crawl runs per source and Beijing day (runs, items, new articles); kept by a trigger.';

CREATE FUNCTION crawl_days_add(key text, started timestamptz, n integer, items bigint,
                               new_articles bigint) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO crawl_days AS d (source_key, day, runs, items, new_articles)
    VALUES (key, (started AT TIME ZONE 'Asia/Shanghai')::date, n, items, new_articles)
    ON CONFLICT (source_key, day) DO UPDATE SET
        runs = d.runs + EXCLUDED.runs,
        items = d.items + EXCLUDED.items,
        new_articles = d.new_articles + EXCLUDED.new_articles
$$;

CREATE FUNCTION crawl_days_track() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'running' THEN
        PERFORM crawl_days_add(OLD.source_key, OLD.started_at, -1, -OLD.items,
                               -OLD.new_articles);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'running' THEN
        PERFORM crawl_days_add(NEW.source_key, NEW.started_at, 1, NEW.items, NEW.new_articles);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER crawl_runs_days
    AFTER INSERT OR DELETE OR UPDATE OF status, items, new_articles, started_at, source_key
    ON crawl_runs FOR EACH ROW EXECUTE FUNCTION crawl_days_track();

INSERT INTO crawl_days (source_key, day, runs, items, new_articles)
SELECT source_key, (started_at AT TIME ZONE 'Asia/Shanghai')::date, count(*), sum(items),
       sum(new_articles)
FROM crawl_runs WHERE status <> 'running'
GROUP BY 1, 2;
