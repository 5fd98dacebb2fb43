"""Scrapy settings shared by every capwatch crawl (in-process, `scrapy crawl`, Scrapyd).

Only plain values live here: live objects (the connection pool) are attached to the crawler.
"""

BOT_NAME = "capwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 would start a code-executing HTTP server per crawl
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 500}
# Source headers and robots.txt opt-out (before RobotsTxtMiddleware at 100); retries that
# wait with exponential backoff / Retry-After instead of Scrapy's immediate ones.
# A request given up (network, redirect loop) is one log line and a counted error.
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.SourcePolicyMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawlers.middlewares.CountingRedirectMiddleware": 600,
}
EXTENSIONS = {
    "crawlers.context.CrawlContextExtension": 100,  # the pool and the crawl-run row
    "crawlers.runstats.RunStatsExtension": 500,  # HTTP/parse errors into crawl_runs
}
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"  # BackoffRetryMiddleware says it in one line instead

# Polite defaults; sources may tighten them.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [403, 412, 418, 429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubled for each next one
RETRY_BACKOFF_MAX = 30.0
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
}
CLOSESPIDER_TIMEOUT = 300
COOKIES_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# How a crawl started outside the service (`scrapy crawl`, Scrapyd) finds its sources file and
# database: functions of the top floor named by path, so crawlers/ never imports capwatch/.
CAPWATCH_SOURCES_FILE_FUNCTION = "capwatch.standalone.sources_file"
CAPWATCH_DSN_FUNCTION = "capwatch.standalone.database_dsn"
