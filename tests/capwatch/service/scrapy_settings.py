"""The project's Scrapy settings plus the fault-test spiders (SCRAPY_SETTINGS_MODULE)."""

from crawlers.settings import *  # noqa: F403

SPIDER_MODULES = ["crawlers.spiders", "tests.capwatch.service.spiders"]
