"""The Scrapy project: settings, items, pipelines, spiders and the declarative source list."""
