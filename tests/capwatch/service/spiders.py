"""Misbehaving spiders for the fault tests (see tests/capwatch/service/scrapy_settings.py)."""

from __future__ import annotations

import asyncio
import time

import scrapy

from crawlers.spiders.base import SourceSpider


class RaisingSpider(SourceSpider):
    """Every response makes the callback raise."""

    name = "boom"

    async def start(self):
        yield scrapy.Request(self.source.url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        raise RuntimeError("the site changed and this spider broke")


class HangingSpider(SourceSpider):
    """The callback awaits forever (an await that never returns; the loop stays free)."""

    name = "hangs"

    async def start(self):
        yield scrapy.Request(self.source.url, callback=self.parse, dont_filter=True)

    async def parse(self, response):
        await asyncio.sleep(3600)
        yield {}


class BlockingSpider(SourceSpider):
    """The callback blocks its thread: only a separate process keeps this from others."""

    name = "blocks"

    async def start(self):
        yield scrapy.Request(self.source.url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        time.sleep(3600)
        return []
