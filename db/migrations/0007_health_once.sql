-- Source health is computed in one place (scheduler/health.py: run_problem and assess) and
-- shown the same way by `capwatch status`, /status, the bot's /sources and `capwatch sources
-- list`. This view was a second, different definition of a bad run; it goes.
DROP VIEW IF EXISTS crawl_run_health;
