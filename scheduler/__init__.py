"""APScheduler jobs and the crawl executors they call."""
