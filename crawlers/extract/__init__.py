"""Article-page extraction: source selectors when given, generic extraction otherwise.

`extract_article(html, url, selectors)` is the one entry point spiders, `capwatch extract`
and `capwatch sources check` share, so what a check prints is what a crawl stores.
"""

from crawlers.extract.article import Extracted, extract_article
from crawlers.extract.encoding import Decoded, decode_html

__all__ = ["Decoded", "Extracted", "decode_html", "extract_article"]
