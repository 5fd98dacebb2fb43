"""kind = "html": a list page (plus `list_urls`) whose article links match `options.links`
(a CSS selector, default every `a[href]`) and `link_pattern`; each new article page is
fetched and extracted (source selectors, else generic extraction)."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import Response

from crawlers.extract.article import page_selector
from crawlers.extract.text import element_text
from crawlers.source_options import HtmlOptions
from crawlers.spiders.declarative import DeclarativeSpider, Entry


class HtmlListSpider(DeclarativeSpider):
    name = "html"

    @property
    def html_options(self) -> HtmlOptions:
        assert isinstance(self.opts, HtmlOptions)  # KIND_OPTIONS["html"]
        return self.opts

    def list_urls(self) -> list[str]:
        return [self.source.url, *self.html_options.list_urls]

    def list_entries(self, response: Response, text: str) -> Iterator[Entry]:
        sel = page_selector(text)
        base = sel.css("base::attr(href)").get()
        for node in sel.css(self.html_options.links):
            anchor = node if node.root.tag == "a" else (node.css("a[href]") or [None])[0]
            if anchor is None:
                continue
            href = (anchor.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            url = response.urljoin(base + href if base and "://" not in href else href)
            title = element_text([anchor.root]).replace("\n", " ") or anchor.attrib.get("title", "")
            yield Entry(url=url, title=title.strip(), raw={"list": response.url})
