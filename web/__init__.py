"""The web console (`capwatch web`, or CAPWATCH_WEB_PORT in `capwatch run`): events, one event,
archive search, source health and charts, server-rendered from the same database."""
